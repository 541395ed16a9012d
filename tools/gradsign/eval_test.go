package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gradsign/assets"
	nb101assets "gradsign/assets/nb101"
	nb301assets "gradsign/assets/nb301"
	swapassets "gradsign/assets/swap"
	"gradsign/engine/nb201"
	"gradsign/internal/oracle"
	"gradsign/internal/scorefile"
)

// TestProxiesReproduceReferences: `gradsign score --weights F ... --proxies all --json` gives
// each mini-batch proxy of every reference file within the README's float32 tolerance.
func TestProxiesReproduceReferences(t *testing.T) {
	if testing.Short() {
		t.Skip("scores every reference file with every proxy")
	}
	refs, err := oracle.NB201()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		out, errOut, code := runCLI("score", "--weights", filepath.Join(oracle.Dir(), ref.Name), "--arch", ref.Arch.String(),
			"--n", strconv.Itoa(ref.N), "--offset", strconv.Itoa(ref.Offset), "--channels", strconv.Itoa(ref.C),
			"--cells", strconv.Itoa(ref.Cells), "--proxies", "all", "--json")
		if code != 0 {
			t.Fatalf("%s: %s", ref.Name, errOut)
		}
		var got scoreOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"grad_norm", "snip", "grasp", "fisher", "synflow", "jacob_cov", "naswot", "plain"} {
			want, want64 := ref.Proxies[name], ref.Proxies[name+"_f64"]
			v := got.Proxies[name]
			switch {
			case math.IsNaN(want):
				if v != nil {
					t.Errorf("%s %s = %v, the reference has none", ref.Name, name, *v)
				}
			case v == nil:
				t.Errorf("%s %s: no value, PyTorch %v", ref.Name, name, want)
			case want == 0:
				if math.Abs(*v) > 1e-12 {
					t.Errorf("%s %s = %v, want 0", ref.Name, name, *v)
				}
			default:
				// PyTorch's float32 noise plus a float32 engine's own (measured: up to 1.2e-3 on plain).
				tol := max(2e-3, 3*math.Abs(want-want64)/math.Abs(want64))
				if math.Abs(*v-want) > tol*math.Abs(want) {
					t.Errorf("%s %s = %v, PyTorch %v", ref.Name, name, *v, want)
				}
			}
		}
		if *got.Proxies["params"] != float64(ref.Params) || *got.Proxies["gradsign"] != *got.GradSign {
			t.Errorf("%s: params %v, gradsign %v", ref.Name, *got.Proxies["params"], *got.Proxies["gradsign"])
		}
	}
}

func TestEvalResumeShardMerge(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.csv")
	args := []string{"eval", "--sample", "6", "--sample-seed", "3", "--n", "4", "--proxies", "gradsign,snip,naswot", "--json"}
	out, errOut, code := runCLI(append(args, "--out", full)...)
	if code != 0 {
		t.Fatalf("eval: %s", errOut)
	}
	var table struct {
		Architectures int `json:"architectures"`
		Correlations  []struct {
			Proxy    string  `json:"proxy"`
			Spearman float64 `json:"spearman"`
		} `json:"correlations"`
	}
	if err := json.Unmarshal([]byte(out), &table); err != nil || table.Architectures != 6 || len(table.Correlations) != 5 {
		t.Fatalf("table %+v (%v) from %s", table, err, out)
	}
	rows, names, err := scorefile.Read(full)
	if err != nil || len(rows) != 6 || strings.Join(names, ",") != "gradsign,snip,naswot" {
		t.Fatalf("%d rows, proxies %v, %v", len(rows), names, err)
	}

	// Two shards as JSON Lines, merged, give the same table as the whole run.
	var parts []string
	for i := 0; i < 2; i++ {
		p := filepath.Join(dir, "part"+strconv.Itoa(i)+".jsonl")
		if _, e, c := runCLI(append(args, "--shard", strconv.Itoa(i)+"/2", "--out", p)...); c != 0 {
			t.Fatalf("shard %d: %s", i, e)
		}
		parts = append(parts, p)
	}
	if _, e, c := runCLI(append([]string{"eval", "--merge", "--dataset", "imagenet16", "--json"}, parts...)...); c != 0 {
		t.Fatalf("merge ranked against ImageNet16-120: %s", e)
	}
	merged, errOut, code := runCLI(append([]string{"eval", "--merge", "--json"}, parts...)...)
	if code != 0 {
		t.Fatalf("merge: %s", errOut)
	}
	var m struct {
		Correlations []struct {
			Proxy    string  `json:"proxy"`
			Spearman float64 `json:"spearman"`
		} `json:"correlations"`
	}
	if err := json.Unmarshal([]byte(merged), &m); err != nil || len(m.Correlations) != len(table.Correlations) {
		t.Fatalf("merged table %s (%v)", merged, err)
	}
	for i := range m.Correlations {
		if m.Correlations[i] != table.Correlations[i] {
			t.Fatalf("merged %+v, whole run %+v", m.Correlations[i], table.Correlations[i])
		}
	}

	// Resume: cut the file to its header and two rows, run again, get all six back.
	data, _ := os.ReadFile(full)
	lines := strings.SplitAfter(string(data), "\n")
	os.WriteFile(full, []byte(strings.Join(lines[:3], "")), 0o644)
	if _, e, c := runCLI(append(args, "--out", full, "--resume")...); c != 0 {
		t.Fatalf("resume: %s", e)
	}
	again, _, _ := scorefile.Read(full)
	if len(again) != 6 {
		t.Fatalf("after resume %d rows, want 6", len(again))
	}
	if _, e, c := runCLI("eval", "--sample", "6", "--sample-seed", "3", "--n", "4", "--proxies", "snip", "--out", full, "--resume"); c == 0 || !strings.Contains(e, "proxies [gradsign snip naswot] vs [snip]") {
		t.Fatalf("resume with other proxies: exit %d, %s", c, e)
	}
}

