package main

import (
	"errors"
	"flag"
	"fmt"
	"gradsign/internal/capped"
	"path/filepath"
	"strconv"
	"strings"

	nb101assets "gradsign/assets/nb101"

	"gradsign/assets"
	nb301assets "gradsign/assets/nb301"
	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
	"gradsign/engine/onnx"
	"gradsign/engine/safetensors"
)

// spaceFlags are the flags that say which network to score, in every search space.
type spaceFlags struct {
	space, arch, matrix, ops, genotype string
	index                              int
	channels, cells, stacks, depth     int
	stemChannels                       int
	// An ONNX model: its file, an input size for a dynamic one, and whether to score a model
	// whose BatchNorms were folded away.
	onnx, inputSize string
	allowFolded     bool
}

// add registers the flags on fs.
func (f *spaceFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.space, "space", "nb201", "search space: nb201 (NAS-Bench-201), nb101 (NAS-Bench-101), darts (DARTS, NAS-Bench-301's network) or nds (pycls's network of the NDS cell spaces)")
	fs.StringVar(&f.arch, "arch", "", "nb201: arch string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'; nb101: a cell's hash in the shipped table")
	fs.IntVar(&f.index, "index", 0, "nb201: index 0..15624; nb101: row 0..999 of the shipped table; darts: row 0..1217 of the shipped NAS-Bench-301 genotypes (default 0 when no architecture is given)")
	fs.StringVar(&f.genotype, "genotype", "", "darts, nds: a genotype as DARTS writes it, Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...]), NAS-Bench-301's compact [[(input, op), ...], [...]], or a name pycls gives one: "+strings.Join(darts.Names(), ", "))
	fs.IntVar(&f.depth, "depth", 8, "darts, nds: number of cells (DARTS's layers; NAS-Bench-301: 8)")
	fs.StringVar(&f.matrix, "matrix", "", "nb101: the cell's adjacency as row-major digits (49 for the 7x7 form, or V² for V vertices)")
	fs.StringVar(&f.ops, "ops", "", "nb101: the vertex ops, comma-separated: the interior ones (conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3) or all with input and output")
	fs.IntVar(&f.channels, "channels", 0, "nb201: channels of the first stage (C, default 16); nb101: stem channels (default 128); darts, nds: C of the first cells (default 32, nds 16)")
	fs.IntVar(&f.cells, "cells", 0, "cells per stage (nb201's N, default 5) or per stack (nb101, default 3)")
	fs.IntVar(&f.stacks, "stacks", 3, "nb101: stacks of cells, a 2x2 max pool between them")
	fs.IntVar(&f.stemChannels, "stem-channels", 128, "nb101: the stem's channels (what --channels means there)")
	fs.StringVar(&f.onnx, "onnx", "", "score the network of an ONNX model file (exported in training mode, so that its BatchNorms remain; the space is then onnx)")
	fs.StringVar(&f.inputSize, "input-size", "", "onnx: H,W of the images for a model whose input size is dynamic (default 32,32)")
	fs.BoolVar(&f.allowFolded, "allow-folded", false, "onnx: score a model whose BatchNorms were folded into its convolutions (an eval-mode export), labelled as such")
}

// target is the network a request scores, in its space's terms.
type target struct {
	space string
	spec  graph.Spec
	// name is how outputs name it: the arch string (nb201), the cell's hash (nb101).
	name string
	// channels and cells as the space counts them (nb201: C and N; nb101: stem and cells per
	// stack).
	channels, cells int
	// meta describes it in a saved state dict.
	meta map[string]string
	// benchmark is what the space's benchmark records of it, when it is the benchmark's own
	// network; nil otherwise.
	benchmark *benchmarkFacts
	// modelWeights are an ONNX model's own weights; notes say what reading it assumed.
	modelWeights *safetensors.File
	notes        []string
}

// benchmarkFacts are a benchmark's ground truth for one network.
type benchmarkFacts struct {
	index    *int
	accuracy map[string]float64
	// says is the accuracies as a sentence.
	says string
}

// resolve checks the flags (set holds the ones given) and describes the network, for images
// of format f (its class count; 32x32).
func (f *spaceFlags) resolve(set map[string]bool, format cifar.Format) (*target, error) {
	only := func(space string, names ...string) error {
		for _, n := range names {
			if set[n] {
				return fmt.Errorf("--%s is a flag of --space %s, not of %s", n, space, f.space)
			}
		}
		return nil
	}
	if set["onnx"] || f.space == "onnx" {
		return f.onnxModel(set, format)
	}
	if err := only("onnx", "input-size", "allow-folded"); err != nil {
		return nil, err
	}
	switch f.space {
	case "nb201":
		if err := only("nb101", "matrix", "ops", "stacks", "stem-channels"); err != nil {
			return nil, err
		}
		if err := only("darts", "genotype", "depth"); err != nil {
			return nil, err
		}
		return f.nb201(set, format)
	case "nb101":
		if err := only("darts", "genotype", "depth"); err != nil {
			return nil, err
		}
		return f.nb101(set, format)
	case "darts", "nds":
		if err := only("nb101", "matrix", "ops", "stacks", "arch", "stem-channels"); err != nil {
			return nil, err
		}
		if err := only("nb201 or nb101", "cells"); err != nil {
			return nil, err
		}
		if f.space == "nds" && set["index"] {
			return nil, fmt.Errorf("--index names a row of NAS-Bench-301's genotypes (--space darts); nds takes --genotype")
		}
		return f.darts(set, format)
	}
	return nil, fmt.Errorf("--space %s: want nb201, nb101, darts, nds or onnx (with --onnx FILE)", cut(f.space))
}

