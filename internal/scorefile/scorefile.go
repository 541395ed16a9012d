// Package scorefile reads and writes the per-architecture score files of `gradsign eval`.
//
// Score files hold one row per architecture: CSV (header index,arch,proxy...) or JSON Lines
// ({"index":..,"arch":..,proxy:..}), chosen by extension. Non-finite values are NaN, -Inf in
// CSV and null in JSON. Every row is one write ending in a newline, so a crash or a full disk
// leaves at most one cut line at the end: Open with resume drops it (the run scores that
// architecture again), Read refuses it, and ReadSoFar (for a run still writing) leaves it out.
// Every row's arch is checked against NAS-Bench-201's at its index.
//
// Beside each score file, FILE.run.json records the run's settings (Settings), written
// before the first row. Resuming refuses a file whose settings differ from the run's, and
// Merge files whose settings differ from each other (all but the shard): rows of different
// runs never mix under one label. The sidecar keeps the CSV a plain table any tool reads.
package scorefile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	nb101assets "gradsign/assets/nb101"
	nb301assets "gradsign/assets/nb301"
	swapassets "gradsign/assets/swap"
	"gradsign/internal/capped"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gradsign/assets"
	"gradsign/engine/darts"
	"gradsign/engine/nb201"
	"gradsign/engine/proxies"
)

// Row is one scored architecture: its index, arch and a value per proxy (NaN for none).
type Row struct {
	Index  int
	Arch   string
	Values map[string]float64
	// Where is the row's file and line ("scores.csv:12") and Space the table its architecture
	// was found in (nb201, nb101, darts or swap), when it was read from a file.
	Where, Space string
}

// Settings is everything that determines a run's scores.
type Settings struct {
	// Format is the version of this record; Engine the engine's score version
	// (gradsign.EngineVersion), which changes only when scores change beyond float32 noise.
	Format int    `json:"format"`
	Engine string `json:"engine"`
	// Space is the benchmark ("nb101"; empty for NAS-Bench-201) and Network its network when
	// not the benchmark's own ("stem 16"; empty otherwise).
	Space   string `json:"space,omitempty"`
	Network string `json:"network,omitempty"`
	// Dataset, Data (the images: "bundled ..." or a file's name and SHA-256), N and Seed.
	Dataset string `json:"dataset"`
	Data    string `json:"data"`
	N       int    `json:"n"`
	Seed    uint64 `json:"seed"`
	// Architectures says which: "all", "sample K (seed S)" or "indices FILE sha256:...".
	Architectures string   `json:"architectures"`
	Proxies       []string `json:"proxies"`
	// Shard is "i/k" for part i of k, empty for the whole run.
	Shard string `json:"shard,omitempty"`
}

// SettingsFormat is the version of the settings record this package writes.
const SettingsFormat = 1

// SettingsPath is where a score file's settings live: beside it, FILE.run.json.
func SettingsPath(scores string) string { return scores + ".run.json" }

// Differences lists the settings in which b differs from a, as "name a vs b"; the shard only
// when withShard.
func (a Settings) Differences(b Settings, withShard bool) []string {
	var d []string
	add := func(name string, x, y any) {
		if sx, sy := fmt.Sprint(x), fmt.Sprint(y); sx != sy {
			d = append(d, fmt.Sprintf("%s %s vs %s", name, orNone(sx), orNone(sy)))
		}
	}
	add("format", a.Format, b.Format)
	add("engine", a.Engine, b.Engine)
	add("space", a.Space, b.Space)
	add("network", a.Network, b.Network)
	add("dataset", a.Dataset, b.Dataset)
	add("data", a.Data, b.Data)
	add("n", a.N, b.N)
	add("seed", a.Seed, b.Seed)
	add("architectures", a.Architectures, b.Architectures)
	add("proxies", a.Proxies, b.Proxies)
	if withShard {
		add("shard", a.Shard, b.Shard)
	}
	return d
}

// orNone shows an empty setting as "(none)" in a message.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// ReadSettings reads a score file's settings; os.ErrNotExist when it has none.
func ReadSettings(scores string) (Settings, error) {
	var s Settings
	data, err := readCapped(SettingsPath(scores), maxSettingsBytes)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %v", SettingsPath(scores), err)
	}
	if problem := s.incomplete(); problem != "" {
		return s, fmt.Errorf("%s: %s: it is not the settings of a gradsign run", SettingsPath(scores), problem)
	}
	return s, nil
}

