package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
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
	"gradsign/internal/scorefile"
)

// evalRequest is a parsed `gradsign eval`.
type evalRequest struct {
	space                     *evalSpace
	channels                  int      // NAS-Bench-101's stem channels (0: the benchmark's)
	names                     []string // proxies
	sample                    int
	sampleSeed                uint64
	indicesFile               string
	all                       bool
	n                         int
	seed                      uint64
	dataset, data             string
	out                       string
	resume                    bool
	shard                     string
	merge                     bool
	format                    string // of the table: text, json or markdown
	workers                   int
	budget                    memoryBudget
	files                     []string // with --merge
	cifarFormat               cifar.Format
	shardIndex, shardCount    int
	indices                   []int
	architectures, dataSource string // as recorded in the settings
	bootstrap                 int    // resamples of each statistic's interval (--intervals; 0: none)
}

func eval(args []string, stdout, stderr io.Writer) error {
	out := &checkedWriter{w: stdout}
	if err := evalTo(args, out, stderr); err != nil {
		return err
	}
	return out.err
}

// evalTo runs `gradsign eval`, printing to stdout.
func evalTo(args []string, stdout, stderr io.Writer) error {
	req, err := parseEval(args, stdout)
	if err != nil {
		return err
	}
	if req.merge {
		rows, names, err := scorefile.Merge(req.files)
		if err != nil {
			return err
		}
		space, err := spaceOfRows(rows)
		if err != nil {
			return err
		}
		if err := space.checkDataset(req.dataset); err != nil {
			return usageError{err}
		}
		return printTable(stdout, rows, names, space, evalInfo{Dataset: req.dataset, Bootstrap: req.bootstrap}, req.format)
	}
	if err := req.chooseArchitectures(); err != nil {
		return err
	}
	x, labels, err := req.images()
	if err != nil {
		return err
	}
	if err := req.checkMemory(); err != nil {
		return err
	}
	var sink *scorefile.Writer
	var done []scorefile.Row
	if req.out != "" {
		if sink, done, err = scorefile.Open(req.out, req.settings(), req.resume); err != nil {
			return err
		}
		defer sink.Close()
		if done, err = req.resumed(done); err != nil {
			return err
		}
	}
	start := time.Now()
	rows, err := req.scoreAll(done, x, labels, sink, stderr)
	if err != nil {
		return err
	}
	if req.shardCount > 0 && len(rows) < 2 {
		fmt.Fprintf(stdout, "%d architecture scored in shard %s: merge the shards' files with gradsign eval --merge for the table\n", len(rows), req.shard)
		return nil
	}
	info := evalInfo{Dataset: req.dataset, N: req.n, Seed: req.seed, SampleSeed: req.sampleSeed, Seconds: time.Since(start).Seconds(), Bootstrap: req.bootstrap}
	return printTable(stdout, rows, req.names, req.space, info, req.format)
}

