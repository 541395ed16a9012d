package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/matmul"
	"gradsign/engine/network"
	"gradsign/engine/proxies"
	"gradsign/engine/safetensors"
)

// scoreOutput is what `gradsign score --json` prints.
type scoreOutput struct {
	Space string `json:"space"`
	// Arch names the network: NAS-Bench-201's arch string, NAS-Bench-101's cell hash.
	Arch     string   `json:"arch"`
	Matrix   string   `json:"matrix,omitempty"` // NAS-Bench-101: the 7x7 adjacency, row-major
	Ops      string   `json:"ops,omitempty"`    // NAS-Bench-101: the vertex ops, joined by |
	Index    *int     `json:"index,omitempty"`  // NAS-Bench-201 index, for C=16 N=5 networks
	GradSign *float64 `json:"gradsign,omitempty"`
	Params   int      `json:"params"`
	// FLOPs is NAS-Bench-201's count for one image (multiply-accumulates of Conv2d and
	// Linear, plus bias adds); NAS-Bench-201 reports it divided by 1e6.
	FLOPs    int    `json:"flops"`
	N        int    `json:"n"`
	Offset   int    `json:"offset"`
	Seed     uint64 `json:"seed"`
	Dataset  string `json:"dataset"`
	Data     string `json:"data"`
	Weights  string `json:"weights,omitempty"`
	Augment  bool   `json:"augment,omitempty"`
	Channels int    `json:"channels"` // NAS-Bench-201's and DARTS's C; NAS-Bench-101's stem channels
	Cells    int    `json:"cells"`    // per stage (NAS-Bench-201), per stack (NAS-Bench-101), in all (DARTS)
	// StructuralZeros counts the weights given sign 0 because their gradient is zero in exact
	// arithmetic (per layer in Layers).
	StructuralZeros *int `json:"structural_zeros,omitempty"`
	// DataZeros counts the (sample, weight) pairs whose gradient is exactly zero on that
	// sample's data (gradsign.Result.DataZeros), given sign 0 (per layer in Layers).
	DataZeros *int64 `json:"data_zeros,omitempty"`
	// AboveChance is GradSign less what N random signs would give every weight
	// (gradsign.Result.AboveChance): the part the samples' agreement makes.
	AboveChance *float64 `json:"above_chance,omitempty"`
	Seconds     float64  `json:"seconds"`
	// Backend and Kernel say what computed the score: the engine backend and its float32
	// matrix kernel (matmul.KernelName).
	Backend string `json:"backend"`
	Kernel  string `json:"kernel"`
	// Accuracy is the benchmark's accuracy in percent: NAS-Bench-201's 200-epoch test
	// accuracy (cifar10, cifar100, imagenet16), NAS-Bench-101's CIFAR-10 validation accuracy
	// after 4, 12, 36 and 108 epochs (valid4 ... valid108).
	Accuracy map[string]float64 `json:"accuracy,omitempty"`
	// Benchmark says the accuracies in words (the text output's line).
	Benchmark string           `json:"-"`
	Layers    []gradsign.Layer `json:"layers,omitempty"`
	// Proxies holds every proxy asked for (gradsign included), null where it has no finite
	// value (a constant Jacobian's jacob_cov, a singular naswot kernel).
	Proxies map[string]*float64 `json:"proxies"`
	// Notes say what scoring assumed (an ONNX model's dynamic input size, labels taken modulo
	// its outputs).
	Notes []string `json:"notes,omitempty"`
}

// finite returns &v, or nil for NaN and ±Inf, which JSON cannot hold.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// scoreRequest is a parsed `gradsign score`.
type scoreRequest struct {
	spaceFlags
	target                 *target
	n, offset              int
	seed                   uint64
	dataset, data, weights string
	augment                bool
	initONNX, fromModel    bool
	saveWeights            string
	layers, json           bool
	names                  []string
	chunk, workers         int
	budget                 memoryBudget
	format                 cifar.Format
}