// incomplete says what a settings record read from a file lacks ("" when nothing): every
// run's record has its format, engine, dataset, images, N and proxies (a "{}" was taken for
// a run's settings).
func (s Settings) incomplete() string {
	switch {
	case s.Format != SettingsFormat:
		return fmt.Sprintf("format %d, want %d", s.Format, SettingsFormat)
	case s.Engine == "" || s.Dataset == "" || s.Data == "" || s.Architectures == "":
		return "engine, dataset, data or architectures missing"
	case s.N < 1:
		return fmt.Sprintf("n %d, want 1 or more images", s.N)
	case len(s.Proxies) == 0:
		return "no proxies"
	}
	for i, p := range s.Proxies {
		if slices.Contains(s.Proxies[:i], p) {
			return fmt.Sprintf("proxy %q listed twice", p)
		}
	}
	return ""
}

// WriteSettings writes a score file's settings atomically (a temporary file renamed).
func WriteSettings(scores string, s Settings) error {
	data, _ := json.MarshalIndent(s, "", "  ")
	tmp := SettingsPath(scores) + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, SettingsPath(scores))
}

func isJSONL(path string) bool { return strings.EqualFold(filepath.Ext(path), ".jsonl") }

// CheckPath refuses an --out that is neither .csv nor .jsonl.
func CheckPath(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".jsonl" {
		return fmt.Errorf("--out %s: want a .csv or .jsonl file", nb201.Quote(path))
	}
	return nil
}

// Open prepares --out for a run with settings s: a fresh file (settings written, then the
// CSV header), or with resume an existing file of the same settings, its cut last line dropped,
// whose rows it returns. An empty or missing file is a fresh start.
func Open(path string, s Settings, resume bool) (w *Writer, rows []Row, err error) {
	if err := CheckPath(path); err != nil {
		return nil, nil, err
	}
	if err := checkWritable(path); err != nil {
		return nil, nil, err
	}
	held, err := lock(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			unlock(path, held)
		} else {
			w.lock, w.path = held, path
		}
	}()
	if resume {
		// Everything is checked before the file is changed: its rows, its header against its
		// settings and both against this run; only then is a cut last line dropped.
		prev, complete, size, err := recoverRows(path)
		if err != nil {
			return nil, nil, err
		}
		if len(prev.rows) > 0 || (complete > 0 && isJSONL(path)) {
			old, err := ReadSettings(path)
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("%s has rows but no %s with the settings of its run: resume it with the gradsign that made it, or start a new file", path, filepath.Base(SettingsPath(path)))
			}
			if err != nil {
				return nil, nil, err
			}
			if d := old.Differences(s, true); len(d) > 0 {
				return nil, nil, fmt.Errorf("%s was made with other settings than this run (%s): use another --out, or the same settings", path, strings.Join(d, "; "))
			}
			if !slices.Equal(prev.names, old.Proxies) {
				return nil, nil, fmt.Errorf("%s holds the proxies %v, its settings %s say %v: the file is not its run's; start a new file", path, prev.names, filepath.Base(SettingsPath(path)), old.Proxies)
			}
			if complete < size {
				if err := os.Truncate(path, int64(complete)); err != nil {
					return nil, nil, err
				}
			}
			w, err = newWriter(path, s.Proxies, true)
			return w, prev.rows, err
		}
	}
	if err := WriteSettings(path, s); err != nil {
		return nil, nil, err
	}
	w, err = newWriter(path, s.Proxies, false)
	return w, nil, err
}

// checkWritable refuses an --out that is a directory or lies in a folder that does not exist,
// before anything (the settings beside it) is written.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s is a directory: give a file name", nb201.Quote(path))
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return fmt.Errorf("--out %s: the folder %s does not exist: create it first", nb201.Quote(path), nb201.Quote(filepath.Dir(path)))
	}
	return nil
}

// parsed is a score file's rows and the proxies its header (or first line) names.
type parsed struct {
	rows  []Row
	names []string
}

// recoverRows reads a score file to resume it without changing it: the rows of its complete
// lines (a cut last line, no newline: a crash mid-write, is left out), the length of the
// complete part and the file's size. A missing or empty file, or a CSV file of its header
// alone, has no rows. A file of CR line endings only is refused (its lines would read as one
// cut line).
func recoverRows(path string) (parsed, int, int, error) {
	data, err := readCapped(path, maxScoreBytes)
	if errors.Is(err, os.ErrNotExist) {
		return parsed{}, 0, 0, nil
	}
	if err != nil {
		return parsed{}, 0, 0, err
	}
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0 {
		return parsed{}, 0, 0, fmt.Errorf("%s has CR line endings: convert them to LF (tr '\\r' '\\n'), then resume", path)
	}
	complete := bytes.LastIndexByte(data, '\n') + 1
	if complete == 0 {
		return parsed{}, 0, len(data), nil
	}
	rows, names, err := Parse(path, data[:complete])
	if err != nil {
		return parsed{}, 0, 0, err
	}
	return parsed{rows, names}, complete, len(data), nil
}