func TestEvalErrors(t *testing.T) {
	dup := filepath.Join(t.TempDir(), "dup")
	os.WriteFile(dup, []byte("5\n7\n5\n"), 0o644)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"eval", "--proxies", "nope"}, `unknown proxy "nope"`},
		{[]string{"eval", "--shard", "2/2"}, "want i/k"},
		{[]string{"eval", "--shard", "1/2/3"}, "want i/k"},
		{[]string{"eval", "--shard", "-0/2"}, "want i/k"},
		{[]string{"eval", "--indices", dup}, "index 5 is entry 1 and again entry 3"},
		{[]string{"eval", "--proxies", "grasp", "--n", "1000", "--sample", "2"}, "needs about"},
		{[]string{"eval", "--n", "9223372036854775807", "--sample", "2", "--proxies", "params"}, "the data holds 1000"},
		{[]string{"eval", "--max-memory", "lots"}, "not a memory size"},
		{[]string{"eval", "--max-memory", "NaN"}, "not a memory size"},
		{[]string{"eval", "--max-memory", "1e-5"}, "under 1 MiB"},
		{[]string{"score", "--max-memory", "100KiB"}, "under 1 MiB"},
		{[]string{"eval", "--sample", "0"}, "--sample 0"},
		{[]string{"eval", "--n", "2000"}, "the data holds 1000"},
		{[]string{"eval", "--resume"}, "--resume needs --out"},
		{[]string{"eval", "--out", "x.txt", "--sample", "2", "--n", "2", "--proxies", "params"}, "want a .csv or .jsonl"},
		{[]string{"eval", "--merge"}, "needs score files"},
		{[]string{"eval", "--merge", "--dataset", "mnist", "x.csv"}, "want one of cifar10, cifar100, imagenet16"},
		{[]string{"eval", "--indices", "/nonexistent"}, "no such file"},
	} {
		_, errOut, code := runCLI(c.args...)
		if code == 0 || !strings.Contains(errOut, c.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line saying %q", c.args, code, errOut, c.says)
		}
	}
}

