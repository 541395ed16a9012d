// Package search runs neural architecture search on NAS-Bench-201 simulated with the
// benchmark's tables, as NAS-Bench-201's own scripts (AutoDL's R_EA, REINFORCE, BOHB, random
// search) and the official GradSign code do: "training" an architecture is a table lookup that
// returns its fitness and charges its training time against a budget; the result of a run is
// the best architecture found within the budget.
//
// GradSign-assisted search (Zhang & Jia, ICLR 2022, section 5): where the algorithm would
// propose one architecture to train, it draws Candidates (random ones for random search and
// BOHB, mutations of the tournament winner for REA, of the policy's sample for REINFORCE) and
// trains only the one with the highest GradSign. The paper counts scoring as free; Config's
// ChargeScoring charges each GradSign evaluation too.
package search

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"gradsign/engine/nb201"
)

// Bench is the benchmark as the search sees it.
type Bench interface {
	// Fitness is what training an architecture for the search's fidelity returns (NAS-Bench-201's
	// scripts: 12-epoch validation accuracy on cifar10-valid), and Seconds the time it charges.
	Fitness(index int) float64
	Seconds(index int) float64
	// FullFitness and FullSeconds are the same at the highest fidelity (200 epochs), for BOHB.
	FullFitness(index int) float64
	FullSeconds(index int) float64
	// Arch and Index map the benchmark's indices to architectures and back.
	Arch(index int) nb201.Arch
	Index(a nb201.Arch) int
}

// Algorithms are the algorithms' names, as `gradsign search --algo` and the page take them.
var Algorithms = []string{"rs", "rea", "reinforce", "bohb"}

// Algorithm returns the named algorithm with AutoDL's settings: REA population 10, tournament
// 3; REINFORCE learning rate 0.01; BOHB eta 3.
func Algorithm(name string) (func(Bench, Config) (Result, error), error) {
	switch name {
	case "rs":
		return Random, nil
	case "rea":
		return func(b Bench, c Config) (Result, error) { return REA(b, c, 10, 3) }, nil
	case "reinforce":
		return func(b Bench, c Config) (Result, error) { return REINFORCE(b, c, 0.01) }, nil
	case "bohb":
		return func(b Bench, c Config) (Result, error) { return BOHB(b, c, 3) }, nil
	}
	return nil, fmt.Errorf("algorithm %q: want rs, rea, reinforce or bohb", name)
}

// Seeded is run r's random source in a set of runs with one seed: PCG(seed, r), so the same
// seed gives the same runs, in the CLI and in the page.
func Seeded(seed uint64, r int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(r))) }

// BestOnGrid is the best architecture found by each of `points` equal steps of the budget
// (times budget·(k+1)/points) along the run's trajectory, -1 before its first training ends:
// a best-so-far curve that runs of different lengths share.
func (res *Result) BestOnGrid(budget float64, points int) []int {
	best := make([]int, points)
	i, b := 0, -1
	for k := range best {
		for ; i < len(res.Trajectory) && res.Trajectory[i].Seconds <= budget*float64(k+1)/float64(points); i++ {
			b = res.Trajectory[i].Best
		}
		best[k] = b
	}
	return best
}

// Scorer gives an architecture's GradSign (higher predicts better).
type Scorer func(index int) (float64, error)

// Config is what every algorithm takes.
type Config struct {
	// Budget is the training time a run may spend, in seconds (NAS-Bench-201's scripts: 12,000).
	Budget float64
	// Score, when set, makes the run GradSign-assisted: each proposal is the best of Candidates
	// (default 10) by Score, and each Score charges ChargeScoring seconds.
	Score         Scorer
	Candidates    int
	ChargeScoring float64
	// Rand draws everything random in the run: the same seed, the same run.
	Rand *rand.Rand
}

// Step is one training in a run: the architecture, its fitness, the time charged so far, and
// the best fitness (and its architecture) so far.
type Step struct {
	Index       int     `json:"index"`
	Fitness     float64 `json:"fitness"`
	Seconds     float64 `json:"seconds"`
	Best        int     `json:"best"`
	BestFitness float64 `json:"best_fitness"`
}