// Writer appends rows to a score file (Open makes one), each in one write, holding the file's
// lock until Close.
type Writer struct {
	f     *os.File
	names []string
	jsonl bool
	lock  *os.File
	path  string
}

// newWriter opens a score file to write rows with the given proxies: appended, or a new
// file (with its CSV header).
func newWriter(path string, names []string, appendTo bool) (*Writer, error) {
	// Every write appends (the header too, after an explicit truncation under the lock).
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if !appendTo {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, err
		}
	}
	w := &Writer{f: f, names: names, jsonl: isJSONL(path)}
	if !w.jsonl && !appendTo {
		if err := w.line(append([]string{"index", "arch"}, names...)); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// line writes one CSV record in one write.
func (w *Writer) line(rec []string) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(rec)
	cw.Flush()
	_, err := w.f.Write(b.Bytes())
	return err
}

// Write appends a row in one write, so an interrupted run loses nothing it finished and cuts
// at most this line.
func (w *Writer) Write(r Row) error {
	if w.jsonl {
		var b strings.Builder
		fmt.Fprintf(&b, `{"index":%d,"arch":%q`, r.Index, r.Arch)
		for _, n := range w.names {
			fmt.Fprintf(&b, `,%q:%s`, n, jsonNumber(r.Values[n]))
		}
		b.WriteString("}\n")
		_, err := w.f.WriteString(b.String())
		return err
	}
	rec := []string{strconv.Itoa(r.Index), r.Arch}
	for _, n := range w.names {
		rec = append(rec, strconv.FormatFloat(r.Values[n], 'g', -1, 64))
	}
	return w.line(rec)
}

// Close closes the file and drops its lock; every row written is already in it.
func (w *Writer) Close() error {
	err := w.f.Close()
	unlock(w.path, w.lock)
	return err
}

// Files are read no further than a size they can justify: a score file of every NAS-Bench-201
// architecture with every proxy takes under 3 MB (64 MiB leaves room for long genotypes), its
// settings a few hundred bytes.
const (
	maxScoreBytes    = 64 << 20
	maxSettingsBytes = 1 << 20
)

// readCapped reads a score file or its settings no further than limit (capped.ReadFile).
func readCapped(path string, limit int64) ([]byte, error) {
	return capped.ReadFile(path, limit, "a score file or its settings")
}

func jsonNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Read reads a whole score file for --merge: a cut last line is an error here (resume
// the run to repair it).
func Read(path string) ([]Row, []string, error) {
	data, err := readCapped(path, maxScoreBytes)
	if err != nil {
		return nil, nil, err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return nil, nil, fmt.Errorf("%s: its last line is cut (an interrupted run): finish it with --resume, or delete that line", path)
	}
	return Parse(path, data)
}

// ReadSoFar reads the rows a run has finished so far: a cut last line (the row being written)
// is left out, and the file is not changed.
func ReadSoFar(path string) ([]Row, []string, error) {
	data, err := readCapped(path, maxScoreBytes)
	if err != nil {
		return nil, nil, err
	}
	return Parse(path, data[:bytes.LastIndexByte(data, '\n')+1])
}

// Parse reads score file contents and the proxies they hold.
func Parse(path string, data []byte) ([]Row, []string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark some editors write
	read := readCSV
	if isJSONL(path) {
		read = readJSONL
	}
	rows, names, err := read(path, bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		if !slices.Contains(proxies.Names, n) {
			return nil, nil, fmt.Errorf("%s: column %s is not a proxy (want some of %s)", path, nb201.Quote(n), strings.Join(proxies.Names, ", "))
		}
	}
	return rows, names, nil
}

func readCSV(path string, f io.Reader) ([]Row, []string, error) {
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(head) < 3 || head[0] != "index" || head[1] != "arch" {
		return nil, nil, fmt.Errorf("%s: header %s, want index,arch and proxies", path, nb201.Quote(strings.Join(head, ",")))
	}
	names := head[2:]
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			return nil, nil, fmt.Errorf("%s: header names %s twice", path, nb201.Quote(n))
		}
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, names, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		r, err := parseRow(rec[0], rec[1])
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		r.Where = fmt.Sprintf("%s:%d", path, line)
		for i, n := range names {
			if r.Values[n], err = strconv.ParseFloat(rec[2+i], 64); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %s: %q is not a number", path, line, n, nb201.Quote(rec[2+i]))
			}
		}
		rows = append(rows, r)
	}
}