// TestMergeRejectsBadFiles: a score file that would rank a value against the wrong
// architecture, or hold something that is not a proxy, is refused with one line that names
// the file, the line and what is wrong.
func TestMergeRejectsBadFiles(t *testing.T) {
	table := assets.Table()
	arch := func(i int) string {
		e, err := table.At(i)
		if err != nil {
			t.Fatal(err)
		}
		return e.Arch.String()
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, text, says string
	}{
		{"swapped.csv", "index,arch,snip\n0," + arch(0) + ",1\n1," + arch(2) + ",2\n", "swapped.csv:3: index 1 is " + arch(1) + " in NAS-Bench-201, the row says " + arch(2)},
		{"column.csv", "index,arch,snip,seconds\n0," + arch(0) + ",1,5\n", `column "seconds" is not a proxy`},
		{"short.csv", "index,arch,snip,synflow\n0," + arch(0) + ",1,2\n1," + arch(1) + ",3\n", "wrong number of fields"},
		{"value.csv", "index,arch,snip\n0," + arch(0) + ",fast\n", "value.csv:2: snip"},
		{"keys.jsonl", `{"index":0,"arch":"` + arch(0) + `","snip":1}` + "\n" + `{"index":1,"arch":"` + arch(1) + `","synflow":1}` + "\n", "keys.jsonl:2: proxies [synflow], the first line [snip]"},
		{"arch.jsonl", `{"index":3,"arch":"|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|","snip":1}` + "\n", "arch.jsonl:1: "},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		scorefile.WriteSettings(path, scorefile.Settings{Format: scorefile.SettingsFormat, Engine: "test", Dataset: "cifar10", Data: "bundled cifar10", N: 2, Architectures: "all", Proxies: []string{"snip"}})
		_, errOut, code := runCLI("eval", "--merge", path)
		if code == 0 || !strings.Contains(errOut, c.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want one line saying %q", c.name, code, errOut, c.says)
		}
	}
}

// quickEval is a fast run (params only, 2 images) for the file tests.
func quickEval(out string, extra ...string) (string, string, int) {
	return runCLI(append([]string{"eval", "--sample", "4", "--sample-seed", "1", "--n", "2", "--proxies", "params", "--out", out}, extra...)...)
}

