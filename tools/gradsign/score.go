package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/matmul"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/proxies"
	"gradsign/engine/safetensors"
)

// scoreOutput is what `gradsign score --json` prints.
type scoreOutput struct {
	Arch     string   `json:"arch"`
	Index    *int     `json:"index,omitempty"` // NAS-Bench-201 index, for C=16 N=5 networks
	GradSign *float64 `json:"gradsign,omitempty"`
	Params   int      `json:"params"`
	// FLOPs is NAS-Bench-201's count for one image (multiply-accumulates of Conv2d and
	// Linear, plus bias adds); NAS-Bench-201 reports it divided by 1e6.
	FLOPs    int     `json:"flops"`
	N        int     `json:"n"`
	Offset   int     `json:"offset"`
	Seed     uint64  `json:"seed"`
	Dataset  string  `json:"dataset"`
	Data     string  `json:"data"`
	Weights  string  `json:"weights,omitempty"`
	Augment  bool    `json:"augment,omitempty"`
	Channels int     `json:"channels"`
	Cells    int     `json:"cells"`
	Seconds  float64 `json:"seconds"`
	// Backend and Kernel say what computed the score: the engine backend and its float32
	// matrix kernel (matmul.KernelName).
	Backend  string             `json:"backend"`
	Kernel   string             `json:"kernel"`
	Accuracy map[string]float64 `json:"accuracy,omitempty"` // benchmark test accuracy, percent
	Layers   []gradsign.Layer   `json:"layers,omitempty"`
	// Proxies holds every proxy asked for (gradsign included), null where it has no finite
	// value (a constant Jacobian's jacob_cov, a singular naswot kernel).
	Proxies map[string]*float64 `json:"proxies"`
}

// finite returns &v, or nil for NaN and ±Inf, which JSON cannot hold.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func score(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gradsign score", flag.ContinueOnError)
	archFlag := fs.String("arch", "", "NAS-Bench-201 arch string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'")
	index := fs.Int("index", -1, "NAS-Bench-201 index 0..15624 (default 0 when --arch is not given)")
	n := fs.Int("n", 128, "number of images (the official NAS-Bench-201 setting is 128)")
	offset := fs.Int("offset", 0, "first image")
	seed := fs.Uint64("seed", 0, "seed of the weight initialisation (and of --augment)")
	dataset := fs.String("dataset", "cifar10", "cifar10 or cifar100: record format and class count")
	data := fs.String("data", "", "CIFAR binary batch file (default: the bundled images of --dataset)")
	weights := fs.String("weights", "", "safetensors file of NAS-Bench-201-named weights to use instead of initialising")
	channels := fs.Int("channels", 16, "channels of the first stage (NAS-Bench-201's C)")
	cells := fs.Int("cells", 5, "cells per stage (NAS-Bench-201's N)")
	augment := fs.Bool("augment", false, "randomly crop (4-pixel padding) and flip the images, seeded by --seed")
	saveWeights := fs.String("save-weights", "", "write the network's weights (NAS-Bench-201 names, safetensors) to this file")
	layersFlag := fs.Bool("layers", false, "print each weight layer's contribution")
	jsonFlag := fs.Bool("json", false, "print one JSON object")
	proxyFlag := fs.String("proxies", "gradsign", "comma-separated proxies to compute, or all: "+strings.Join(proxies.Names, ","))
	chunk := fs.Int("chunk", 2, "samples per batched pass (memory, not the result)")
	workers := fs.Int("workers", 0, "goroutines (default: all cores; not the result)")
	if err := parseFlags(fs, args, stdout, "usage: gradsign score [--arch STRING | --index I] [flags]\n\nScores one architecture with GradSign on CIFAR images at initialisation."); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q: flags only (quote the arch string)", fs.Arg(0))}
	}

	table := assets.Table()
	var arch nb201.Arch
	switch {
	case *archFlag != "" && *index >= 0:
		return usageError{fmt.Errorf("give --arch or --index, not both")}
	case *archFlag != "":
		a, err := nb201.ParseArch(*archFlag)
		if err != nil {
			return usageError{err}
		}
		arch = a
	default:
		if *index < 0 {
			*index = 0
		}
		e, err := table.At(*index)
		if err != nil {
			return usageError{err}
		}
		arch = e.Arch
	}
	format, err := cifar.FormatByName(*dataset)
	if err != nil {
		return usageError{err}
	}
	if *n < 1 {
		return usageError{fmt.Errorf("--n %d: want at least 1 image", *n)}
	}
	names, err := proxies.Parse(*proxyFlag)
	if err != nil {
		return usageError{err}
	}

	set, err := loadImages(format, *data)
	if err != nil {
		return err
	}
	dataName := "bundled " + format.Name
	if *data != "" {
		dataName = *data
	}
	var rng *rand.Rand
	if *augment {
		rng = rand.New(rand.NewPCG(*seed, 1))
	}
	x, labels, err := cifar.Batch[float32](set, *offset, *n, rng)
	if err != nil {
		return usageError{fmt.Errorf("--n %d --offset %d: %v", *n, *offset, err)}
	}

	cfg := network.Config{Arch: arch, C: *channels, N: *cells, Classes: format.Classes, H: cifar.Side, W: cifar.Side}
	net, err := network.Build[float32](cfg)
	if err != nil {
		return usageError{err}
	}
	if *weights != "" {
		raw, err := os.ReadFile(*weights)
		if err != nil {
			return err
		}
		f, err := safetensors.Read(raw)
		if err != nil {
			return fmt.Errorf("%s: %v", *weights, err)
		}
		if err := net.Load(f); err != nil {
			return fmt.Errorf("%s: %v", *weights, err)
		}
	} else {
		net.Init(*seed)
	}

	if *saveWeights != "" {
		if err := writeWeights(*saveWeights, net, *seed); err != nil {
			return err
		}
	}

	start := time.Now()
	opt := gradsign.Options{Chunk: *chunk, Workers: *workers}
	var res gradsign.Result
	if slices.Contains(names, "gradsign") {
		if res, err = gradsign.Score(context.Background(), net, x, labels, opt); err != nil {
			return err
		}
	}
	others := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "gradsign" })
	values, err := proxies.Compute(context.Background(), net, x, labels, others, opt)
	if err != nil {
		return err
	}
	out := scoreOutput{
		Arch: arch.String(), Params: net.NumParams(), FLOPs: net.FLOPs(), Proxies: map[string]*float64{},
		N: *n, Offset: *offset, Seed: *seed, Dataset: format.Name, Data: dataName, Weights: *weights,
		Augment: *augment, Channels: *channels, Cells: *cells, Seconds: time.Since(start).Seconds(),
		Backend: "cpu", Kernel: matmul.KernelName(),
	}
	if slices.Contains(names, "gradsign") {
		out.GradSign = &res.Score
		values["gradsign"] = res.Score
	}
	for _, name := range names {
		out.Proxies[name] = finite(values[name])
	}
	if *channels == 16 && *cells == 5 {
		e := table.Lookup(arch)
		out.Index = &e.Index
		out.Accuracy = map[string]float64{}
		for d, name := range nb201.Datasets {
			out.Accuracy[name] = e.Accuracy[d]
		}
	}
	if *layersFlag {
		out.Layers = res.Layers
	}
	if *jsonFlag {
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	printScore(stdout, out)
	return nil
}

