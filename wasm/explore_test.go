package main

import (
	"math"
	"os"
	"strings"
	"testing"

	"gradsign/engine/stats"
)

// TestExplore: the explorer on the shipped sample and whole space: points sorted by x with
// their accuracies, rho as stats computes it, the top k by hand, ranks in place of values, a
// log axis only for positive proxies, and bad requests refused.
func TestExplore(t *testing.T) {
	s := testSession(t)
	csv, err := os.ReadFile("../results/eval_cifar10_sample1000_n128_seed0.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.explore(exploreRequest{Proxy: "snip", Dataset: "cifar10", K: 10}); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Fatalf("before the sample is loaded: %v", err)
	}
	if err := s.loadSample(csv); err != nil {
		t.Fatal(err)
	}
	v, err := s.explore(exploreRequest{Proxy: "synflow", Dataset: "cifar10", K: 10})
	if err != nil {
		t.Fatal(err)
	}
	// synflow is 0 for a cell no gradient crosses: no log axis.
	if v.Architectures != 1000 || len(v.X) != 1000 || v.Positive || math.Abs(v.Spearman-0.7636) > 1e-3 {
		t.Fatalf("synflow: %d architectures, positive %v, rho %v", v.Architectures, v.Positive, v.Spearman)
	}
	if math.Abs(v.Spearman-stats.Spearman(v.X, v.Y)) > 1e-12 {
		t.Fatal("rho is not the points'")
	}
	// The top 10: the last 10 points (sorted ascending), their accuracies.
	mean, best := 0.0, 0.0
	for _, y := range v.Y[990:] {
		mean += y / 10
		best = math.Max(best, y)
	}
	if math.Abs(v.Top.Mean-mean) > 1e-9 || v.Top.Best != best || v.Top.BestK < v.Top.Mean || v.Top.AllMean > v.Top.Mean || v.Top.BestOverall < v.Top.Best {
		t.Fatalf("top 10 %+v, by hand mean %v best %v", v.Top, mean, best)
	}
	e, _ := s.table.At(v.Index[999])
	if v.Y[999] != e.Accuracy[0] {
		t.Fatalf("index %d: accuracy %v, the table's %v", v.Index[999], v.Y[999], e.Accuracy[0])
	}
	r, _ := s.explore(exploreRequest{Proxy: "synflow", Dataset: "cifar10", Ranks: true, K: 10})
	if r.X[0] < 1 || r.X[999] != 1000 || r.Top != v.Top || r.Spearman != v.Spearman {
		t.Fatalf("ranks: x from %v to %v, top %+v", r.X[0], r.X[999], r.Top)
	}
	p, _ := s.explore(exploreRequest{Proxy: "params", Dataset: "cifar10", K: 25})
	if !p.Positive {
		t.Error("params: no log axis")
	}
	// params ties (cells of one size): the top k are still the plot's last k points.
	mean = 0
	for _, y := range p.Y[1000-25:] {
		mean += y / 25
	}
	if p.X[1000-25] != p.X[1000-26] || math.Abs(p.Top.Mean-mean) > 1e-9 {
		t.Fatalf("params' top 25: mean %v, the last 25 points' %v (tie at the boundary: %v)", p.Top.Mean, mean, p.X[1000-25] == p.X[1000-26])
	}
	j, _ := s.explore(exploreRequest{Proxy: "jacob_cov", Dataset: "cifar10", K: 5})
	if j.NonFinite != 18 || j.Architectures != 982 || j.Positive {
		t.Fatalf("jacob_cov: %d non-finite, %d architectures, positive %v", j.NonFinite, j.Architectures, j.Positive)
	}
	for _, bad := range []exploreRequest{{Proxy: "nope", Dataset: "cifar10", K: 1}, {Proxy: "snip", Dataset: "mnist", K: 1}, {Proxy: "snip", Dataset: "cifar10", K: 0}, {Proxy: "snip", Dataset: "cifar10", K: 1001}} {
		if _, err := s.explore(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	data, _ := os.ReadFile("../assets/nb201_space.bin")
	if err := s.loadSpace(data); err != nil {
		t.Fatal(err)
	}
	w, err := s.explore(exploreRequest{Proxy: "space", Dataset: "cifar100", K: 50})
	if err != nil || w.Architectures != 15625 || w.Top.K != 50 {
		t.Fatalf("whole space: %d, %+v, %v", w.Architectures, w.Top, err)
	}
}
