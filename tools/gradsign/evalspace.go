package main

import (
	"fmt"
	nb101assets "gradsign/assets/nb101"
	"slices"
	"strings"

	"gradsign/assets"
	nb301assets "gradsign/assets/nb301"
	swapassets "gradsign/assets/swap"
	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
)

// evalSpace is what eval needs of a benchmark: its architectures by index, each one's network,
// and the accuracies to rank against.
type evalSpace struct {
	name string
	// what names its architectures in messages ("NAS-Bench-201 architectures", ...).
	what string
	size int
	// datasets are the accuracies it ranks against, by --dataset name; against says which
	// accuracy in words.
	datasets []string
	against  string
	// arch is architecture i's arch column in score files; spec its network for images of
	// format f (their size and classes) and `channels` channels (0: the benchmark's).
	arch     func(i int) string
	spec     func(i int, f cifar.Format, channels int) graph.Spec
	accuracy func(i int, dataset string) float64
	// naslib, where the shipped table has them, is NASLib's published value of a proxy (by
	// this tool's name) for architecture i.
	naslib func(i int, proxy string) (float64, bool)
}

// naslibNames maps this tool's proxy names to NASLib's.
var naslibNames = map[string]string{"grad_norm": "grad_norm", "snip": "snip", "grasp": "grasp", "fisher": "fisher",
	"synflow": "synflow", "jacob_cov": "jacov", "naswot": "nwot", "plain": "plain", "params": "params", "flops": "flops"}

// evalSpaces are the spaces eval scores.
var evalSpaces = map[string]*evalSpace{
	"nb201": {
		name: "nb201", what: "NAS-Bench-201 architectures", size: nb201.NumArchs,
		datasets: nb201.Datasets[:], against: "200-epoch test accuracy",
		arch: func(i int) string { e, _ := assets.Table().At(i); return e.Arch.String() },
		spec: func(i int, f cifar.Format, channels int) graph.Spec {
			e, _ := assets.Table().At(i)
			return nb201.Config{Arch: e.Arch, C: orBenchmark(channels, 16), N: 5, Classes: f.Classes, H: f.Side, W: f.Side}
		},
		accuracy: func(i int, dataset string) float64 {
			e, _ := assets.Table().At(i)
			return e.Accuracy[slices.Index(nb201.Datasets[:], dataset)]
		},
	},
	"nb101": {
		name: "nb101", what: "NAS-Bench-101 cells", size: 1000,
		datasets: []string{"cifar10"}, against: "108-epoch CIFAR-10 validation accuracy",
		arch: func(i int) string { e, _ := nb101assets.Table().At(i); return e.Hash },
		spec: func(i int, f cifar.Format, channels int) graph.Spec {
			e, _ := nb101assets.Table().At(i)
			c := nb101.CIFAR10(e.Cell)
			c.Stem, c.Classes, c.H, c.W = orBenchmark(channels, 128), f.Classes, f.Side, f.Side
			return c
		},
		accuracy: func(i int, _ string) float64 { e, _ := nb101assets.Table().At(i); return e.Valid108 },
	},
	"darts": func() *evalSpace {
		s := dartsSpace("darts", "NAS-Bench-301 genotypes", 1218, "NAS-Bench-301's surrogate CIFAR-10 validation accuracy", nb301assets.Table, 32)
		s.naslib = func(i int, proxy string) (float64, bool) {
			e, _ := nb301assets.Table().At(i)
			v, ok := e.NASLib[naslibNames[proxy]]
			return v, ok
		}
		return s
	}(),
	// SWAP does not say the width it trained at; C = 16 is the width its accuracies suggest (far
	// below DARTS's at C = 36) and the one the NAS-Bench-301 table is compared at.
	"swap": dartsSpace("swap", "SWAP's DARTS genotypes", 1000, "CIFAR-10 validation accuracy after training (SWAP, ICLR 2024)", swapassets.Table, 16),
}

// dartsSpace is a shipped table of size DARTS genotypes as a space: DARTS's NetworkCIFAR of each
// genotype, C channels unless --channels, ranked against the table's CIFAR-10 accuracy. The
// table is read when first used, not at start-up.
func dartsSpace(name, what string, size int, against string, table func() *darts.Table, c int) *evalSpace {
	return &evalSpace{
		name: name, what: what, size: size, datasets: []string{"cifar10"}, against: against,
		arch: func(i int) string { e, _ := table().At(i); return e.Genotype.String() },
		spec: func(i int, f cifar.Format, channels int) graph.Spec {
			e, _ := table().At(i)
			cfg := darts.NB301(e.Genotype)
			cfg.C, cfg.Classes, cfg.H, cfg.W = orBenchmark(channels, c), f.Classes, f.Side, f.Side
			return cfg
		},
		accuracy: func(i int, _ string) float64 { e, _ := table().At(i); return e.Accuracy },
	}
}

// spaceOf returns a space by its --space name.
func spaceOf(name string) (*evalSpace, error) {
	s, ok := evalSpaces[name]
	if !ok {
		return nil, fmt.Errorf("--space %s: want nb201, nb101, darts or swap", cut(name))
	}
	return s, nil
}

// checkDataset says whether the space ranks against a dataset's accuracy.
func (s *evalSpace) checkDataset(dataset string) error {
	if !slices.Contains(s.datasets, dataset) {
		return fmt.Errorf("--dataset %s: --space %s ranks against %s of %s", cut(dataset), s.name, s.against, strings.Join(s.datasets, ", "))
	}
	return nil
}

func orBenchmark(channels, def int) int {
	if channels == 0 {
		return def
	}
	return channels
}
