package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/proxies"
	"gradsign/engine/stats"
)

// row is one scored architecture: its index, arch and a value per proxy (NaN for none).
type row struct {
	Index  int
	Arch   string
	Values map[string]float64
}

func eval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gradsign eval", flag.ContinueOnError)
	proxyFlag := fs.String("proxies", "all", "comma-separated proxies, or all: "+strings.Join(proxies.Names, ","))
	sample := fs.Int("sample", 1000, "number of architectures drawn uniformly without replacement")
	sampleSeed := fs.Uint64("sample-seed", 0, "seed of the draw")
	indicesFile := fs.String("indices", "", "file of NAS-Bench-201 indices (one per line) instead of a draw")
	all := fs.Bool("all", false, "every one of the 15,625 architectures")
	n := fs.Int("n", 128, "images per score")
	seed := fs.Uint64("seed", 0, "seed of every network's initialisation")
	dataset := fs.String("dataset", "cifar10", "cifar10 or cifar100: images, classes and the accuracy to rank against")
	data := fs.String("data", "", "CIFAR binary batch file instead of the bundled images")
	out := fs.String("out", "", "write per-architecture scores here: .csv or .jsonl")
	resume := fs.Bool("resume", false, "continue the run in --out, skipping the architectures it holds")
	shard := fs.String("shard", "", "i/k: score only part i (0..k-1) of k disjoint parts")
	merge := fs.Bool("merge", false, "join the score files given as arguments and print the table")
	jsonFlag := fs.Bool("json", false, "print the table as JSON")
	markdown := fs.Bool("markdown", false, "print the table as Markdown")
	workers := fs.Int("workers", 0, "architectures scored at once (default: all cores)")
	if err := parseFlags(fs, args, stdout, "usage: gradsign eval [flags]\n       gradsign eval --merge FILE...\n\nScores NAS-Bench-201 architectures with every proxy and ranks them against the benchmark."); err != nil {
		return err
	}
	format, err := cifar.FormatByName(*dataset)
	if err != nil {
		return usageError{err}
	}
	accCol := slices.Index(nb201.Datasets[:], *dataset)
	table := assets.Table()

	if *merge {
		if fs.NArg() == 0 {
			return usageError{errors.New("--merge needs score files as arguments")}
		}
		var rows []row
		var names []string
		for _, f := range fs.Args() {
			r, nm, err := readRows(f)
			if err != nil {
				return err
			}
			if names == nil {
				names = nm
			} else if !slices.Equal(names, nm) {
				return fmt.Errorf("%s has proxies %v, the first file %v", f, nm, names)
			}
			rows = append(rows, r...)
		}
		return printTable(stdout, dedupe(rows), names, table, accCol, evalInfo{Dataset: *dataset}, tableFormat(*jsonFlag, *markdown))
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (score files go with --merge)", fs.Arg(0))}
	}
	names, err := proxies.Parse(*proxyFlag)
	if err != nil {
		return usageError{err}
	}

	// Which architectures.
	var indices []int
	switch {
	case *all:
		indices = make([]int, nb201.NumArchs)
		for i := range indices {
			indices[i] = i
		}
	case *indicesFile != "":
		if indices, err = readIndices(*indicesFile); err != nil {
			return err
		}
	default:
		if *sample < 1 || *sample > nb201.NumArchs {
			return usageError{fmt.Errorf("--sample %d: want 1..%d", *sample, nb201.NumArchs)}
		}
		indices = rand.New(rand.NewPCG(*sampleSeed, 5)).Perm(nb201.NumArchs)[:*sample]
		slices.Sort(indices)
	}
	if *shard != "" {
		var i, k int
		if _, err := fmt.Sscanf(*shard, "%d/%d", &i, &k); err != nil || k < 1 || i < 0 || i >= k {
			return usageError{fmt.Errorf("--shard %q: want i/k with 0 <= i < k", *shard)}
		}
		var part []int
		for j, idx := range indices {
			if j%k == i {
				part = append(part, idx)
			}
		}
		indices = part
	}

	set, err := loadImages(format, *data)
	if err != nil {
		return err
	}
	x, labels, err := cifar.Batch[float32](set, 0, *n, nil)
	if err != nil {
		return usageError{fmt.Errorf("--n %d: %v", *n, err)}
	}

	// Resume: keep what the output file holds.
	var done []row
	if *resume {
		if *out == "" {
			return usageError{errors.New("--resume needs --out")}
		}
		prev, prevNames, err := readRows(*out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err == nil && !slices.Equal(prevNames, names) {
			return fmt.Errorf("%s holds proxies %v, this run asks for %v", *out, prevNames, names)
		}
		done = prev
	}
	have := map[int]bool{}
	for _, r := range done {
		have[r.Index] = true
	}
	var todo []int
	for _, idx := range indices {
		if !have[idx] {
			todo = append(todo, idx)
		}
	}

	var sink *rowWriter
	if *out != "" {
		if sink, err = newRowWriter(*out, names, *resume && len(done) > 0); err != nil {
			return err
		}
		defer sink.Close()
	}
	if *workers < 1 {
		*workers = max(1, min(len(todo), runtime.GOMAXPROCS(0)))
	}
	start := time.Now()
	progress := newProgress(stderr, len(todo))
	jobs := make(chan int)
	results := make(chan row)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	var graspOne sync.Mutex
	for w := 0; w < *workers; w++ {
		wg.Go(func() {
			for idx := range jobs {
				r, err := scoreArch(table, idx, format.Classes, *seed, x, labels, names, &graspOne)
				if err != nil {
					errs <- fmt.Errorf("index %d: %v", idx, err)
					return
				}
				results <- r
			}
		})
	}
	go func() {
		for _, idx := range todo {
			jobs <- idx
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	rows := done
	for r := range results {
		rows = append(rows, r)
		if sink != nil {
			if err := sink.Write(r); err != nil {
				return err
			}
		}
		progress.Add(1)
	}
	progress.Finish()
	select {
	case err := <-errs:
		return err
	default:
	}
	slices.SortFunc(rows, func(a, b row) int { return a.Index - b.Index })
	info := evalInfo{Dataset: *dataset, N: *n, Seed: *seed, SampleSeed: *sampleSeed, Seconds: time.Since(start).Seconds()}
	return printTable(stdout, rows, names, table, accCol, info, tableFormat(*jsonFlag, *markdown))
}

// tableFormat is "json", "markdown" or "text".
func tableFormat(asJSON, markdown bool) string {
	switch {
	case asJSON:
		return "json"
	case markdown:
		return "markdown"
	}
	return "text"
}

// scoreArch builds, initialises and scores one architecture; it runs on one core (the
// workers of eval give the parallelism). grasp, whose float64 pass with tangents holds about
// 70 MB per image of the largest network (9 GB at N=128), runs for one architecture at a time
// (under graspOne), so the workers' memory stays bounded.
func scoreArch(table *nb201.Table, index, classes int, seed uint64, x []float32, labels []int, names []string, graspOne *sync.Mutex) (row, error) {
	e, err := table.At(index)
	if err != nil {
		return row{}, err
	}
	net, err := network.Build[float32](network.Config{Arch: e.Arch, C: 16, N: 5, Classes: classes, H: cifar.Side, W: cifar.Side})
	if err != nil {
		return row{}, err
	}
	net.Init(seed)
	opt := gradsign.Options{Workers: 1}
	others := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "grasp" })
	v, err := proxies.Compute(context.Background(), net, x, labels, others, opt)
	if err != nil {
		return row{}, err
	}
	if len(others) < len(names) {
		graspOne.Lock() // alone, it may use every core: the other workers wait or run other proxies
		g, err := proxies.Compute(context.Background(), net, x, labels, []string{"grasp"}, gradsign.Options{Workers: runtime.GOMAXPROCS(0)})
		graspOne.Unlock()
		if err != nil {
			return row{}, err
		}
		v["grasp"] = g["grasp"]
	}
	return row{Index: index, Arch: e.Arch.String(), Values: v}, nil
}