// parseEval reads and checks the flags.
func parseEval(args []string, stdout io.Writer) (*evalRequest, error) {
	req := &evalRequest{budget: memoryBudget(machineMemory())}
	fs := flag.NewFlagSet("gradsign eval", flag.ContinueOnError)
	spaceFlag := fs.String("space", "nb201", "search space: nb201 (NAS-Bench-201), nb101 (NAS-Bench-101's shipped 1,000 cells), darts (the 1,218 shipped NAS-Bench-301 genotypes) or swap (SWAP's 1,000 trained DARTS genotypes)")
	fs.IntVar(&req.channels, "channels", 0, "nb101: stem channels (default 128); darts: C (default 32, NAS-Bench-301's network); swap: C (default 16)")
	proxyFlag := fs.String("proxies", "all", "comma-separated proxies, or all: "+strings.Join(proxies.Names, ","))
	raw := fs.Bool("raw", false, rawUsage)
	intervals := fs.Bool("intervals", false, "give each statistic the percentile bootstrap's 95% interval (1,000 resamples of the architectures)")
	fs.IntVar(&req.sample, "sample", 1000, "number of architectures drawn uniformly without replacement (nb101: of the 1,000 shipped cells)")
	fs.Uint64Var(&req.sampleSeed, "sample-seed", 0, "seed of the draw")
	fs.StringVar(&req.indicesFile, "indices", "", "file of indices (one per line: NAS-Bench-201 indices, or rows of the shipped NAS-Bench-101 table) instead of a draw")
	fs.BoolVar(&req.all, "all", false, "every architecture: NAS-Bench-201's 15,625, or the 1,000 shipped NAS-Bench-101 cells")
	fs.IntVar(&req.n, "n", 128, "images per score")
	fs.Uint64Var(&req.seed, "seed", 0, "seed of every network's initialisation")
	fs.StringVar(&req.dataset, "dataset", "cifar10", "cifar10, cifar100 or imagenet16: images, classes and the accuracy to rank against")
	fs.StringVar(&req.data, "data", "", "CIFAR binary batch file instead of the bundled images")
	fs.StringVar(&req.out, "out", "", "write per-architecture scores here: .csv or .jsonl (and the run's settings beside it, FILE.run.json)")
	fs.BoolVar(&req.resume, "resume", false, "continue the run in --out, skipping the architectures it holds (its settings must be this run's)")
	fs.StringVar(&req.shard, "shard", "", "i/k: score only part i (0..k-1) of k disjoint parts")
	fs.BoolVar(&req.merge, "merge", false, "join the score files given as arguments (of one run) and print the table")
	jsonFlag := fs.Bool("json", false, "print the table as JSON")
	markdown := fs.Bool("markdown", false, "print the table as Markdown")
	fs.IntVar(&req.workers, "workers", 0, "architectures scored at once (default: all cores)")
	fs.Var(&req.budget, "max-memory", "refuse a run that needs more memory than this (e.g. 8GiB; default what this machine or its container has)")
	if err := parseFlags(fs, args, stdout, "usage: gradsign eval [--space nb201|nb101] [flags]\n       gradsign eval --merge FILE...\n\nScores a benchmark's architectures with every proxy and ranks them against the benchmark."); err != nil {
		return nil, err
	}
	var err error
	req.format = tableFormat(*jsonFlag, *markdown)
	if *intervals {
		req.bootstrap = bootstrapResamples
	}
	if req.space, err = spaceOf(*spaceFlag); err != nil {
		return nil, usageError{err}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := conflicts(set); err != nil {
		return nil, usageError{err}
	}
	if req.merge {
		for _, f := range fs.Args() {
			if strings.HasPrefix(f, "-") {
				return nil, usageError{fmt.Errorf("%s after the score files: flags go before them (gradsign eval --merge [flags] FILE...)", cut(f))}
			}
		}
		// Merged scores can be ranked against any of the benchmark's datasets (checked
		// again when the files say which benchmark).
		if !slices.Contains(nb201.Datasets[:], req.dataset) {
			return nil, usageError{fmt.Errorf("--dataset %s: want one of %s to rank against", cut(req.dataset), strings.Join(nb201.Datasets[:], ", "))}
		}
		if fs.NArg() == 0 {
			return nil, usageError{errors.New("--merge needs score files as arguments (after the flags)")}
		}
		req.files = fs.Args()
		return req, nil
	}
	if req.cifarFormat, err = cifar.FormatByName(req.dataset); err != nil {
		return nil, usageError{err}
	}
	if err := req.space.checkDataset(req.dataset); err != nil {
		return nil, usageError{err}
	}
	if req.channels < 0 || (req.channels > 0 && req.space.name == "nb201") {
		return nil, usageError{fmt.Errorf("--channels %d: a flag of --space nb101 (its stem channels) and darts (its C)", req.channels)}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %s (score files go with --merge)", cut(fs.Arg(0)))}
	}
	if req.names, err = proxies.Parse(*proxyFlag); err != nil {
		return nil, usageError{err}
	}
	if *raw {
		req.names = withRaw(req.names)
	}
	if req.resume && req.out == "" {
		return nil, usageError{errors.New("--resume needs --out")}
	}
	if req.out != "" {
		if err := scorefile.CheckPath(req.out); err != nil {
			return nil, usageError{err}
		}
	}
	if req.workers < 0 || req.workers > maxWorkers {
		return nil, usageError{fmt.Errorf("--workers %d: want 0 (all cores) to %d (each worker holds a network: more than the cores only waits)", req.workers, maxWorkers)}
	}
	if req.out != "" {
		for flagName, in := range map[string]string{"indices": req.indicesFile, "data": req.data} {
			if sameFile(req.out, in) {
				return nil, usageError{fmt.Errorf("--out %s is the --%s file: writing the scores would overwrite the run's input; give another --out", cut(req.out), flagName)}
			}
		}
	}
	if req.shard != "" {
		if req.shardIndex, req.shardCount, err = parseShard(req.shard); err != nil {
			return nil, usageError{err}
		}
	}
	return req, nil
}

// maxWorkers bounds --workers (architectures, or for score the goroutines of one score, at
// once) and maxChunk score's --chunk (samples through the network together).
const (
	maxWorkers = 1024
	maxChunk   = 4096
)

// conflicts refuses flags that cannot go together (one of them would be ignored).
func conflicts(set map[string]bool) error {
	choices := 0
	for _, f := range []string{"all", "indices", "sample"} {
		if set[f] {
			choices++
		}
	}
	if choices > 1 {
		return errors.New("give one of --all, --indices FILE or --sample K: they choose the architectures differently")
	}
	if set["merge"] {
		for _, f := range []string{"out", "n", "seed", "resume", "shard", "all", "indices", "sample", "sample-seed", "data", "proxies", "raw", "workers", "channels", "max-memory"} {
			if set[f] {
				return fmt.Errorf("--merge joins finished score files (their own settings): --%s does not apply", f)
			}
		}
	}
	return nil
}

// sameFile says whether two paths name one existing file (through links too).
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// parseShard reads "i/k" with 0 <= i < k, and nothing else.
func parseShard(s string) (i, k int, err error) {
	bad := fmt.Errorf("--shard %s: want i/k with 0 <= i < k, e.g. 0/4", cut(s))
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, bad
	}
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	i, err1 := strconv.Atoi(a)
	k, err2 := strconv.Atoi(b)
	if !digits(a) || !digits(b) || err1 != nil || err2 != nil || k < 1 || i >= k {
		return 0, 0, bad
	}
	return i, k, nil
}

