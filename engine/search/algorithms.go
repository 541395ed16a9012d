package search

import (
	"math"
	"slices"

	"gradsign/engine/nb201"
)

// Random is random search: train uniformly drawn architectures until the budget is spent.
func Random(b Bench, cfg Config) (Result, error) {
	r, err := newRun(b, cfg)
	if err != nil {
		return Result{}, err
	}
	for {
		idx, err := r.propose(func() int { return b.Index(randomArch(cfg.Rand)) })
		if err != nil {
			return r.done(err)
		}
		if _, err := r.train(idx); err != nil {
			return r.done(err)
		}
	}
}

// REA is regularized evolution (Real et al., 2019) as AutoDL's R_EA runs it: a population of
// Population (default 10) random architectures; then, until the budget is spent, a tournament
// of Tournament (default 3) drawn from the population, a one-edge mutation of its winner
// trained and added, and the oldest member removed (aging).
func REA(b Bench, cfg Config, population, tournament int) (Result, error) {
	if population < 1 {
		population = 10
	}
	if tournament < 1 {
		tournament = 3
	}
	r, err := newRun(b, cfg)
	if err != nil {
		return Result{}, err
	}
	type member struct {
		index   int
		fitness float64
	}
	var pop []member
	for len(pop) < population {
		idx, err := r.propose(func() int { return b.Index(randomArch(cfg.Rand)) })
		if err != nil {
			return r.done(err)
		}
		f, err := r.train(idx)
		if err != nil {
			return r.done(err)
		}
		pop = append(pop, member{idx, f})
	}
	for {
		winner := pop[cfg.Rand.IntN(len(pop))]
		for range tournament - 1 {
			if m := pop[cfg.Rand.IntN(len(pop))]; m.fitness > winner.fitness {
				winner = m
			}
		}
		parent := b.Arch(winner.index)
		idx, err := r.propose(func() int { return b.Index(mutate(parent, cfg.Rand)) })
		if err != nil {
			return r.done(err)
		}
		f, err := r.train(idx)
		if err != nil {
			return r.done(err)
		}
		pop = append(pop[1:], member{idx, f})
	}
}

// REINFORCE is policy-gradient search as AutoDL's REINFORCE runs it on NAS-Bench-201: a softmax
// policy over the 5 operations of each of the 6 edges, sampled to propose an architecture whose
// fitness (validation accuracy in percent, as the benchmark's API returns it) minus an
// exponential moving average baseline (momentum 0.9) scales the gradient of the
// log-probability of its choices: one plain gradient-ascent step of learning rate lr (default
// 0.01) per training.
func REINFORCE(b Bench, cfg Config, lr float64) (Result, error) {
	if lr <= 0 {
		lr = 0.01
	}
	r, err := newRun(b, cfg)
	if err != nil {
		return Result{}, err
	}
	var logits [6][nb201.NumOps]float64
	sample := func() nb201.Arch {
		var a nb201.Arch
		for e := range a {
			p := softmax(logits[e][:])
			u, acc := cfg.Rand.Float64(), 0.0
			a[e] = nb201.Op(nb201.NumOps - 1)
			for o, q := range p {
				acc += q
				if u < acc {
					a[e] = nb201.Op(o)
					break
				}
			}
		}
		return a
	}
	baseline, first := 0.0, true
	for {
		drawn := sample()
		idx, err := r.propose(func() int {
			if cfg.Score == nil {
				return b.Index(drawn)
			}
			return b.Index(mutate(drawn, cfg.Rand))
		})
		if err != nil {
			return r.done(err)
		}
		f, err := r.train(idx)
		if err != nil {
			return r.done(err)
		}
		reward := f
		if first {
			baseline, first = reward, false
		} else {
			baseline = 0.9*baseline + 0.1*reward
		}
		chosen := b.Arch(idx)
		for e := range logits {
			p := softmax(logits[e][:])
			for o := range p {
				grad := -p[o]
				if nb201.Op(o) == chosen[e] {
					grad++
				}
				logits[e][o] += lr * (reward - baseline) * grad
			}
		}
	}
}

