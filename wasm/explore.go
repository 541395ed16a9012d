package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gradsign/engine/csvtable"
	"gradsign/engine/nb201"
	"gradsign/engine/stats"
)

// The proxy explorer: any shipped proxy against the benchmark's accuracy, on the whole space
// (GradSign, N=128) or on the 1,000-architecture sample (every proxy, N=128: the score file
// results/eval_cifar10_sample1000_n128_seed0.csv, shipped as is), as values or as ranks, and
// what taking the top k by it would give.

// sampleRow is one architecture of the sample: its NAS-Bench-201 index and every proxy.
type sampleRow struct {
	Index  int
	Values map[string]float64
}

// loadSample takes the sample's score file (index, arch, then a column per proxy; NaN where
// a proxy has no finite value). It is read here with csvtable rather than the CLI's
// scorefile, which would bring the CLI's embedded assets into the wasm binary.
func (s *session) loadSample(data []byte) error {
	t, err := csvtable.Open(bytes.NewReader(data), "sample1000.csv", "index", "arch")
	if err != nil {
		return err
	}
	var names []string
	for _, c := range t.Columns() {
		if c != "index" && c != "arch" {
			names = append(names, c)
		}
	}
	var rows []sampleRow
	for {
		ok, err := t.Next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		r := sampleRow{Values: map[string]float64{}}
		if r.Index, err = t.Int("index"); err != nil {
			return err
		}
		if r.Index < 0 || r.Index >= nb201.NumArchs {
			return t.Errorf("index %d: want 0 to %d", r.Index, nb201.NumArchs-1)
		}
		for _, name := range names {
			if r.Values[name], err = t.Float(name); err != nil {
				return err
			}
		}
		rows = append(rows, r)
	}
	s.sample, s.sampleNames = rows, names
	return nil
}

// exploreRequest: Proxy a name of the sample's file, or "space" for the whole space's
// GradSign; Dataset one of nb201.Datasets; Ranks plots ranks (1 the lowest) instead of values;
// K the top k to take (1 to the architectures).
type exploreRequest struct {
	Proxy   string `json:"proxy"`
	Dataset string `json:"dataset"`
	Ranks   bool   `json:"ranks"`
	K       int    `json:"k"`
}

// exploreView is what the page plots and says: the points sorted by x (Index the
// NAS-Bench-201 index of each), Positive whether every x is above 0 (a log axis is possible),
// Spearman's rho, and the top k.
type exploreView struct {
	Proxy         string    `json:"proxy"`
	Architectures int       `json:"architectures"`
	NonFinite     int       `json:"nonFinite"`
	Index         []int     `json:"index"`
	X             []float64 `json:"x"`
	Y             []float64 `json:"y"`
	Positive      bool      `json:"positive"`
	Spearman      float64   `json:"spearman"`
	Top           topK      `json:"top"`
}

// topK is what the k architectures the proxy ranks highest reach (their mean and best
// accuracy), beside the k truly best (their mean) and the mean of all, which k drawn at random
// reach on average.
type topK struct {
	K           int     `json:"k"`
	Mean        float64 `json:"mean"`
	Best        float64 `json:"best"`
	BestK       float64 `json:"bestK"`
	AllMean     float64 `json:"allMean"`
	BestOverall float64 `json:"bestOverall"`
}

func (s *session) explore(req exploreRequest) (exploreView, error) {
	d := slices.Index(nb201.Datasets[:], req.Dataset)
	if d < 0 {
		return exploreView{}, fmt.Errorf("dataset %q: want one of %v", req.Dataset, nb201.Datasets)
	}
	var index []int
	var x []float64
	v := exploreView{Proxy: req.Proxy}
	switch {
	case req.Proxy == "space":
		if s.space == nil {
			return v, errors.New("no whole-space scores loaded (assets/nb201_space.bin)")
		}
		for i, g := range s.space.Values {
			if !math.IsNaN(float64(g)) {
				index, x = append(index, i), append(x, float64(g))
			}
		}
	case s.sample == nil:
		return v, errors.New("the 1,000-architecture sample is not loaded (assets/sample1000.csv)")
	case !slices.Contains(s.sampleNames, req.Proxy):
		return v, fmt.Errorf("proxy %q: the sample has %v, or \"space\" for the whole space's GradSign", req.Proxy, s.sampleNames)
	default:
		for _, r := range s.sample {
			val := r.Values[req.Proxy]
			if math.IsNaN(val) || math.IsInf(val, 0) {
				v.NonFinite++
				continue
			}
			index, x = append(index, r.Index), append(x, val)
		}
	}
	if req.K < 1 || req.K > len(x) {
		return v, fmt.Errorf("k %d: want 1 to %d (the architectures with a finite %s)", req.K, len(x), req.Proxy)
	}
	y := make([]float64, len(x))
	for i, idx := range index {
		e, err := s.table.At(idx)
		if err != nil {
			return v, err
		}
		y[i] = e.Accuracy[d]
	}
	v.Architectures, v.Spearman = len(x), stats.Spearman(x, y)
	// One order for the plot and the top k (ranks keep it: ties get one rank): the k taken are
	// the plot's last k points, ties included as the plot has them.
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	v.Top = topOf(order[len(order)-req.K:], y)
	if req.Ranks {
		x, y = stats.Ranks(x), stats.Ranks(y)
	}
	v.Positive = true
	for _, i := range order {
		v.Index, v.X, v.Y = append(v.Index, index[i]), append(v.X, x[i]), append(v.Y, y[i])
		v.Positive = v.Positive && x[i] > 0
	}
	return v, nil
}

// topOf is what the architectures top (the k the proxy ranks highest) reach in accuracy y,
// beside the k truly best and all.
func topOf(top []int, y []float64) topK {
	k := len(top)
	t := topK{K: k, Best: math.Inf(-1)}
	for _, i := range top {
		t.Mean += y[i] / float64(k)
		t.Best = math.Max(t.Best, y[i])
	}
	best := slices.Sorted(slices.Values(y))
	slices.Reverse(best)
	for _, v := range best[:k] {
		t.BestK += v / float64(k)
	}
	for _, v := range y {
		t.AllMean += v / float64(len(y))
	}
	t.BestOverall = best[0]
	return t
}