// Result is a finished run: its best architecture within the budget, the time charged, the
// trainings and GradSign evaluations made, and each training's step.
type Result struct {
	Best        int
	BestFitness float64
	Seconds     float64
	Evaluated   int
	Scored      int
	Trajectory  []Step
}

// errBudget ends a run: the next training would not finish within the budget.
var errBudget = errors.New("budget spent")

// run is the state an algorithm shares: the clock, the best so far, and GradSign's choice.
type run struct {
	bench Bench
	cfg   Config
	res   Result
}

func newRun(b Bench, cfg Config) (*run, error) {
	if cfg.Budget <= 0 {
		return nil, errors.New("search: the budget must be positive")
	}
	if cfg.Rand == nil {
		return nil, errors.New("search: Config.Rand is needed (the same seed gives the same run)")
	}
	if cfg.Candidates < 1 {
		cfg.Candidates = 10
	}
	return &run{bench: b, cfg: cfg, res: Result{Best: -1}}, nil
}

// train charges an architecture's training at the search's fidelity and returns its fitness,
// or errBudget when it would not finish within the budget (then nothing is charged).
func (r *run) train(index int) (float64, error) {
	return r.charge(index, r.bench.Fitness(index), r.bench.Seconds(index))
}

// trainFull charges an architecture's training at the highest fidelity (BOHB) and returns
// that fidelity's fitness; the run's best stays judged on the search's fidelity.
func (r *run) trainFull(index int) (float64, error) {
	if _, err := r.charge(index, r.bench.Fitness(index), r.bench.FullSeconds(index)); err != nil {
		return 0, err
	}
	return r.bench.FullFitness(index), nil
}

func (r *run) charge(index int, fitness, seconds float64) (float64, error) {
	if r.res.Seconds+seconds > r.cfg.Budget {
		return 0, errBudget
	}
	r.res.Seconds += seconds
	r.res.Evaluated++
	if r.res.Best < 0 || fitness > r.res.BestFitness {
		r.res.Best, r.res.BestFitness = index, fitness
	}
	r.res.Trajectory = append(r.res.Trajectory, Step{index, fitness, r.res.Seconds, r.res.Best, r.res.BestFitness})
	return fitness, nil
}

// propose returns the architecture to train: draw() itself in a vanilla run; in a
// GradSign-assisted one, the best by GradSign of Candidates draws (the first on ties), each
// scoring charged.
func (r *run) propose(draw func() int) (int, error) {
	if r.cfg.Score == nil {
		return draw(), nil
	}
	best, bestScore := -1, 0.0
	for range r.cfg.Candidates {
		c := draw()
		if r.cfg.ChargeScoring > 0 {
			if r.res.Seconds+r.cfg.ChargeScoring > r.cfg.Budget {
				return 0, errBudget
			}
			r.res.Seconds += r.cfg.ChargeScoring
		}
		s, err := r.cfg.Score(c)
		if err != nil {
			return 0, err
		}
		r.res.Scored++
		if best < 0 || s > bestScore {
			best, bestScore = c, s
		}
	}
	return best, nil
}

// done ends an algorithm's loop: a spent budget is the normal end, anything else an error.
func (r *run) done(err error) (Result, error) {
	if errors.Is(err, errBudget) {
		err = nil
	}
	return r.res, err
}

// randomArch draws an architecture uniformly.
func randomArch(rng *rand.Rand) nb201.Arch {
	var a nb201.Arch
	for e := range a {
		a[e] = nb201.Op(rng.IntN(nb201.NumOps))
	}
	return a
}

// mutate changes one edge of a to another operation, as AutoDL's R_EA does.
func mutate(a nb201.Arch, rng *rand.Rand) nb201.Arch {
	e := rng.IntN(len(a))
	op := nb201.Op(rng.IntN(nb201.NumOps - 1))
	if op >= a[e] {
		op++
	}
	a[e] = op
	return a
}