// chooseArchitectures fills indices: all, a file's, or a seeded draw; then this shard's part.
func (req *evalRequest) chooseArchitectures() error {
	switch {
	case req.all:
		req.indices = make([]int, req.space.size)
		for i := range req.indices {
			req.indices[i] = i
		}
		req.architectures = "all"
	case req.indicesFile != "":
		data, err := readCapped(req.indicesFile, maxIndicesBytes, "a file of indices")
		if err != nil {
			return err
		}
		if req.indices, err = parseIndices(req.indicesFile, data, req.space); err != nil {
			return err
		}
		req.architectures = fmt.Sprintf("indices %s sha256:%s", req.indicesFile, sha256Hex(data))
	default:
		if req.sample < 1 || req.sample > req.space.size {
			return usageError{fmt.Errorf("--sample %d: want 1..%d (%s)", req.sample, req.space.size, req.space.what)}
		}
		req.indices = rand.New(rand.NewPCG(req.sampleSeed, 5)).Perm(req.space.size)[:req.sample]
		slices.Sort(req.indices)
		req.architectures = fmt.Sprintf("sample %d (seed %d)", req.sample, req.sampleSeed)
	}
	if req.shardCount > 0 {
		var part []int
		for j, idx := range req.indices {
			if j%req.shardCount == req.shardIndex {
				part = append(part, idx)
			}
		}
		req.indices = part
	}
	return nil
}

// images loads the first n images of the data.
func (req *evalRequest) images() ([]float32, []int, error) {
	set, source, err := loadImages(req.cifarFormat, req.data)
	if err != nil {
		return nil, nil, err
	}
	req.dataSource = source
	x, labels, err := cifar.Batch[float32](set, 0, req.n, nil)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("--n %d: %v", req.n, err)}
	}
	return x, labels, nil
}

// checkMemory refuses a run whose architectures would need more memory than allowed: each
// worker scores one architecture with every proxy but grasp, and grasp runs alone.
func (req *evalRequest) checkMemory() error {
	if req.budget <= 0 || len(req.indices) == 0 {
		return nil
	}
	workers := req.evalWorkers(len(req.indices))
	others := slices.DeleteFunc(slices.Clone(req.names), func(s string) bool { return s == "grasp" })
	// The largest network of the run, by its memory with these proxies.
	var each, grasp int64
	for _, idx := range req.largestCandidates() {
		plan, err := network.Plan[float32](req.space.spec(idx, req.cifarFormat, req.channels))
		if err != nil {
			return usageError{err}
		}
		e, err := proxies.MemoryBytes(plan, req.n, others, gradsign.Options{Workers: 1})
		if err != nil {
			return err
		}
		each = max(each, e)
		if slices.Contains(req.names, "grasp") {
			g, err := proxies.MemoryBytes(plan, req.n, []string{"grasp"}, gradsign.Options{Workers: runtime.GOMAXPROCS(0)})
			if err != nil {
				return err
			}
			grasp = max(grasp, g)
		}
	}
	need := int64(workers) * each
	if grasp > 0 {
		need = max(need, int64(workers-1)*each+grasp)
	}
	if need > int64(req.budget) {
		return errMemory(need, int64(req.budget), fmt.Sprintf("scoring the largest network with %s at N=%d on %d workers", strings.Join(req.names, ","), req.n, workers),
			"lower --n or --workers, leave out grasp (--proxies), or raise --max-memory")
	}
	return nil
}