func score(args []string, stdout, stderr io.Writer) error {
	req, err := parseScore(args, stdout)
	if err != nil {
		return err
	}
	x, labels, dataName, err := req.images()
	if err != nil {
		return err
	}
	var fitNotes []string
	if g, err := req.target.spec.Graph(); err == nil {
		in := g.Shape(g.Input)
		x, fitNotes = cifar.Fit(x, labels, req.format, in.H, in.W, g.Classes)
	}
	if err := req.checkMemory(); err != nil {
		return err
	}
	net, err := req.network()
	if err != nil {
		return err
	}
	start := time.Now()
	values, res, err := req.compute(net, x, labels)
	if err != nil {
		return err
	}
	t := req.target
	out := scoreOutput{
		Space: t.space, Arch: t.name, Matrix: t.meta["adjacency"], Ops: t.meta["ops"], Params: net.NumParams(), FLOPs: net.FLOPs(), Proxies: map[string]*float64{},
		N: req.n, Offset: req.offset, Seed: req.seed, Dataset: req.format.Name, Data: dataName, Weights: req.weights,
		Augment: req.augment, Channels: t.channels, Cells: t.cells, Seconds: time.Since(start).Seconds(),
		Backend: "cpu", Kernel: matmul.KernelName(),
	}
	if slices.Contains(req.names, "gradsign") {
		out.GradSign = finite(values["gradsign"])
		out.StructuralZeros, out.DataZeros = &res.StructuralZeros, &res.DataZeros
		if above := res.AboveChance(); !math.IsNaN(above) {
			out.AboveChance = &above
		}
	}
	for _, name := range req.names {
		out.Proxies[name] = finite(values[name])
	}
	if b := t.benchmark; b != nil {
		out.Index, out.Accuracy, out.Benchmark = b.index, b.accuracy, b.says
	}
	if req.fromModel {
		out.Weights = "the model file"
	}
	out.Notes = append(t.notes, fitNotes...)
	if req.layers {
		out.Layers = res.Layers
	}
	w := &checkedWriter{w: stdout}
	if req.json {
		if err := json.NewEncoder(w).Encode(out); err != nil {
			return err
		}
	} else {
		printScore(w, out)
	}
	return w.err
}