// writeWeights saves net's state dict with its arch and seed as metadata.
func writeWeights(path string, net *network.Network[float32], seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	meta := map[string]string{"arch": net.Arch.String(), "C": fmt.Sprint(net.C), "N": fmt.Sprint(net.N),
		"num_classes": fmt.Sprint(net.Classes), "seed": fmt.Sprint(seed)}
	if err := safetensors.Write(f, net.StateDict(), meta); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return f.Close()
}

func printScore(w io.Writer, o scoreOutput) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "arch\t%s\n", o.Arch)
	if o.Index != nil {
		fmt.Fprintf(tw, "index\t%d (NAS-Bench-201)\n", *o.Index)
	}
	for _, name := range proxies.Names {
		v, ok := o.Proxies[name]
		switch {
		case !ok || name == "params" || name == "flops":
		case v == nil:
			fmt.Fprintf(tw, "%s\tno finite value\n", name)
		default:
			format := "%s\t%.6g\n"
			if name == "gradsign" {
				format = "%s\t%.0f\n"
			}
			fmt.Fprintf(tw, format, name, *v)
		}
	}
	fmt.Fprintf(tw, "params\t%d\n", o.Params)
	fmt.Fprintf(tw, "flops\t%.5f M\n", float64(o.FLOPs)/1e6)
	weights := fmt.Sprintf("initialised with seed %d", o.Seed)
	if o.Weights != "" {
		weights = "from " + o.Weights
	}
	fmt.Fprintf(tw, "images\t%d from %d of %s; weights %s\n", o.N, o.Offset, o.Data, weights)
	fmt.Fprintf(tw, "time\t%.3f s\n", o.Seconds)
	if o.Accuracy != nil {
		fmt.Fprintf(tw, "benchmark\ttest accuracy after 200 epochs: CIFAR-10 %.2f%%, CIFAR-100 %.2f%%, ImageNet16-120 %.2f%%\n",
			o.Accuracy["cifar10"], o.Accuracy["cifar100"], o.Accuracy["imagenet16"])
	}
	tw.Flush()
	if len(o.Layers) > 0 && o.GradSign != nil {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "layer\tweights\tscore\tshare\tagreement\t\n")
		for _, l := range o.Layers {
			share, per := 0.0, 0.0
			if *o.GradSign > 0 {
				share = 100 * l.Score / *o.GradSign
			}
			if l.Weights > 0 {
				per = l.Score / float64(l.Weights) / float64(o.N) // mean |sum of signs| / n: 1 when all samples agree
			}
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f%%\t%.3f\t\n", l.Name, l.Weights, l.Score, share, per)
		}
		tw.Flush()
	}
}