// TestResumeAfterACutAtEveryByte: a crash can cut the last row anywhere; resuming drops the
// cut line and scores that architecture again, ending with the same file. Cut inside the
// header, the file starts over.
func TestResumeAfterACutAtEveryByte(t *testing.T) {
	for _, ext := range []string{".csv", ".jsonl"} {
		dir := t.TempDir()
		full := filepath.Join(dir, "full"+ext)
		if _, e, c := quickEval(full); c != 0 {
			t.Fatalf("%s: %s", ext, e)
		}
		want, _ := os.ReadFile(full)
		lastStart := strings.LastIndex(strings.TrimSuffix(string(want), "\n"), "\n") + 1
		header := strings.Index(string(want), "\n") + 1
		var cuts []int
		for i := lastStart; i < len(want); i++ {
			cuts = append(cuts, i)
		}
		if ext == ".csv" {
			cuts = append(cuts, 0, header/2, header)
		}
		for _, at := range cuts {
			path := filepath.Join(dir, "cut"+ext)
			os.WriteFile(path, want[:at], 0o644)
			os.WriteFile(scorefile.SettingsPath(path), mustRead(t, scorefile.SettingsPath(full)), 0o644)
			if _, e, c := quickEval(path, "--resume"); c != 0 {
				t.Fatalf("%s cut at byte %d: resume failed: %s", ext, at, e)
			}
			got, _ := os.ReadFile(path)
			if !sameLines(string(got), string(want)) {
				t.Fatalf("%s cut at byte %d: after resume\n%s\nwant\n%s", ext, at, got, want)
			}
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sameLines compares files as sets of lines (rows are written in the order they finish).
func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// TestScoreFilesKnowTheirRun: an empty file is a fresh start; resuming with other settings, or
// merging shards of different runs or files without settings, is refused with both settings
// named; a shard of one architecture is no error.
func TestScoreFilesKnowTheirRun(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	if _, e, c := quickEval(empty, "--resume"); c != 0 {
		t.Fatalf("resuming an empty file: %s", e)
	}
	if rows, _, err := scorefile.Read(empty); err != nil || len(rows) != 4 {
		t.Fatalf("after resuming an empty file: %d rows, %v", len(rows), err)
	}
	if _, e, c := runCLI("eval", "--sample", "4", "--sample-seed", "1", "--n", "3", "--proxies", "params", "--out", empty, "--resume"); c == 0 || !strings.Contains(e, "n 2 vs 3") {
		t.Errorf("resume with another N: exit %d, %q", c, e)
	}
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	quickEval(a, "--shard", "0/2")
	quickEval(b, "--shard", "1/2", "--seed", "7")
	if _, e, c := runCLI("eval", "--merge", a, b); c == 0 || !strings.Contains(e, "seed 0 vs 7") {
		t.Errorf("merging shards of two seeds: exit %d, %q", c, e)
	}
	// A settings file that names another space than its rows' is not their run's.
	settings, err := scorefile.ReadSettings(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, space := range []string{"nb999", "darts"} {
		s := settings
		s.Space = space
		if err := scorefile.WriteSettings(a, s); err != nil {
			t.Fatal(err)
		}
		if _, e, c := runCLI("eval", "--merge", a); c == 0 || !strings.Contains(e, "holds nb201 architectures, its settings a.csv.run.json say space \""+space+"\"") {
			t.Errorf("merging NAS-Bench-201 rows whose settings say %s: exit %d, %q", space, c, e)
		}
	}
	// A setting one run has and the other lacks is named as such.
	s := settings
	s.Network = "C 8"
	scorefile.WriteSettings(a, s)
	if _, e, c := runCLI("eval", "--merge", b, a); c == 0 || !strings.Contains(e, "network (none) vs C 8") {
		t.Errorf("merging a run of another network: exit %d, %q", c, e)
	}
	scorefile.WriteSettings(a, settings)
	os.Remove(scorefile.SettingsPath(b))
	if _, e, c := runCLI("eval", "--merge", a, b); c == 0 || !strings.Contains(e, "no b.csv.run.json") {
		t.Errorf("merging a file without settings: exit %d, %q", c, e)
	}
	os.WriteFile(b, []byte("index,arch,params\n0,|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|,12\n"), 0o644)
	if _, e, c := quickEval(b, "--resume"); c == 0 || !strings.Contains(e, "has rows but no b.csv.run.json") {
		t.Errorf("resuming a file without settings: exit %d, %q", c, e)
	}
	one := filepath.Join(dir, "one.csv")
	out, e, c := runCLI("eval", "--sample", "2", "--n", "2", "--proxies", "params", "--shard", "1/2", "--out", one)
	if c != 0 || !strings.Contains(out, "1 architecture scored in shard 1/2") {
		t.Errorf("a shard of one architecture: exit %d, %q, %q", c, out, e)
	}
}

// FuzzMemorySize: --max-memory's parser takes or refuses any text, never panics, and never
// gives a negative size.
func FuzzMemorySize(f *testing.F) {
	for _, s := range []string{"8GiB", "512MiB", "1e9", "12", "-1", "GiB", "1e400GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := parseBytes(s); err == nil && v < 0 {
			t.Fatalf("%q parsed to %d", s, v)
		}
	})
}

// TestConflictsAndBounds: flags that cannot go together, numbers past their bounds and an
// output that is an input are refused before any work (each was silently accepted).
func TestConflictsAndBounds(t *testing.T) {
	dir := t.TempDir()
	indices := filepath.Join(dir, "i.csv")
	os.WriteFile(indices, []byte("1\n2\n"), 0o644)
	weights := filepath.Join(dir, "w.safetensors")
	if _, errOut, code := runCLI("score", "--n", "1", "--save-weights", weights); code != 0 {
		t.Fatalf("saving weights: %s", errOut)
	}
	link := filepath.Join(dir, "link.csv")
	os.Symlink(indices, link)
	model := filepath.Join(dir, "m.onnx")
	onnxBytes, err := os.ReadFile("../../testdata/onnx/resnet20.onnx")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(model, onnxBytes, 0o644)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"eval", "--all", "--indices", indices}, "give one of --all, --indices FILE or --sample K"},
		{[]string{"eval", "--indices", indices, "--sample", "3"}, "give one of"},
		{[]string{"eval", "--merge", "--out", "x.csv", "a.csv"}, "--out does not apply"},
		{[]string{"eval", "--merge", "--n", "16", "a.csv"}, "--n does not apply"},
		{[]string{"eval", "--merge", "a.csv", "--json"}, "flags go before them"},
		{[]string{"eval", "--workers", "100000000"}, "want 0 (all cores) to 1024"},
		{[]string{"eval", "--indices", indices, "--out", indices}, "is the --indices file"},
		{[]string{"eval", "--indices", indices, "--out", link}, "is the --indices file"},
		{[]string{"score", "--weights", weights, "--save-weights", weights}, "is the --weights file"},
		{[]string{"score", "--onnx", model, "--save-weights", model}, "is the --onnx file"},
		{[]string{"search", "--gradsign", "--scores", indices, "--out", link}, "is the --scores file"},
		{[]string{"score", "--workers", "5000"}, "1024 workers"},
		{[]string{"search", "--budget", "1e18"}, "up to 1e+08"},
		{[]string{"search", "--runs", "100000000"}, "want 1..500000"},
		{[]string{"search", "--scores", indices}, "give --gradsign too"},
	} {
		_, errOut, code := runCLI(c.args...)
		if code != 2 || !strings.Contains(errOut, c.says) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line saying %q", c.args, code, errOut, c.says)
		}
	}
	if data, _ := os.ReadFile(indices); string(data) != "1\n2\n" {
		t.Fatalf("the indices file was changed: %q", data)
	}
}

