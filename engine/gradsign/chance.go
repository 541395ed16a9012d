package gradsign

import "math"

// Chance is the agreement of random signs: E|s₁ + … + sₙ| / n for n independent signs, each
// +1 or −1 with probability ½. A weight whose n per-sample gradients had signs with nothing in
// common would add n·Chance(n) to GradSign on average, not 0: 1 at n = 1, 0.196 at 16, 0.070 at
// 128, falling as √(2/(πn)). A network's excess over it is what its samples share.
//
// E|Sₙ| = n·C(n−1, ⌊(n−1)/2⌋) / 2ⁿ⁻¹ (the mean distance from the origin of a simple random
// walk after n steps); the binomial is taken through log-gamma, exact to float64's rounding for
// every n the engine scores.
func Chance(n int) float64 {
	if n < 1 {
		return math.NaN()
	}
	k := (n - 1) / 2
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x)); return v }
	return math.Exp(lg(n) - lg(k+1) - lg(n-k) - float64(n-1)*math.Ln2)
}

// ChanceScore is the score a layer would get from random signs on n samples: every weight but
// its structural zeros (which count 0) adds n·Chance(n).
func (l Layer) ChanceScore(n int) float64 {
	return float64(n) * Chance(n) * float64(l.Weights-l.StructuralZeros)
}

// AboveChance is the score less what random signs would give every layer: the part of GradSign
// the samples' agreement makes (a view of the score, which stays the official sum).
func (r Result) AboveChance() float64 {
	s := r.Score
	for _, l := range r.Layers {
		s -= l.ChanceScore(r.N)
	}
	return s
}