// readJSONL reads JSON Lines strictly: each line one object, nothing after it, each key once,
// index a whole number, arch a string, every proxy a number or null, and the same keys on every
// line.
func readJSONL(path string, f io.Reader) ([]Row, []string, error) {
	var rows []Row
	var names []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		m, err := jsonObject(sc.Text())
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		var keys []string
		for k := range m {
			if k != "index" && k != "arch" {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b string) int { return slices.Index(proxies.Names, a) - slices.Index(proxies.Names, b) })
		if names == nil {
			names = keys
		} else if !slices.Equal(keys, names) {
			return nil, nil, fmt.Errorf("%s:%d: proxies %v, the first line %v", path, line, keys, names)
		}
		idx, ok := m["index"].(json.Number)
		arch, isText := m["arch"].(string)
		if !ok || !isText {
			return nil, nil, fmt.Errorf("%s:%d: want \"index\" a number and \"arch\" a string", path, line)
		}
		r, err := parseRow(idx.String(), arch)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		r.Where = fmt.Sprintf("%s:%d", path, line)
		for _, k := range keys {
			switch v := m[k].(type) {
			case nil:
				r.Values[k] = math.NaN()
			case json.Number:
				if r.Values[k], err = v.Float64(); err != nil {
					return nil, nil, fmt.Errorf("%s:%d: %s: %v", path, line, k, err)
				}
			default:
				return nil, nil, fmt.Errorf("%s:%d: %s is %v: want a number, or null for none", path, line, k, nb201.Quote(fmt.Sprint(v)))
			}
		}
		rows = append(rows, r)
	}
	return rows, names, sc.Err()
}

// jsonObject reads one JSON object of a line, refusing a key given twice and anything after it.
func jsonObject(line string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("want one JSON object a line")
	}
	m := map[string]any{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("%s given twice", nb201.Quote(key))
		}
		m[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if rest := strings.TrimSpace(line[dec.InputOffset():]); rest != "" {
		return nil, fmt.Errorf("%s after the object: one object a line", nb201.Quote(rest))
	}
	return m, nil
}

// parseRow checks a row's index and arch, and that the arch is the benchmark's at that index
// (a row edited or written by another tool would otherwise be ranked against another
// architecture's accuracy), and makes the row, with no values yet.
func parseRow(index, arch string) (Row, error) {
	switch SpaceOf(arch) {
	case "nb101":
		return parseNB101Row(index, arch)
	case "darts":
		return parseDARTSRow(index, arch)
	}
	idx, err := strconv.Atoi(index)
	if err != nil || idx < 0 || idx >= nb201.NumArchs {
		return Row{}, fmt.Errorf("index %q: want 0..%d", nb201.Quote(index), nb201.NumArchs-1)
	}
	a, err := nb201.ParseArch(arch)
	if err != nil {
		return Row{}, err
	}
	e, err := assets.Table().At(idx)
	if err != nil {
		return Row{}, err
	}
	if e.Arch != a {
		return Row{}, fmt.Errorf("index %d is %s in NAS-Bench-201, the row says %s", idx, e.Arch, arch)
	}
	return Row{Index: idx, Arch: arch, Values: map[string]float64{}, Space: "nb201"}, nil
}

// SpaceOf is the space of a row's arch column: "nb101" for a NAS-Bench-101 cell hash (32
// hexadecimal digits), "darts" for a genotype, "nb201" otherwise.
func SpaceOf(arch string) string {
	switch {
	case len(arch) == 32 && strings.Trim(arch, "0123456789abcdef") == "":
		return "nb101"
	case strings.HasPrefix(arch, "Genotype("):
		return "darts"
	}
	return "nb201"
}

// parseNB101Row checks a row of a NAS-Bench-101 run: index a row of the shipped table, arch
// that row's hash.
func parseNB101Row(index, hash string) (Row, error) {
	t := nb101assets.Table()
	idx, err := strconv.Atoi(index)
	if err != nil || idx < 0 || idx >= t.Len() {
		return Row{}, fmt.Errorf("index %q: want a row 0..%d of the shipped NAS-Bench-101 table", nb201.Quote(index), t.Len()-1)
	}
	if e, _ := t.At(idx); e.Hash != hash {
		return Row{}, fmt.Errorf("row %d is cell %s in the shipped NAS-Bench-101 table, the row says %s", idx, e.Hash, hash)
	}
	return Row{Index: idx, Arch: hash, Values: map[string]float64{}, Space: "nb101"}, nil
}