func (f *spaceFlags) nb201(set map[string]bool, format cifar.Format) (*target, error) {
	var a nb201.Arch
	var err error
	switch {
	case set["arch"] && set["index"]:
		return nil, fmt.Errorf("give --arch or --index, not both")
	case set["arch"]:
		if a, err = nb201.ParseArch(f.arch); err != nil {
			return nil, err
		}
	default:
		e, err := assets.Table().At(f.index)
		if err != nil {
			return nil, fmt.Errorf("--index: %v", err)
		}
		a = e.Arch
	}
	c, n := f.given(set, "channels", 16), f.given(set, "cells", 5)
	net := &target{space: "nb201", name: a.String(), channels: c, cells: n,
		spec: nb201.Config{Arch: a, C: c, N: n, Classes: format.Classes, H: format.Side, W: format.Side},
		meta: map[string]string{"arch": a.String(), "C": fmt.Sprint(c), "N": fmt.Sprint(n)}}
	if c == 16 && n == 5 {
		e := assets.Table().Lookup(a)
		b := &benchmarkFacts{index: &e.Index, accuracy: map[string]float64{}}
		for d, name := range nb201.Datasets {
			b.accuracy[name] = e.Accuracy[d]
		}
		b.says = fmt.Sprintf("test accuracy after 200 epochs: CIFAR-10 %.2f%%, CIFAR-100 %.2f%%, ImageNet16-120 %.2f%%",
			b.accuracy["cifar10"], b.accuracy["cifar100"], b.accuracy["imagenet16"])
		net.benchmark = b
	}
	return net, nil
}

func (f *spaceFlags) nb101(set map[string]bool, format cifar.Format) (*target, error) {
	var cell nb101.Cell
	var err error
	given := 0
	for _, n := range []string{"arch", "index", "matrix"} {
		if set[n] {
			given++
		}
	}
	switch {
	case given > 1:
		return nil, fmt.Errorf("give one of --matrix (with --ops), --arch HASH or --index ROW")
	case set["stem-channels"] && set["channels"]:
		return nil, fmt.Errorf("--stem-channels and --channels are the same for nb101: give one")
	case set["matrix"] != set["ops"]:
		return nil, fmt.Errorf("--matrix and --ops go together: the adjacency and the vertex ops")
	case set["matrix"]:
		var ops []string // --ops "": no interior op (a cell of input and output)
		if f.ops != "" {
			ops = strings.Split(f.ops, ",")
		}
		if cell, err = nb101.ParseCell(f.matrix, ops); err != nil {
			return nil, err
		}
	case set["arch"]:
		e, _, ok := nb101assets.Table().Lookup(f.arch)
		if !ok {
			return nil, fmt.Errorf("--arch %s: no cell of that hash in the shipped NAS-Bench-101 table (1,000 cells): give --matrix and --ops", cut(f.arch))
		}
		cell = e.Cell
	default:
		e, err := nb101assets.Table().At(f.index)
		if err != nil {
			return nil, fmt.Errorf("--index: %v", err)
		}
		cell = e.Cell
	}
	stem := f.given(set, "channels", 128)
	if set["stem-channels"] {
		stem = f.stemChannels
	}
	cfg := nb101.Config{Cell: cell, Stem: stem, Stacks: f.stacks, CellsPerStack: f.given(set, "cells", 3),
		Classes: format.Classes, H: format.Side, W: format.Side}
	hash := cell.Hash()
	net := &target{space: "nb101", name: hash, channels: cfg.Stem, cells: cfg.CellsPerStack, spec: cfg,
		meta: map[string]string{"space": "nb101", "adjacency": cell.Matrix(), "ops": cell.OpList(), "nb101_hash": hash,
			"stem_channels": fmt.Sprint(cfg.Stem), "stacks": fmt.Sprint(cfg.Stacks), "cells_per_stack": fmt.Sprint(cfg.CellsPerStack)}}
	if e, _, ok := nb101assets.Table().Lookup(hash); ok && cfg.Stem == 128 && cfg.Stacks == 3 && cfg.CellsPerStack == 3 && format.Classes == 10 {
		net.benchmark = &benchmarkFacts{
			accuracy: map[string]float64{"valid4": e.Valid4, "valid12": e.Valid12, "valid36": e.Valid36, "valid108": e.Valid108},
			says: fmt.Sprintf("CIFAR-10 validation accuracy after 108 epochs %.2f%% (4: %.2f%%, 12: %.2f%%, 36: %.2f%%)",
				e.Valid108, e.Valid4, e.Valid12, e.Valid36),
		}
	}
	return net, nil
}