// largestCandidates are the architectures whose memory bounds the run's: NAS-Bench-201's
// all-nor_conv_3x3 cell, or every NAS-Bench-101 cell of the run (plans cost no memory).
func (req *evalRequest) largestCandidates() []int {
	if req.space.name == "nb201" {
		c := nb201.Conv3x3
		return []int{assets.Table().Lookup(nb201.Arch{c, c, c, c, c, c}).Index}
	}
	return req.indices
}

// spaceSetting and networkSetting are the run's space and network in its settings: empty for
// NAS-Bench-201 and for the benchmark's own network, as the files before other spaces have
// them.
func (req *evalRequest) spaceSetting() string {
	if req.space.name == "nb201" {
		return ""
	}
	return req.space.name
}

func (req *evalRequest) networkSetting() string {
	if req.channels == 0 {
		return ""
	}
	if req.space.name == "darts" {
		return fmt.Sprintf("C %d", req.channels)
	}
	return fmt.Sprintf("stem %d", req.channels)
}

// spaceOfRows is the space merged rows come from (all rows of one run are of one space).
func spaceOfRows(rows []scorefile.Row) (*evalSpace, error) {
	if len(rows) == 0 {
		return evalSpaces["nb201"], nil
	}
	return spaceOf(rows[0].Space)
}

func (req *evalRequest) evalWorkers(todo int) int {
	if req.workers > 0 {
		return req.workers
	}
	return max(1, min(todo, runtime.GOMAXPROCS(0)))
}

// settings are the run's, as recorded beside its score file.
func (req *evalRequest) settings() scorefile.Settings {
	return scorefile.Settings{Format: scorefile.SettingsFormat, Engine: gradsign.EngineVersion, Space: req.spaceSetting(), Network: req.networkSetting(),
		Dataset: req.dataset, Data: req.dataSource,
		N: req.n, Seed: req.seed, Architectures: req.architectures, Proxies: req.names, Shard: req.shard}
}

// resumed checks the rows a resumed file holds: each architecture once (copies of a row
// collapse, differing rows are an error) and each one of this run's.
func (req *evalRequest) resumed(rows []scorefile.Row) ([]scorefile.Row, error) {
	rows, err := scorefile.Collapse(rows)
	if err != nil {
		return nil, err
	}
	want := map[int]bool{}
	for _, idx := range req.indices {
		want[idx] = true
	}
	for _, r := range rows {
		if !want[r.Index] {
			return nil, fmt.Errorf("%s holds index %d, which this run does not score: the file holds another run's rows; start a new file", r.Where, r.Index)
		}
	}
	return rows, nil
}