// evalInfo describes a run for the table's heading.
type evalInfo struct {
	Dataset    string  `json:"dataset"`
	N          int     `json:"n,omitempty"`
	Seed       uint64  `json:"seed"`
	SampleSeed uint64  `json:"sample_seed"`
	Seconds    float64 `json:"seconds,omitempty"`
}

// correlation is one line of the table.
type correlation struct {
	Proxy        string  `json:"proxy"`
	Spearman     float64 `json:"spearman"`
	Kendall      float64 `json:"kendall_tau_b"`
	TopPrecision float64 `json:"top10_precision"`
	NonFinite    int     `json:"non_finite"`
}

// printTable ranks every proxy (and params and FLOPs, computed from the arch when not scored)
// against the benchmark's 200-epoch test accuracy.
func printTable(w io.Writer, rows []row, names []string, table *nb201.Table, accCol int, info evalInfo, format string) error {
	if len(rows) < 2 {
		return fmt.Errorf("%d architectures scored: too few to rank", len(rows))
	}
	acc := make([]float64, len(rows))
	for i, r := range rows {
		e, err := table.At(r.Index)
		if err != nil {
			return err
		}
		acc[i] = e.Accuracy[accCol]
	}
	cols := slices.Clone(names)
	if !slices.Contains(cols, "params") || !slices.Contains(cols, "flops") {
		// The baselines go beside every table; they need only the arch.
		for _, r := range rows {
			a, _ := nb201.ParseArch(r.Arch)
			net, _ := network.Build[float32](network.CIFAR10(a))
			r.Values["params"], r.Values["flops"] = float64(net.NumParams()), float64(net.FLOPs())
		}
		cols = slices.DeleteFunc(cols, func(s string) bool { return s == "params" || s == "flops" })
		cols = append(cols, "params", "flops")
	}
	var lines []correlation
	for _, name := range cols {
		v := make([]float64, len(rows))
		bad := 0
		for i, r := range rows {
			v[i] = r.Values[name]
			if math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
				bad++
			}
		}
		lines = append(lines, correlation{name, stats.Spearman(v, acc), stats.KendallTauB(v, acc), stats.TopPrecision(v, acc, 0.1), bad})
	}
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(map[string]any{"run": info, "architectures": len(rows), "correlations": lines})
	case "markdown":
		fmt.Fprintf(w, "| proxy | Spearman ρ | Kendall τ-b | top-10%% precision | non-finite |\n| --- | --- | --- | --- | --- |\n")
		for _, l := range lines {
			fmt.Fprintf(w, "| %s | %.3f | %.3f | %.3f | %d |\n", l.Proxy, l.Spearman, l.Kendall, l.TopPrecision, l.NonFinite)
		}
		return nil
	}
	run := fmt.Sprintf("N=%d, seed %d", info.N, info.Seed)
	if info.N == 0 {
		run = "merged score files"
	}
	fmt.Fprintf(w, "%d NAS-Bench-201 architectures, %s, %s; against 200-epoch test accuracy. Higher predicts better for every proxy.\n",
		len(rows), info.Dataset, run)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "proxy\tSpearman\tKendall tau-b\ttop-10%% precision\tnon-finite\t\n")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t\n", l.Proxy, l.Spearman, l.Kendall, l.TopPrecision, l.NonFinite)
	}
	if info.Seconds > 0 {
		fmt.Fprintf(tw, "time\t%.0f s\t\t\t\t\n", info.Seconds)
	}
	return tw.Flush()
}