func softmax(x []float64) []float64 {
	m := slices.Max(x)
	p := make([]float64, len(x))
	var sum float64
	for i, v := range x {
		p[i] = math.Exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// BOHB is Bayesian optimisation with Hyperband (Falkner et al., 2018) on the two fidelities our
// tables have, 12 and 200 epochs, with eta (default 3): each round proposes eta configurations,
// trains them for 12 epochs, and trains the best of them for 200; proposals are random for a
// third of them and while fewer than 6 architectures have been trained at a fidelity, and
// otherwise drawn TPE-style from per-edge categorical kernel densities (Aitchison-Aitken,
// bandwidth 0.2) of the best 15% (l) and the rest (g) at the highest fidelity with enough data,
// keeping the best l/g of 24 draws from l with its bandwidth widened 3× (BOHB's
// bandwidth_factor). The run's best
// is judged on the 12-epoch fitness, as every algorithm's, so they compare.
func BOHB(b Bench, cfg Config, eta int) (Result, error) {
	if eta < 2 {
		eta = 3
	}
	r, err := newRun(b, cfg)
	if err != nil {
		return Result{}, err
	}
	type obs struct {
		arch    nb201.Arch
		fitness float64
	}
	var low, high []obs
	propose := func() nb201.Arch {
		data := high
		if len(data) < 6 {
			data = low
		}
		if len(data) < 6 || cfg.Rand.Float64() < 1.0/3 {
			return randomArch(cfg.Rand)
		}
		sorted := slices.Clone(data)
		slices.SortFunc(sorted, func(x, y obs) int { return cmpDesc(x.fitness, y.fitness) })
		nGood := max(1, int(math.Ceil(0.15*float64(len(sorted)))))
		var l, g [6][nb201.NumOps]float64
		for i, o := range sorted {
			for e, op := range o.arch {
				if i < nGood {
					l[e][op]++
				} else {
					g[e][op]++
				}
			}
		}
		// Aitchison-Aitken kernels per edge: each observation's operation keeps 1-bw of its mass,
		// the others share bw, so no operation's density falls to zero.
		const bw = 0.2
		density := func(counts []float64, n int, op nb201.Op) float64 {
			return (1-bw)*counts[op]/float64(n) + bw/nb201.NumOps
		}
		best, bestRatio := nb201.Arch{}, math.Inf(-1)
		for range 24 {
			var a nb201.Arch
			ratio := 0.0
			for e := range a {
				a[e] = drawFrom(l[e][:], nGood, min(1, 3*bw), cfg.Rand) // BOHB widens the kernel 3× to sample
				ratio += math.Log(density(l[e][:], nGood, a[e])) - math.Log(density(g[e][:], max(1, len(sorted)-nGood), a[e]))
			}
			if ratio > bestRatio {
				best, bestRatio = a, ratio
			}
		}
		return best
	}
	for {
		var round []obs
		for range eta {
			idx, err := r.propose(func() int { return b.Index(propose()) })
			if err != nil {
				return r.done(err)
			}
			f, err := r.train(idx)
			if err != nil {
				return r.done(err)
			}
			o := obs{b.Arch(idx), f}
			round = append(round, o)
			low = append(low, o)
		}
		top := slices.MaxFunc(round, func(x, y obs) int { return -cmpDesc(x.fitness, y.fitness) })
		full, err := r.trainFull(b.Index(top.arch))
		if err != nil {
			return r.done(err)
		}
		high = append(high, obs{top.arch, full})
	}
}

// drawFrom draws an operation from the kernel density of n observations with these counts.
func drawFrom(counts []float64, n int, bw float64, rng interface{ Float64() float64 }) nb201.Op {
	u, acc := rng.Float64(), 0.0
	for o, c := range counts {
		acc += (1-bw)*c/float64(n) + bw/nb201.NumOps
		if u < acc {
			return nb201.Op(o)
		}
	}
	return nb201.Op(len(counts) - 1)
}

// cmpDesc orders larger values first.
func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