// parseScore reads and checks the flags: every value is checked here, before any work.
func parseScore(args []string, stdout io.Writer) (*scoreRequest, error) {
	req := &scoreRequest{budget: memoryBudget(machineMemory())}
	fs := flag.NewFlagSet("gradsign score", flag.ContinueOnError)
	req.spaceFlags.add(fs)
	fs.IntVar(&req.n, "n", 128, "number of images (the official NAS-Bench-201 setting is 128)")
	fs.IntVar(&req.offset, "offset", 0, "first image")
	fs.Uint64Var(&req.seed, "seed", 0, "seed of the weight initialisation (and of --augment)")
	fs.StringVar(&req.dataset, "dataset", "cifar10", "cifar10, cifar100 or imagenet16 (NAS-Bench-201's ImageNet16-120: 16×16 images, 120 classes): record format, image size, normalisation and class count")
	fs.StringVar(&req.data, "data", "", "CIFAR binary batch file (default: the bundled images of --dataset)")
	fs.StringVar(&req.weights, "weights", "", "safetensors file of weights named as the space's reference model names them, to use instead of initialising")
	fs.BoolVar(&req.augment, "augment", false, "randomly crop (4-pixel padding) and flip the images, seeded by --seed")
	fs.BoolVar(&req.initONNX, "init", false, "onnx: initialise the model's weights from --seed with PyTorch's default initialisation per layer (GradSign's setting: the architecture at initialisation) instead of using the file's")
	fs.BoolVar(&req.fromModel, "weights-from-model", false, "onnx: score with the weights in the model file (the default for --onnx)")
	fs.StringVar(&req.saveWeights, "save-weights", "", "write the network's weights (the reference model's names, safetensors) to this file")
	fs.BoolVar(&req.layers, "layers", false, "print each weight layer's contribution")
	fs.BoolVar(&req.json, "json", false, "print one JSON object")
	proxyFlag := fs.String("proxies", "gradsign", "comma-separated proxies to compute, or all: "+strings.Join(proxies.Names, ","))
	raw := fs.Bool("raw", false, rawUsage)
	fs.IntVar(&req.chunk, "chunk", 2, "samples per batched pass (memory, not the result)")
	fs.IntVar(&req.workers, "workers", 0, "goroutines (default: all cores; not the result)")
	fs.Var(&req.budget, "max-memory", "refuse a request that needs more memory than this (e.g. 8GiB; default what this machine or its container has)")
	if err := parseFlags(fs, args, stdout, "usage: gradsign score [--space nb201] [--arch STRING | --index I] [flags]\n       gradsign score --space nb101 [--matrix DIGITS --ops A,B,... | --arch HASH | --index ROW] [flags]\n\nScores one architecture with GradSign on CIFAR images at initialisation."); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %s: flags only (quote the arch string)", cut(fs.Arg(0)))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	if req.format, err = cifar.FormatByName(req.dataset); err != nil {
		return nil, usageError{err}
	}
	if req.target, err = req.spaceFlags.resolve(set, req.format); err != nil {
		return nil, usageError{err}
	}
	switch onnx := req.target.space == "onnx"; {
	case !onnx && (set["init"] || set["weights-from-model"]):
		return nil, usageError{fmt.Errorf("--init and --weights-from-model choose an ONNX model's weights (--onnx FILE)")}
	case onnx && set["init"] && set["weights-from-model"]:
		return nil, usageError{fmt.Errorf("give --init (weights drawn from --seed) or --weights-from-model (the file's), not both")}
	case onnx && set["weights"] && (set["init"] || set["weights-from-model"]):
		return nil, usageError{fmt.Errorf("--weights replaces the model's weights: give it without --init or --weights-from-model")}
	case onnx && !set["init"] && !set["weights"] && set["seed"] && !set["augment"]:
		return nil, usageError{fmt.Errorf("--seed initialises the weights only with --init: an ONNX model is scored with its file's weights by default")}
	case onnx && !set["init"] && !set["weights"]:
		req.fromModel = true
	}
	if req.n < 1 {
		return nil, usageError{fmt.Errorf("--n %d: want at least 1 image", req.n)}
	}
	if req.offset < 0 {
		return nil, usageError{fmt.Errorf("--offset %d: want 0 or more", req.offset)}
	}
	if req.chunk < 0 || req.workers < 0 || req.workers > maxWorkers || req.chunk > maxChunk {
		return nil, usageError{fmt.Errorf("--chunk %d --workers %d: want 0 (the default) to %d samples and %d workers", req.chunk, req.workers, maxChunk, maxWorkers)}
	}
	for flagName, in := range map[string]string{"weights": req.weights, "data": req.data, "onnx": req.onnx} {
		if sameFile(req.saveWeights, in) {
			return nil, usageError{fmt.Errorf("--save-weights %s is the --%s file: it would overwrite the input; give another file", cut(req.saveWeights), flagName)}
		}
	}
	if req.names, err = proxies.Parse(*proxyFlag); err != nil {
		return nil, usageError{err}
	}
	if *raw {
		req.names = withRaw(req.names)
	}
	return req, nil
}

// rawUsage is --raw's help, in score and eval.
const rawUsage = "also the score as the official code computes it (gradsign_raw: the rounding noise at weights whose gradient is exactly zero counted as gradient) and those weights' count and share (structural_zeros, zero_fraction)"