func readIndices(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []int
	for i, f := range strings.Fields(string(data)) {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v >= nb201.NumArchs {
			return nil, fmt.Errorf("%s: entry %d is %q: want an index 0..%d", path, i+1, f, nb201.NumArchs-1)
		}
		out = append(out, v)
	}
	return out, nil
}

// dedupe sorts rows by index and keeps one row per architecture (overlapping shards or a
// file merged twice hold some twice).
func dedupe(rows []row) []row {
	slices.SortFunc(rows, func(a, b row) int { return a.Index - b.Index })
	var out []row
	for _, r := range rows {
		if len(out) > 0 && out[len(out)-1].Index == r.Index {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Score files: CSV (header index,arch,proxy...) or JSON Lines ({"index":..,"arch":..,proxy:..}),
// chosen by extension. Non-finite values are NaN, -Inf in CSV and null in JSON.

func isJSONL(path string) bool { return strings.EqualFold(filepath.Ext(path), ".jsonl") }

type rowWriter struct {
	f     *os.File
	csv   *csv.Writer
	names []string
	jsonl bool
}

func newRowWriter(path string, names []string, appendTo bool) (*rowWriter, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".jsonl" {
		return nil, usageError{fmt.Errorf("--out %s: want a .csv or .jsonl file", path)}
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	w := &rowWriter{f: f, names: names, jsonl: ext == ".jsonl"}
	if !w.jsonl {
		w.csv = csv.NewWriter(f)
		if !appendTo {
			w.csv.Write(append([]string{"index", "arch"}, names...))
			w.csv.Flush()
		}
	}
	return w, nil
}

// Write appends a row and flushes it, so an interrupted run loses nothing it finished.
func (w *rowWriter) Write(r row) error {
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
	w.csv.Write(rec)
	w.csv.Flush()
	return w.csv.Error()
}

func (w *rowWriter) Close() error { return w.f.Close() }

func jsonNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// readRows reads a score file and the proxies it holds.
func readRows(path string) ([]row, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	read := readCSV
	if isJSONL(path) {
		read = readJSONL
	}
	rows, names, err := read(path, f)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		if !slices.Contains(proxies.Names, n) {
			return nil, nil, fmt.Errorf("%s: column %q is not a proxy (want some of %s)", path, n, strings.Join(proxies.Names, ", "))
		}
	}
	return rows, names, nil
}

func readCSV(path string, f io.Reader) ([]row, []string, error) {
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(head) < 3 || head[0] != "index" || head[1] != "arch" {
		return nil, nil, fmt.Errorf("%s: header %v, want index,arch,proxy...", path, head)
	}
	names := head[2:]
	var rows []row
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
		for i, n := range names {
			if r.Values[n], err = strconv.ParseFloat(rec[2+i], 64); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %s: %v", path, line, n, err)
			}
		}
		rows = append(rows, r)
	}
}

func readJSONL(path string, f io.Reader) ([]row, []string, error) {
	var rows []row
	var names []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
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
		idx, _ := m["index"].(json.Number)
		arch, _ := m["arch"].(string)
		r, err := parseRow(idx.String(), arch)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		for _, k := range keys {
			r.Values[k] = math.NaN()
			if num, ok := m[k].(json.Number); ok {
				r.Values[k], _ = num.Float64()
			}
		}
		rows = append(rows, r)
	}
	return rows, names, sc.Err()
}