// scoreAll scores the architectures not in done, one per worker, writing each row to sink as
// it finishes, and returns every row sorted by index.
func (req *evalRequest) scoreAll(done []scorefile.Row, x []float32, labels []int, sink *scorefile.Writer, stderr io.Writer) ([]scorefile.Row, error) {
	have := map[int]bool{}
	for _, r := range done {
		have[r.Index] = true
	}
	var todo []int
	for _, idx := range req.indices {
		if !have[idx] {
			todo = append(todo, idx)
		}
	}
	workers := req.evalWorkers(len(todo))
	progress := newProgress(stderr, len(todo))
	jobs := make(chan int)
	results := make(chan scorefile.Row)
	errs := make(chan error, workers)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	var graspOne sync.Mutex
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for idx := range jobs {
				r, err := scoreArch(ctx, req.space, req.channels, idx, req.cifarFormat, req.seed, x, labels, req.names, &graspOne)
				if err != nil {
					errs <- fmt.Errorf("index %d: %v", idx, err)
					stop()
					return
				}
				results <- r
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, idx := range todo {
			select {
			case jobs <- idx:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	rows := done
	var writeErr error
	for r := range results {
		rows = append(rows, r)
		if sink != nil && writeErr == nil {
			if writeErr = sink.Write(r); writeErr != nil {
				stop()
			}
		}
		progress.Add(1)
	}
	progress.Finish()
	if writeErr != nil {
		return nil, fmt.Errorf("writing %s: %v", req.out, writeErr)
	}
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	slices.SortFunc(rows, func(a, b scorefile.Row) int { return a.Index - b.Index })
	return rows, nil
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
// 95 MB per image of the largest network (12 GB at N=128), runs for one architecture at a
// time (under graspOne), so the workers' memory stays bounded.
func scoreArch(ctx context.Context, space *evalSpace, channels, index int, format cifar.Format, seed uint64, x []float32, labels []int, names []string, graspOne *sync.Mutex) (scorefile.Row, error) {
	if index < 0 || index >= space.size {
		return scorefile.Row{}, fmt.Errorf("index %d out of range: %s has 0..%d", index, space.what, space.size-1)
	}
	net, err := network.Build[float32](space.spec(index, format, channels))
	if err != nil {
		return scorefile.Row{}, err
	}
	net.Init(seed)
	opt := gradsign.Options{Workers: 1}
	others := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "grasp" })
	v, err := proxies.Compute(ctx, net, x, labels, others, opt)
	if err != nil {
		return scorefile.Row{}, err
	}
	if len(others) < len(names) {
		graspOne.Lock() // alone, it may use every core: the other workers wait or run other proxies
		g, err := proxies.Compute(ctx, net, x, labels, []string{"grasp"}, gradsign.Options{Workers: runtime.GOMAXPROCS(0)})
		graspOne.Unlock()
		if err != nil {
			return scorefile.Row{}, err
		}
		v["grasp"] = g["grasp"]
	}
	return scorefile.Row{Index: index, Arch: space.arch(index), Values: v}, nil
}

// evalInfo describes a run for the table's heading.
type evalInfo struct {
	Dataset    string  `json:"dataset"`
	N          int     `json:"n,omitempty"`
	Seed       uint64  `json:"seed"`
	SampleSeed uint64  `json:"sample_seed"`
	Seconds    float64 `json:"seconds,omitempty"`
	// Bootstrap is the number of resamples behind each correlation's 95% interval (--intervals;
	// 0: none).
	Bootstrap int `json:"bootstrap,omitempty"`
}

// bootstrapResamples is --intervals' number of resamples, drawn from a fixed seed so that a
// table is reproducible.
const bootstrapResamples = 1000

// correlation is one line of the table.
type correlation struct {
	Proxy        string  `json:"proxy"`
	Spearman     float64 `json:"spearman"`
	Kendall      float64 `json:"kendall_tau_b"`
	TopPrecision float64 `json:"top10_precision"`
	NonFinite    int     `json:"non_finite"`
	// NASLib is Spearman's rho of NASLib's published values of the proxy on the same
	// architectures, where the space's table has them for all of them.
	NASLib *float64 `json:"naslib_spearman,omitempty"`
	// Intervals are the percentile bootstrap's 95% intervals of the three (--intervals).
	Intervals *intervals `json:"bootstrap_95,omitempty"`
}

// intervals are 95% intervals of a line's statistics, each [low, high].
type intervals struct {
	Spearman     [2]float64 `json:"spearman"`
	Kendall      [2]float64 `json:"kendall_tau_b"`
	TopPrecision [2]float64 `json:"top10_precision"`
}

// interval computes the 95% intervals of v's statistics against acc.
func interval(v, acc []float64, resamples int) *intervals {
	ci := func(stat func(pred, truth []float64) float64) [2]float64 {
		lo, hi := stats.BootstrapInterval(v, acc, stat, resamples, 1)
		return [2]float64{lo, hi}
	}
	return &intervals{ci(stats.Spearman), ci(stats.KendallTauB), ci(top10)}
}

// top10 is the precision of the top 10%, the table's third statistic.
func top10(pred, truth []float64) float64 { return stats.TopPrecision(pred, truth, 0.1) }

// cells are the line's three statistics as table cells, each with its interval when there is one.
func (l correlation) cells() (rho, tau, top string) {
	if l.Intervals == nil {
		return fmt.Sprintf("%.3f", l.Spearman), fmt.Sprintf("%.3f", l.Kendall), fmt.Sprintf("%.3f", l.TopPrecision)
	}
	f := func(v float64, in [2]float64) string { return fmt.Sprintf("%.3f [%.3f, %.3f]", v, in[0], in[1]) }
	return f(l.Spearman, l.Intervals.Spearman), f(l.Kendall, l.Intervals.Kendall), f(l.TopPrecision, l.Intervals.TopPrecision)
}

// printTable ranks every proxy (and params and FLOPs, computed from the arch when not scored)
// against the benchmark's accuracy on the dataset.
func printTable(w io.Writer, rows []scorefile.Row, names []string, space *evalSpace, info evalInfo, format string) error {
	if len(rows) < 2 {
		return fmt.Errorf("%d architectures scored: too few to rank", len(rows))
	}
	acc := make([]float64, len(rows))
	for i, r := range rows {
		acc[i] = space.accuracy(r.Index, info.Dataset)
	}
	cols := slices.Clone(names)
	if !slices.Contains(cols, "params") || !slices.Contains(cols, "flops") {
		// The baselines go beside every table; they need only the arch.
		for _, r := range rows {
			net, err := network.Plan[float32](space.spec(r.Index, cifar.CIFAR10, 0))
			if err != nil {
				return err
			}
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
		line := correlation{name, stats.Spearman(v, acc), stats.KendallTauB(v, acc), top10(v, acc), bad, naslibRho(space, rows, name, acc), nil}
		if info.Bootstrap > 0 {
			line.Intervals = interval(v, acc, info.Bootstrap)
		}
		lines = append(lines, line)
	}
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(map[string]any{"run": info, "architectures": len(rows), "correlations": lines})
	case "markdown":
		if space.naslib == nil {
			fmt.Fprintf(w, "| proxy | Spearman ρ | Kendall τ-b | top-10%% precision | non-finite |\n| --- | --- | --- | --- | --- |\n")
			for _, l := range lines {
				rho, tau, top := l.cells()
				fmt.Fprintf(w, "| %s | %s | %s | %s | %d |\n", l.Proxy, rho, tau, top, l.NonFinite)
			}
			return nil
		}
		fmt.Fprintf(w, "| proxy | Spearman ρ | Kendall τ-b | top-10%% precision | non-finite | NASLib's ρ |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, l := range lines {
			rho, tau, top := l.cells()
			fmt.Fprintf(w, "| %s | %s | %s | %s | %d | %s |\n", l.Proxy, rho, tau, top, l.NonFinite, orDash(l.NASLib))
		}
		return nil
	}
	run := fmt.Sprintf("N=%d, seed %d", info.N, info.Seed)
	if info.N == 0 {
		run = "merged score files"
	}
	fmt.Fprintf(w, "%d %s, %s, %s; against %s. Higher predicts better for every proxy.\n",
		len(rows), space.what, info.Dataset, run, space.against)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if space.naslib == nil {
		fmt.Fprintf(tw, "proxy\tSpearman\tKendall tau-b\ttop-10%% precision\tnon-finite\t\n")
		for _, l := range lines {
			rho, tau, top := l.cells()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t\n", l.Proxy, rho, tau, top, l.NonFinite)
		}
	} else {
		fmt.Fprintf(tw, "proxy\tSpearman\tKendall tau-b\ttop-10%% precision\tnon-finite\tNASLib's Spearman\t\n")
		for _, l := range lines {
			rho, tau, top := l.cells()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t\n", l.Proxy, rho, tau, top, l.NonFinite, orDash(l.NASLib))
		}
	}
	if info.Seconds > 0 {
		fmt.Fprintf(tw, "time\t%.0f s\t\t\t\t\n", info.Seconds)
	}
	return tw.Flush()
}

// naslibRho is Spearman's rho of NASLib's values of a proxy on the rows' architectures against
// acc, or nil where the space has none for one of them.
func naslibRho(space *evalSpace, rows []scorefile.Row, proxy string, acc []float64) *float64 {
	if space.naslib == nil {
		return nil
	}
	v := make([]float64, len(rows))
	for i, r := range rows {
		x, ok := space.naslib(r.Index, proxy)
		if !ok {
			return nil
		}
		v[i] = x
	}
	rho := stats.Spearman(v, acc)
	return &rho
}

func orDash(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.3f", *v)
}

// parseIndices reads a file of a space's indices (whitespace-separated); an index out of
// range or given twice is an error that names its entry.
func parseIndices(path string, data []byte, space *evalSpace) ([]int, error) {
	var out []int
	seen := map[int]int{}
	for i, f := range strings.Fields(string(data)) {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v >= space.size {
			return nil, fmt.Errorf("%s: entry %d is %s: want an index 0..%d (%s)", path, i+1, cut(f), space.size-1, space.what)
		}
		if first, dup := seen[v]; dup {
			return nil, fmt.Errorf("%s: index %d is entry %d and again entry %d: give each architecture once", path, v, first, i+1)
		}
		seen[v] = i + 1
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no indices", path)
	}
	return out, nil
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