func (f *spaceFlags) darts(set map[string]bool, format cifar.Format) (*target, error) {
	var g darts.Genotype
	var err error
	switch {
	case set["genotype"] && set["index"]:
		return nil, fmt.Errorf("give --genotype or --index, not both")
	case set["genotype"]:
		if g, err = darts.Parse(f.genotype); err != nil {
			return nil, err
		}
	case f.space == "nds":
		return nil, fmt.Errorf("--space nds needs --genotype: a genotype, or a name (%s)", strings.Join(darts.Names(), ", "))
	default:
		e, err := nb301assets.Table().At(f.index)
		if err != nil {
			return nil, fmt.Errorf("--index: %v", err)
		}
		g = e.Genotype
	}
	nds := f.space == "nds"
	c := 32
	if nds {
		c = 16
	}
	cfg := darts.Config{Genotype: g, C: f.given(set, "channels", c), Layers: f.depth, Classes: format.Classes, H: format.Side, W: format.Side, NDS: nds}
	net := &target{space: f.space, name: g.String(), channels: cfg.C, cells: cfg.Layers, spec: cfg,
		meta: map[string]string{"space": f.space, "genotype": g.String(), "C": fmt.Sprint(cfg.C), "layers": fmt.Sprint(cfg.Layers)}}
	if i, ok := nb301assets.Table().Lookup(g); ok && !nds && cfg.C == 32 && cfg.Layers == 8 && format.Classes == 10 {
		e, _ := nb301assets.Table().At(i)
		net.benchmark = &benchmarkFacts{index: &i, accuracy: map[string]float64{"cifar10_valid_surrogate": e.Accuracy},
			says: fmt.Sprintf("NAS-Bench-301 row %d: CIFAR-10 validation accuracy %.2f%% (the surrogate's prediction, not a trained one)", i, e.Accuracy)}
	}
	return net, nil
}

// given is the value of the flag --channels or --cells when set, else the space's default.
func (f *spaceFlags) given(set map[string]bool, name string, def int) int {
	switch {
	case !set[name]:
		return def
	case name == "channels":
		return f.channels
	}
	return f.cells
}

// maxONNXBytes caps an ONNX file: protobuf's own limit on a message is 2 GiB, and the engine
// holds the file in memory while it reads it.
const maxONNXBytes = 1 << 30

// onnxModel reads the model of --onnx: its graph, with the file's weights.
func (f *spaceFlags) onnxModel(set map[string]bool, format cifar.Format) (*target, error) {
	for _, n := range []string{"arch", "index", "matrix", "ops", "genotype", "depth", "channels", "cells", "stacks", "stem-channels"} {
		if set[n] {
			return nil, fmt.Errorf("--%s describes a search space's network; an ONNX model is the file's", n)
		}
	}
	if set["space"] && f.space != "onnx" {
		return nil, fmt.Errorf("--onnx scores a model file (space onnx), not a network of --space %s", cut(f.space))
	}
	if f.onnx == "" {
		return nil, fmt.Errorf("--space onnx needs --onnx FILE: the model to score")
	}
	opt := onnx.Options{AllowFolded: f.allowFolded}
	if set["input-size"] {
		h, w, ok := strings.Cut(f.inputSize, ",")
		var err1, err2 error
		opt.H, err1 = strconv.Atoi(strings.TrimSpace(h))
		opt.W, err2 = strconv.Atoi(strings.TrimSpace(w))
		if !ok || err1 != nil || err2 != nil || opt.H < 1 || opt.W < 1 || opt.H > 1024 || opt.W > 1024 {
			return nil, fmt.Errorf("--input-size %s: want H,W from 1 to 1024, e.g. 32,32", cut(f.inputSize))
		}
	}
	raw, err := capped.ReadFileHead(f.onnx, maxONNXBytes, "an ONNX model", onnx.CheckHead)
	if err != nil {
		return nil, err
	}
	net, err := onnx.Read(raw, opt)
	if errors.Is(err, onnx.ErrFolded) {
		return nil, fmt.Errorf("%s: %v (--allow-folded)", printable(f.onnx), err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", printable(f.onnx), err)
	}
	name := filepath.Base(f.onnx)
	t := &target{space: "onnx", name: name, spec: net.Graph, modelWeights: net.Weights, notes: net.Notes,
		meta: map[string]string{"space": "onnx", "onnx": name}}
	if net.Folded {
		t.notes = append(t.notes, "the model's BatchNorms were folded into its convolutions (an eval-mode export): scored as it is, with no per-sample BatchNorm, unlike GradSign's setting")
	}
	return t, nil
}