// parseRow checks a row's index and arch, and that the arch is the benchmark's at that index
// (a row edited or written by another tool would otherwise be ranked against another
// architecture's accuracy), and makes the row, with no values yet.
func parseRow(index, arch string) (row, error) {
	idx, err := strconv.Atoi(index)
	if err != nil || idx < 0 || idx >= nb201.NumArchs {
		return row{}, fmt.Errorf("index %q: want 0..%d", index, nb201.NumArchs-1)
	}
	a, err := nb201.ParseArch(arch)
	if err != nil {
		return row{}, err
	}
	e, err := assets.Table().At(idx)
	if err != nil {
		return row{}, err
	}
	if e.Arch != a {
		return row{}, fmt.Errorf("index %d is %s in NAS-Bench-201, the row says %s", idx, e.Arch, arch)
	}
	return row{Index: idx, Arch: arch, Values: map[string]float64{}}, nil
}

// progress shows architectures done and time left: a bar on a terminal, a line every 30 s
// otherwise (a log file).
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	total int
	done  int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now(), last: time.Now()}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("architectures"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) Add(k int) {
	p.done += k
	if p.bar != nil {
		p.bar.Add(k)
		return
	}
	if time.Since(p.last) >= 30*time.Second || p.done == p.total {
		p.last = time.Now()
		el := time.Since(p.start)
		left := time.Duration(float64(el) / float64(p.done) * float64(p.total-p.done))
		fmt.Fprintf(p.w, "%d/%d architectures, %s elapsed, about %s left\n", p.done, p.total, el.Round(time.Second), left.Round(time.Second))
	}
}

func (p *progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
