package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	nb101assets "gradsign/assets/nb101"
	nb301assets "gradsign/assets/nb301"
	"gradsign/engine/darts"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/network"
	"gradsign/engine/refset"
	"gradsign/engine/stats"
	"gradsign/internal/scorefile"
)

// spaceResults are the results files the page's other spaces are plotted from.
var spaceResults = map[string]string{
	"nb101": "results/nb101/nb101_all_stem16_cifar10_n32_seed0.csv",
	"darts": "results/nb301/nb301_sample150_c16_cifar10_n32_seed0.csv",
}

// spaceReferences reads each results file with its settings and joins every row with its
// benchmark entry: the accuracy, and the parameter count of the network the row scored.
func spaceReferences() (map[string]*refset.Space, error) {
	refs := map[string]*refset.Space{}
	for space, path := range spaceResults {
		ref, err := spaceReference(space, path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		refs[space] = ref
	}
	return refs, nil
}

func spaceReference(space, path string) (*refset.Space, error) {
	settings, err := scorefile.ReadSettings(path)
	if err != nil {
		return nil, err
	}
	rows, _, err := scorefile.Read(path)
	if err != nil {
		return nil, err
	}
	if settings.Space != space || settings.Dataset != "cifar10" {
		return nil, fmt.Errorf("settings say space %q on %s, want %s on cifar10", settings.Space, settings.Dataset, space)
	}
	width, err := strconv.Atoi(settings.Network[strings.LastIndexByte(settings.Network, ' ')+1:])
	if err != nil {
		return nil, fmt.Errorf("network %q: want \"stem C\" or \"C C\"", settings.Network)
	}
	ref := &refset.Space{Results: path, Network: settings.Network, Channels: width, N: settings.N, Seed: settings.Seed}
	var score, params, acc []float64
	for _, r := range rows {
		p := refset.SpacePoint{Row: r.Index, Score: r.Values["gradsign"]}
		var spec graph.Spec
		switch space {
		case "nb101":
			ref.Metric = "CIFAR-10 validation accuracy after 108 epochs (NAS-Bench-101)"
			e, err := nb101assets.Table().At(r.Index)
			if err != nil {
				return nil, err
			}
			p.Accuracy = e.Valid108
			cfg := nb101.CIFAR10(e.Cell)
			cfg.Stem = width
			spec = cfg
		case "darts":
			ref.Metric = "CIFAR-10 validation accuracy, NAS-Bench-301's surrogate prediction"
			e, err := nb301assets.Table().At(r.Index)
			if err != nil {
				return nil, err
			}
			p.Accuracy = e.Accuracy
			cfg := darts.NB301(e.Genotype)
			cfg.C = width
			spec = cfg
		}
		plan, err := network.Plan[float32](spec)
		if err != nil {
			return nil, err
		}
		p.Params = plan.NumParams()
		if math.IsNaN(p.Score) {
			return nil, fmt.Errorf("row %d has no gradsign", r.Index)
		}
		ref.Points = append(ref.Points, p)
		score, params, acc = append(score, p.Score), append(params, float64(p.Params)), append(acc, p.Accuracy)
	}
	slices.SortStableFunc(ref.Points, func(a, b refset.SpacePoint) int {
		return cmp.Or(cmp.Compare(a.Score, b.Score), a.Row-b.Row)
	})
	ref.Spearman = map[string]float64{"gradsign": stats.Spearman(score, acc), "params": stats.Spearman(params, acc)}
	return ref, nil
}