// parseDARTSRow checks a row of a run over DARTS genotypes: index a row of the shipped
// NAS-Bench-301 genotypes or of SWAP's, arch that row's genotype as DARTS writes it.
func parseDARTSRow(index, genotype string) (Row, error) {
	nb301, swap := nb301assets.Table(), swapassets.Table()
	idx, err := strconv.Atoi(index)
	if err != nil || idx < 0 || idx >= max(nb301.Len(), swap.Len()) {
		return Row{}, fmt.Errorf("index %q: want a row 0..%d of the shipped NAS-Bench-301 genotypes or 0..%d of SWAP's", nb201.Quote(index), nb301.Len()-1, swap.Len()-1)
	}
	for _, s := range []struct {
		space string
		table *darts.Table
	}{{"darts", nb301}, {"swap", swap}} {
		if e, err := s.table.At(idx); err == nil && e.Genotype.String() == genotype {
			return Row{Index: idx, Arch: genotype, Values: map[string]float64{}, Space: s.space}, nil
		}
	}
	e, _ := nb301.At(idx) // the larger table: idx is one of its rows
	return Row{}, fmt.Errorf("row %d of the shipped NAS-Bench-301 genotypes is %s, the row says %s (nor is it row %d of SWAP's)", idx, e.Genotype, nb201.Quote(genotype), idx)
}

// Merge reads score files for --merge and checks that they come from one run: the same
// settings but for the shard, and the same proxies.
func Merge(files []string) ([]Row, []string, error) {
	var rows []Row
	var names []string
	var first Settings
	for i, f := range files {
		s, err := ReadSettings(f)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s has no %s with the settings of its run: cannot tell it belongs with the others", f, filepath.Base(SettingsPath(f)))
		}
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			first = s
		} else if d := first.Differences(s, false); len(d) > 0 {
			return nil, nil, fmt.Errorf("%s comes from another run than %s (%s)", f, files[0], strings.Join(d, "; "))
		}
		r, nm, err := Read(f)
		if err != nil {
			return nil, nil, err
		}
		if !slices.Equal(nm, s.Proxies) {
			return nil, nil, fmt.Errorf("%s holds the proxies %v, its settings %s say %v: the file is not its run's", f, nm, filepath.Base(SettingsPath(f)), s.Proxies)
		}
		space := s.Space
		if space == "" {
			space = "nb201"
		}
		for _, row := range r {
			if got := row.Space; got != space {
				return nil, nil, fmt.Errorf("%s holds %s architectures, its settings %s say space %s: the file is not its run's", row.Where, got, filepath.Base(SettingsPath(f)), cutSpace(s.Space))
			}
		}
		if names == nil {
			names = nm
		} else if !slices.Equal(names, nm) {
			return nil, nil, fmt.Errorf("%s has proxies %v, the first file %v", f, nm, names)
		}
		rows = append(rows, r...)
	}
	rows, err := Collapse(rows)
	return rows, names, err
}

// cutSpace shows a settings file's space (of any length) in a message.
func cutSpace(s string) string { return nb201.Quote(orNone(s)) }

// Collapse sorts rows by index and keeps each architecture once: copies of one row (a file
// merged twice, overlapping shards) collapse; two rows of one architecture with different
// values are an error naming both (which one is right is not for a merge to guess).
func Collapse(rows []Row) ([]Row, error) {
	slices.SortStableFunc(rows, func(a, b Row) int { return a.Index - b.Index })
	var out []Row
	for _, r := range rows {
		if len(out) > 0 && out[len(out)-1].Index == r.Index {
			if prev := out[len(out)-1]; !sameRow(prev, r) {
				return nil, fmt.Errorf("%s and %s both hold index %d, with different values: they come from two runs; keep one of them", prev.Where, r.Where, r.Index)
			}
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// sameRow says whether two rows hold the same architecture and values (NaN equal to NaN).
func sameRow(a, b Row) bool {
	if a.Arch != b.Arch || len(a.Values) != len(b.Values) {
		return false
	}
	for k, v := range a.Values {
		w, ok := b.Values[k]
		if !ok || (v != w && !(math.IsNaN(v) && math.IsNaN(w))) {
			return false
		}
	}
	return true
}
