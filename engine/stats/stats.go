// Package stats measures how well a proxy ranks architectures: Spearman's rho, Kendall's tau-b
// (ties handled as scipy.stats.kendalltau does by default) and the precision of the top 10%.
//
// Scores that are not finite (NaN, ±Inf: a constant Jacobian's jacob_cov, a singular naswot
// kernel) rank below every finite score, tied with each other: they mark degenerate networks.
package stats

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// key maps a score to a sortable value: non-finite scores go below every finite one.
func key(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return math.Inf(-1)
	}
	return v
}

// Ranks returns the average ranks (1-based; ties share the mean of their positions).
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(x[idx[a]]) < key(x[idx[b]]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && key(x[idx[j+1]]) == key(x[idx[i]]) {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// Spearman is Pearson's correlation of the average ranks, NaN when either side is constant. It
// panics if the lengths differ.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("stats: Spearman of slices of different lengths")
	}
	return pearson(Ranks(x), Ranks(y))
}

// pearson is Pearson's correlation coefficient (gonum's stat.Correlation computes the same;
// importing it would bring gonum's matrices into the web app's wasm build, 44 KB after gzip).
func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

// KendallTauB is Kendall's tau-b (gonum's stat.Kendall is tau-a, which ignores ties):
// (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)), n0 the pair count and n1, n2 the pairs
// tied in x and in y. Knight's algorithm, O(n log n): sort by x then y, and the discordant pairs
// are the swaps a merge sort by y makes (the whole NAS-Bench-201 space took 1.3 s a proxy by
// comparing every pair). It panics if the lengths differ.
func KendallTauB(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("stats: Kendall of slices of different lengths")
	}
	type pair struct{ x, y float64 }
	p := make([]pair, len(x))
	for i := range x {
		p[i] = pair{key(x[i]), key(y[i])}
	}
	slices.SortFunc(p, func(a, b pair) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		return cmp.Compare(a.y, b.y)
	})
	// tiedPairs counts the pairs within runs of equal values that same says are equal.
	tiedPairs := func(same func(i int) bool) float64 {
		var pairs, run float64
		for i := 1; i < len(p); i++ {
			if same(i) {
				run++
				pairs += run
			} else {
				run = 0
			}
		}
		return pairs
	}
	tieX := tiedPairs(func(i int) bool { return p[i].x == p[i-1].x })
	tieXY := tiedPairs(func(i int) bool { return p[i] == p[i-1] })
	ys := make([]float64, len(p))
	for i := range p {
		ys[i] = p[i].y
	}
	disc := mergeCountingSwaps(ys, make([]float64, len(ys)))
	tieY := tiedPairs(func(i int) bool { return ys[i] == ys[i-1] })
	n := float64(len(x))
	n0 := n * (n - 1) / 2
	return (n0 - tieX - tieY + tieXY - 2*disc) / math.Sqrt((n0-tieX)*(n0-tieY))
}

// mergeCountingSwaps sorts v (stably, with tmp of its length as scratch) and returns how many
// pairs i < j had v[i] > v[j]: the swaps of a bubble sort.
func mergeCountingSwaps(v, tmp []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m := len(v) / 2
	swaps := mergeCountingSwaps(v[:m], tmp[:m]) + mergeCountingSwaps(v[m:], tmp[m:])
	i, j, k := 0, m, 0
	for i < m && j < len(v) {
		if v[j] < v[i] {
			tmp[k] = v[j]
			swaps += float64(m - i)
			j++
		} else {
			tmp[k] = v[i]
			i++
		}
		k++
	}
	k += copy(tmp[k:], v[i:m])
	copy(tmp[k:], v[j:])
	copy(v, tmp)
	return swaps
}

// TopPrecision is the share of the true top fraction (by truth) that the predicted top
// fraction (by pred) contains: |top(pred) ∩ top(truth)| / k, k = ceil(fraction·n).
func TopPrecision(pred, truth []float64, fraction float64) float64 {
	n := len(pred)
	k := int(math.Ceil(fraction * float64(n)))
	if k == 0 {
		return math.NaN()
	}
	top := func(v []float64) []int {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return key(v[idx[a]]) > key(v[idx[b]]) })
		t := idx[:k]
		slices.Sort(t)
		return t
	}
	p, t := top(pred), top(truth)
	hit := 0
	for _, i := range p {
		if _, ok := slices.BinarySearch(t, i); ok {
			hit++
		}
	}
	return float64(hit) / float64(k)
}

// Quantile is the p-quantile (0 ≤ p ≤ 1) of sorted, a non-empty ascending slice, interpolated
// linearly between the two nearest ranks as numpy.quantile does by default: the value at
// position (n−1)·p. (gonum's stat.Quantile would do, but it brings gonum's matrix code into
// the wasm binary: 45 KB after gzip.)
func Quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// BootstrapInterval is the percentile bootstrap's 95% interval of stat(pred, truth): reps
// resamples of the (pred, truth) pairs with replacement, drawn from seed, and the 2.5% and
// 97.5% quantiles of the statistic over them (resamples where it is NaN left out; NaN, NaN when
// all are).
func BootstrapInterval(pred, truth []float64, stat func(pred, truth []float64) float64, reps int, seed uint64) (lo, hi float64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	n := len(pred)
	p, t := make([]float64, n), make([]float64, n)
	var values []float64
	for range reps {
		for i := range n {
			k := rng.IntN(n)
			p[i], t[i] = pred[k], truth[k]
		}
		if v := stat(p, t); !math.IsNaN(v) {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(values)
	return Quantile(values, 0.025), Quantile(values, 0.975)
}