// withRaw adds the official code's score and the structural-zero counts to a proxy list (--raw).
func withRaw(names []string) []string {
	for _, n := range []string{"gradsign", "gradsign_raw", "structural_zeros", "zero_fraction"} {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// images loads the data and takes n images from the offset (augmented if asked).
func (req *scoreRequest) images() ([]float32, []int, string, error) {
	set, _, err := loadImages(req.format, req.data)
	if err != nil {
		return nil, nil, "", err
	}
	var rng *rand.Rand
	if req.augment {
		rng = rand.New(rand.NewPCG(req.seed, 1))
	}
	x, labels, err := cifar.Batch[float32](set, req.offset, req.n, rng)
	if err != nil {
		return nil, nil, "", usageError{fmt.Errorf("--n %d --offset %d: %v", req.n, req.offset, err)}
	}
	dataName := "bundled " + req.format.Name
	if req.data != "" {
		dataName = req.data
	}
	return x, labels, dataName, nil
}

// checkMemory estimates the request's memory from the network's plan, before allocating it.
func (req *scoreRequest) checkMemory() error {
	plan, err := network.Plan[float32](req.target.spec)
	if err != nil {
		return usageError{err}
	}
	need, err := proxies.MemoryBytes(plan, req.n, req.names, gradsign.Options{Chunk: req.chunk, Workers: req.workers})
	if err != nil {
		return err
	}
	need += 2 * 4 * int64(plan.NumParams()) // the weights, and a copy while saving or loading
	if req.budget > 0 && need > int64(req.budget) {
		if req.target.space == "onnx" {
			in := plan.Graph.Shape(plan.Graph.Input)
			return errMemory(need, int64(req.budget), fmt.Sprintf("%s at N=%d of %s on %d×%d images", strings.Join(req.names, ","), req.n, req.target.name, in.H, in.W),
				"lower --n (or --input-size, for a model of dynamic size), leave out grasp and the mini-batch proxies, or raise --max-memory")
		}
		return errMemory(need, int64(req.budget), fmt.Sprintf("%s at N=%d of %s with %d channels, %d cells", strings.Join(req.names, ","), req.n, req.target.name, req.target.channels, req.target.cells),
			"lower --n, --channels or --cells, leave out grasp and the mini-batch proxies, or raise --max-memory")
	}
	return nil
}

// network builds the network with its weights: loaded from --weights, or initialised from the
// seed; saved to --save-weights if asked.
func (req *scoreRequest) network() (*network.Network[float32], error) {
	net, err := network.Build[float32](req.target.spec)
	if err != nil {
		return nil, usageError{err}
	}
	if req.fromModel {
		if err := net.Load(req.target.modelWeights); err != nil {
			return nil, fmt.Errorf("%s: %v", printable(req.onnx), err)
		}
	} else if req.weights != "" {
		raw, err := readCapped(req.weights, weightsLimit(net.NumParams()), "the weights of this network")
		if err != nil {
			return nil, err
		}
		f, err := safetensors.Read(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", req.weights, err)
		}
		if err := net.Load(f); err != nil {
			return nil, fmt.Errorf("%s: %v", req.weights, err)
		}
	} else {
		net.Init(req.seed)
	}
	if req.saveWeights != "" {
		meta := maps.Clone(req.target.meta)
		meta["num_classes"], meta["seed"] = fmt.Sprint(net.Classes), fmt.Sprint(req.seed)
		if err := writeWeights(req.saveWeights, net, meta); err != nil {
			return nil, err
		}
	}
	return net, nil
}

// compute runs GradSign (with its per-layer parts) and the other proxies asked for.
func (req *scoreRequest) compute(net *network.Network[float32], x []float32, labels []int) (map[string]float64, gradsign.Result, error) {
	opt := gradsign.Options{Chunk: req.chunk, Workers: req.workers, Raw: slices.Contains(req.names, "gradsign_raw")}
	var res gradsign.Result
	var err error
	// GradSign's pass gives the per-layer result, and its raw score from the same pass.
	ownPass := func(s string) bool { return s == "gradsign" || s == "gradsign_raw" }
	others := slices.DeleteFunc(slices.Clone(req.names), ownPass)
	if len(others) < len(req.names) {
		if res, err = gradsign.Score(context.Background(), net, x, labels, opt); err != nil {
			return nil, res, err
		}
	}
	values, err := proxies.Compute(context.Background(), net, x, labels, others, opt)
	if err != nil {
		return nil, res, err
	}
	for name, v := range map[string]float64{"gradsign": res.Score, "gradsign_raw": res.Raw} {
		if slices.Contains(req.names, name) {
			values[name] = v
		}
	}
	return values, res, nil
}

// writeWeights saves net's state dict with metadata that describe it (arch, seed, ...).
func writeWeights(path string, net *network.Network[float32], meta map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := safetensors.Write(f, net.StateDict(), meta); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return f.Close()
}

func printScore(w io.Writer, o scoreOutput) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "arch\t%s\n", o.Arch)
	if o.Matrix != "" {
		fmt.Fprintf(tw, "cell\t%s %s (NAS-Bench-101)\n", o.Matrix, o.Ops)
	}
	if o.Index != nil {
		fmt.Fprintf(tw, "index\t%d (%s)\n", *o.Index, map[string]string{"nb201": "NAS-Bench-201", "darts": "row of the shipped NAS-Bench-301 genotypes"}[o.Space])
	}
	for _, name := range proxies.Names {
		v, ok := o.Proxies[name]
		switch {
		case !ok || name == "params" || name == "flops":
		case v == nil:
			fmt.Fprintf(tw, "%s\tno finite value\n", name)
		default:
			switch name {
			case "gradsign", "structural_zeros":
				fmt.Fprintf(tw, "%s\t%.0f\n", name, *v)
			case "gradsign_raw":
				fmt.Fprintf(tw, "%s\t%.0f (as the official code computes it: the rounding noise of the structural zeros counted as gradient)\n", name, *v)
			default:
				fmt.Fprintf(tw, "%s\t%.6g\n", name, *v)
			}
		}
	}
	if o.AboveChance != nil {
		side := "above"
		if *o.AboveChance < 0 {
			side = "below"
		}
		fmt.Fprintf(tw, "chance\trandom signs at every weight would score %.0f (agreement %.3f at N=%d): this is %.0f %s them\n", *o.GradSign-*o.AboveChance, gradsign.Chance(o.N), o.N, math.Abs(*o.AboveChance), side)
	}
	if o.StructuralZeros != nil && *o.StructuralZeros > 0 {
		fmt.Fprintf(tw, "zeros\t%d weights given sign 0: their gradient is exactly zero (per-sample BatchNorm reached only through sums and pooling, or over a 1×1 map); the official code counts rounding noise there\n", *o.StructuralZeros)
	}
	if o.DataZeros != nil && *o.DataZeros > 0 {
		fmt.Fprintf(tw, "data zeros\t%d (sample, weight) pairs given sign 0: on those samples their gradient is exactly zero (a BatchNorm's channel whose incoming gradient is the same at every position passes back zero); the official code counts rounding noise there\n", *o.DataZeros)
	}
	fmt.Fprintf(tw, "params\t%d\n", o.Params)
	fmt.Fprintf(tw, "flops\t%.5f M\n", float64(o.FLOPs)/1e6)
	weights := fmt.Sprintf("initialised with seed %d", o.Seed)
	if o.Weights != "" {
		weights = "from " + printable(o.Weights)
	}
	for _, note := range o.Notes {
		fmt.Fprintf(tw, "note\t%s\n", note)
	}
	fmt.Fprintf(tw, "images\t%d from %d of %s; weights %s\n", o.N, o.Offset, printable(o.Data), weights)
	fmt.Fprintf(tw, "time\t%.3f s\n", o.Seconds)
	if o.Benchmark != "" {
		fmt.Fprintf(tw, "benchmark\t%s\n", o.Benchmark)
	}
	tw.Flush()
	if len(o.Layers) > 0 && o.GradSign != nil {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "layer\tweights\tscore\tshare\tagreement\tchance\tstructural zeros\tdata zeros\t\n")
		for _, l := range o.Layers {
			share, per := 0.0, 0.0
			if *o.GradSign > 0 {
				share = 100 * l.Score / *o.GradSign
			}
			if l.Weights > 0 {
				per = l.Score / float64(l.Weights) / float64(o.N) // mean |sum of signs| / n: 1 when all samples agree
			}
			chance := 0.0
			if l.Weights > 0 {
				chance = l.ChanceScore(o.N) / float64(l.Weights) / float64(o.N) // random signs' agreement
			}
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f%%\t%.3f\t%.3f\t%d\t%d\t\n", l.Name, l.Weights, l.Score, share, per, chance, l.StructuralZeros, l.DataZeros)
		}
		tw.Flush()
	}
}