// TestControlBytesEscaped: a path's control bytes reach the terminal escaped, in errors and in
// the text output (they were printed raw).
func TestControlBytesEscaped(t *testing.T) {
	_, errOut, code := runCLI("score", "--data", "/no/such\x1b[31mfile")
	if code == 0 || strings.ContainsRune(errOut, 0x1b) || !strings.Contains(errOut, `\x1b[31m`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	dir := t.TempDir()
	weights := filepath.Join(dir, "w\x07.safetensors")
	if _, errOut, code := runCLI("score", "--n", "1", "--save-weights", weights); code != 0 {
		t.Fatal(errOut)
	}
	out, errOut, code := runCLI("score", "--n", "1", "--weights", weights)
	if code != 0 || strings.ContainsRune(out, 0x07) || !strings.Contains(out, `w\a.safetensors`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestResumeKeepsFilesWhole: a second run on a file being written is refused (two at once
// garbled it); resuming counts each architecture once and refuses rows of other runs and
// rows that disagree; a refused resume and a CR-only file leave the file as it was.
func TestResumeKeepsFilesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.csv")
	if _, e, c := quickEval(path); c != 0 {
		t.Fatal(e)
	}
	whole := mustRead(t, path)
	settings, _ := scorefile.ReadSettings(path)

	// Another run holds the file: refused, naming it.
	w, _, err := scorefile.Open(path, settings, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, e, c := quickEval(path, "--resume"); c == 0 || !strings.Contains(e, "being written by another gradsign (process ") {
		t.Fatalf("a second run at once: exit %d, %s", c, e)
	}
	w.Close()

	lines := strings.SplitAfter(string(whole), "\n")
	for _, c := range []struct {
		name, file, says string
	}{
		// The rows twice (two resumes appended them): each counts once.
		{"copies", string(whole) + strings.Join(lines[1:len(lines)-1], ""), ""},
		{"conflict", string(whole) + lines[1][:strings.LastIndex(lines[1], ",")+1] + "12345\n", "with different values"},
		{"foreign", string(whole) + "0,|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|,1\n", "which this run does not score"},
		{"column twice", "index,arch,params,params\n", "twice"},
		{"CR only", strings.ReplaceAll(string(whole), "\n", "\r"), "CR line endings"},
		{"other settings, cut last line", string(whole) + "7,|nor", "other settings"},
	} {
		os.WriteFile(path, []byte(c.file), 0o644)
		scorefile.WriteSettings(path, settings)
		args := []string{"--resume"}
		if c.name == "other settings, cut last line" {
			args = append(args, "--seed", "9")
		}
		out, e, code := quickEval(path, args...)
		if c.says == "" {
			if code != 0 || !strings.Contains(out, "4 NAS-Bench-201 architectures") {
				t.Errorf("%s: exit %d, %s%s", c.name, code, out, e)
			}
			continue
		}
		if code == 0 || !strings.Contains(e, c.says) {
			t.Errorf("%s: exit %d, stderr %q, want one saying %q", c.name, code, e, c.says)
		}
		if got := mustRead(t, path); string(got) != c.file {
			t.Errorf("%s: a refused resume changed the file", c.name)
		}
	}
}

// TestProxiesAnyWorkers: an eval row and score give the same proxies to the last bit for any
// --workers and --chunk (the mini-batch gradients were summed per thread: snip, grad_norm and
// plain moved in their fifth digit with the worker count).
func TestProxiesAnyWorkers(t *testing.T) {
	dir := t.TempDir()
	indices := filepath.Join(dir, "i.csv")
	os.WriteFile(indices, []byte("11\n12\n"), 0o644) // eval ranks at least two
	out := filepath.Join(dir, "s.jsonl")
	const names = "gradsign,snip,plain,grad_norm,fisher,jacob_cov"
	if _, errOut, code := runCLI("eval", "--indices", indices, "--n", "20", "--proxies", names, "--workers", "2", "--out", out); code != 0 {
		t.Fatalf("eval: %s", errOut)
	}
	rows, _, err := scorefile.Read(out)
	i := slices.IndexFunc(rows, func(r scorefile.Row) bool { return r.Index == 11 })
	if err != nil || len(rows) != 2 || i < 0 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	for _, flags := range [][]string{{"--workers", "1"}, {"--workers", "3", "--chunk", "5"}} {
		stdout, errOut, code := runCLI(append([]string{"score", "--index", "11", "--n", "20", "--proxies", names, "--json"}, flags...)...)
		if code != 0 {
			t.Fatalf("score %v: %s", flags, errOut)
		}
		var r struct {
			GradSign float64            `json:"gradsign"`
			Proxies  map[string]float64 `json:"proxies"`
		}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		r.Proxies["gradsign"] = r.GradSign
		for _, name := range strings.Split(names, ",") {
			if got, want := r.Proxies[name], rows[i].Values[name]; got != want {
				t.Errorf("%s: score %v gives %v, the eval row (--workers 2) %v", name, flags, got, want)
			}
		}
	}
}

// TestMergeChecksSettings: --merge refuses a settings file that is not a run's ("{}" was
// accepted) and one whose proxies are not the file's columns.
func TestMergeChecksSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.csv")
	if _, e, c := quickEval(path); c != 0 {
		t.Fatal(e)
	}
	settings, err := scorefile.ReadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	other := settings
	other.Proxies = []string{"flops"}
	twice := settings
	twice.Proxies = []string{"params", "params"}
	for _, c := range []struct {
		name     string
		settings []byte
		says     string
	}{
		{"empty", []byte("{}"), "format 0, want 1: it is not the settings of a gradsign run"},
		{"other proxies", mustJSON(t, other), "holds the proxies [params], its settings s.csv.run.json say [flops]"},
		{"a proxy twice", mustJSON(t, twice), `proxy "params" listed twice`},
	} {
		os.WriteFile(scorefile.SettingsPath(path), c.settings, 0o644)
		if _, e, code := runCLI("eval", "--merge", path); code == 0 || !strings.Contains(e, c.says) {
			t.Errorf("%s: exit %d, stderr %q, want one saying %q", c.name, code, e, c.says)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRankingsAsset: the page's table of proxy rankings (assets/proxy_rankings.json, `make
// rankings`) is what `gradsign eval --merge --json` makes of the shipped sample's score file.
func TestRankingsAsset(t *testing.T) {
	out, errOut, code := runCLI("eval", "--merge", "--json", "../../results/eval_cifar10_sample1000_n128_seed0.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	shipped, err := os.ReadFile("../../assets/proxy_rankings.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(shipped) != out {
		t.Fatalf("assets/proxy_rankings.json is not the sample's rankings: run make rankings")
	}
}

// TestEvalSWAPRaw: SWAP's genotypes are a space of their own (their rows are checked against
// SWAP's table, and a merge ranks them against its trained accuracy), and --raw adds the
// official code's score and the structural-zero counts as columns.
func TestEvalSWAPRaw(t *testing.T) {
	f := filepath.Join(t.TempDir(), "swap.csv")
	if _, e, c := runCLI("eval", "--space", "swap", "--sample", "3", "--n", "2", "--channels", "4", "--proxies", "synflow", "--raw", "--out", f); c != 0 {
		t.Fatalf("eval --space swap: %s", e)
	}
	rows, names, err := scorefile.Read(f)
	if err != nil || len(rows) != 3 || strings.Join(names, ",") != "synflow,gradsign,gradsign_raw,structural_zeros,zero_fraction" {
		t.Fatalf("%d rows, columns %v, %v", len(rows), names, err)
	}
	for _, r := range rows {
		if r.Space != "swap" || r.Values["gradsign_raw"] < r.Values["gradsign"] || r.Values["zero_fraction"] <= 0 {
			t.Fatalf("row %+v", r)
		}
	}
	out, e, c := runCLI("eval", "--merge", f)
	if c != 0 || !strings.Contains(out, "SWAP's DARTS genotypes") || !strings.Contains(out, "after training (SWAP") {
		t.Fatalf("merge: exit %d, %s%s", c, out, e)
	}
	js, e, c := runCLI("eval", "--merge", "--intervals", "--json", f)
	var table struct {
		Run struct {
			Bootstrap int `json:"bootstrap"`
		} `json:"run"`
		Correlations []struct {
			Proxy     string `json:"proxy"`
			Intervals *struct {
				Spearman [2]float64 `json:"spearman"`
			} `json:"bootstrap_95"`
		} `json:"correlations"`
	}
	if err := json.Unmarshal([]byte(js), &table); c != 0 || err != nil || table.Run.Bootstrap != 1000 || len(table.Correlations) == 0 {
		t.Fatalf("merge --intervals: exit %d, %v, %s%s", c, err, js, e)
	}
	for _, l := range table.Correlations {
		if l.Intervals == nil || !(l.Intervals.Spearman[0] <= l.Intervals.Spearman[1]) {
			t.Fatalf("%s: interval %+v", l.Proxy, l.Intervals)
		}
	}
	if _, e, c := runCLI("eval", "--merge", "--raw", f); c == 0 || !strings.Contains(e, "--raw does not apply") {
		t.Fatalf("merge --raw: exit %d, %s", c, e)
	}
	// A row whose genotype is another row's of SWAP's table is refused.
	data, _ := os.ReadFile(f)
	lines := strings.SplitAfter(string(data), "\n")
	idx, rest, _ := strings.Cut(lines[1], ",")
	i, _ := strconv.Atoi(idx)
	bad := strconv.Itoa((i+1)%1000) + "," + rest
	os.WriteFile(f, []byte(lines[0]+bad), 0o644)
	if _, e, c := runCLI("eval", "--merge", f); c == 0 || !strings.Contains(e, "nor is it row") {
		t.Fatalf("a row with another row's genotype: exit %d, %s", c, e)
	}
}

// TestEvalImageNet16: --dataset imagenet16 scores NAS-Bench-201's ImageNet16-120 network (16×16
// images, 120 classes) on the bundled images and ranks against its ImageNet16-120 accuracy.
func TestEvalImageNet16(t *testing.T) {
	out, e, c := runCLI("eval", "--dataset", "imagenet16", "--sample", "4", "--n", "6", "--proxies", "gradsign", "--json")
	if c != 0 || !strings.Contains(out, `"dataset":"imagenet16"`) {
		t.Fatalf("exit %d: %s%s", c, out, e)
	}
	js, e, c := runCLI("score", "--index", "0", "--dataset", "imagenet16", "--n", "120", "--json")
	var got scoreOutput
	if err := json.Unmarshal([]byte(js), &got); c != 0 || err != nil || got.Dataset != "imagenet16" || got.N != 120 || got.Params != 129306+110*(64+1) /* index 0 at CIFAR-10, with 110 more classes */ {
		t.Fatalf("score: exit %d, %v, %+v %s", c, err, got, e)
	}
	if _, e, c := runCLI("score", "--dataset", "imagenet16", "--n", "121"); c == 0 || !strings.Contains(e, "holds 120") {
		t.Fatalf("121 of 120 images: exit %d, %s", c, e)
	}
}

// TestEvalSpaceSizes: each space's size, written down so that start-up reads no table, is its
// shipped table's length.
func TestEvalSpaceSizes(t *testing.T) {
	for name, n := range map[string]int{"nb201": nb201.NumArchs, "nb101": nb101assets.Table().Len(),
		"darts": nb301assets.Table().Len(), "swap": swapassets.Table().Len()} {
		if evalSpaces[name].size != n {
			t.Errorf("%s: size %d, its table %d", name, evalSpaces[name].size, n)
		}
	}
}
