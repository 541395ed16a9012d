package main

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gradsign/engine/stats"

	"gradsign/engine/nb201"
	"gradsign/engine/search"
)

// raceGrid is how many points of the budget each run's best-so-far curve is sampled at.
const raceGrid = 60

// raceSide is one run of one side of the race: its final architecture (the best found within
// the budget by 12-epoch validation accuracy), what it cost, and its best-so-far curve: the
// 200-epoch CIFAR-10 test accuracy of the best architecture found by each of raceGrid equal
// steps of the budget (null before the first training ends).
type raceSide struct {
	Index     int                `json:"index"`
	Arch      string             `json:"arch"`
	Evaluated int                `json:"evaluated"`
	Scored    int                `json:"scored"`
	Seconds   float64            `json:"seconds"`
	Accuracy  map[string]float64 `json:"accuracy"`
	Curve     []*float64         `json:"curve"`
}

// raceRun is run r of the race: the vanilla algorithm and the GradSign-assisted one, each
// drawing from PCG(seed, r) as `gradsign search` does, and the race so far (runs 0..r).
type raceRun struct {
	Run      int         `json:"run"`
	Vanilla  raceSide    `json:"vanilla"`
	GradSign raceSide    `json:"gradsign"`
	SoFar    raceSummary `json:"soFar"`
}

// raceRequest is what the page asks for. ChargeScoring is the simulated seconds each GradSign
// score costs the assisted side (gradsign search --charge-scoring; the paper charges none).
type raceRequest struct {
	Algo          string  `json:"algo"`
	Runs          int     `json:"runs"`
	Seed          uint64  `json:"seed"`
	Budget        float64 `json:"budget"`
	Candidates    int     `json:"candidates"`
	ChargeScoring float64 `json:"chargeScoring"`
}

// raceSummary is the race over the runs ended so far: each side's best-so-far curve as its
// mean and its middle half (the first and third quartiles over the runs, numpy's linear
// interpolation) at each grid point, null where no run has trained yet; and the final
// architectures' CIFAR-10 accuracy.
type raceSummary struct {
	Runs     int       `json:"runs"`
	Vanilla  raceBand  `json:"vanilla"`
	GradSign raceBand  `json:"gradsign"`
	Final    raceFinal `json:"final"`
}

type raceBand struct {
	Mean []*float64 `json:"mean"`
	Q1   []*float64 `json:"q1"`
	Q3   []*float64 `json:"q3"`
}

// raceFinal compares the final architectures. The runs are paired (run r of both sides draws
// from one seed), so the gap is the mean of the runs' differences (assisted − vanilla) and SE
// its standard error, sd/√runs; Low and High bound a 95% interval (gap ± 1.96 SE), and
// RunsToSignificance is how many runs at this gap and spread would make that interval exclude
// 0, (1.96·sd/gap)² rounded up. SE, Low, High and RunsToSignificance are null below two runs
// (and the last also where the gap is 0).
type raceFinal struct {
	Vanilla            float64  `json:"vanilla"`
	GradSign           float64  `json:"gradsign"`
	Gap                float64  `json:"gap"`
	SE                 *float64 `json:"se"`
	Low                *float64 `json:"low"`
	High               *float64 `json:"high"`
	RunsToSignificance *int     `json:"runsToSignificance"`
}

// summarise is the race over runs (each side's runs in order, paired by index).
func summarise(vanilla, assisted []raceSide) raceSummary {
	sum := raceSummary{Runs: len(vanilla), Vanilla: band(vanilla), GradSign: band(assisted)}
	diffs := make([]float64, len(vanilla))
	for r := range vanilla {
		v, g := vanilla[r].Accuracy["cifar10"], assisted[r].Accuracy["cifar10"]
		sum.Final.Vanilla += v / float64(len(vanilla))
		sum.Final.GradSign += g / float64(len(vanilla))
		diffs[r] = g - v
	}
	gap := mean(diffs)
	sum.Final.Gap = gap
	if len(diffs) >= 2 {
		var ss float64
		for _, d := range diffs {
			ss += (d - gap) * (d - gap)
		}
		sd := math.Sqrt(ss / float64(len(diffs)-1))
		se := sd / math.Sqrt(float64(len(diffs)))
		low, high := gap-1.96*se, gap+1.96*se
		sum.Final.SE, sum.Final.Low, sum.Final.High = &se, &low, &high
		if gap != 0 {
			runs := int(math.Ceil(math.Pow(1.96*sd/gap, 2)))
			sum.Final.RunsToSignificance = &runs
		}
	}
	return sum
}

// band is the mean and middle half of the runs' curves at each grid point.
func band(runs []raceSide) raceBand {
	b := raceBand{Mean: make([]*float64, raceGrid), Q1: make([]*float64, raceGrid), Q3: make([]*float64, raceGrid)}
	at := make([]float64, 0, len(runs))
	for k := range raceGrid {
		at = at[:0]
		for _, r := range runs {
			if v := r.Curve[k]; v != nil {
				at = append(at, *v)
			}
		}
		if len(at) == 0 {
			continue
		}
		slices.Sort(at)
		m, q1, q3 := mean(at), stats.Quantile(at, 0.25), stats.Quantile(at, 0.75)
		b.Mean[k], b.Q1[k], b.Q3[k] = &m, &q1, &q3
	}
	return b
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// loadTraining takes the benchmark's training table (assets/nb201_training.csv.gz), which the
// race simulates training with.
func (s *session) loadTraining(gz []byte) error {
	t, err := search.ReadTableGzip(gz, s.table)
	if err != nil {
		return err
	}
	s.training = t
	return nil
}

// trainingCost is what NAS-Bench-201 spent training architecture index: its 200-epoch training
// time and the whole space's, in the benchmark's GPU seconds (the training table), and the
// race's 12-epoch fidelity.
type trainingCost struct {
	Seconds200      float64 `json:"seconds200"`
	Seconds12       float64 `json:"seconds12"`
	SpaceSeconds200 float64 `json:"spaceSeconds200"`
	Architectures   int     `json:"architectures"`
}

func (s *session) trainingCost(index int) (trainingCost, error) {
	if s.training == nil {
		return trainingCost{}, errors.New("the training table is not loaded (assets/nb201_training.csv.gz)")
	}
	if index < 0 || index >= nb201.NumArchs {
		return trainingCost{}, fmt.Errorf("index %d: want 0 to %d", index, nb201.NumArchs-1)
	}
	c := trainingCost{Seconds200: s.training.FullSeconds(index), Seconds12: s.training.Seconds(index), Architectures: nb201.NumArchs}
	for i := range nb201.NumArchs {
		c.SpaceSeconds200 += s.training.FullSeconds(i)
	}
	return c, nil
}

// race runs req.Runs runs of an algorithm, vanilla and GradSign-assisted (the best of
// req.Candidates proposals by the whole-space GradSign, N=128, seed 0), handing each run to
// onRun as it ends. It needs the whole space scored.
func (s *session) race(req raceRequest, onRun func(raceRun)) error {
	algorithm, err := search.Algorithm(req.Algo)
	if err != nil {
		return err
	}
	switch {
	case s.training == nil:
		return errors.New("the training table is not loaded (assets/nb201_training.csv.gz)")
	case s.space == nil:
		return errors.New("no whole-space scores loaded (assets/nb201_space.bin)")
	case s.space.Scored() < nb201.NumArchs:
		return fmt.Errorf("the race needs GradSign of all %d architectures; the whole-space file has %d so far (gradsign eval --all is still running)", nb201.NumArchs, s.space.Scored())
	case req.Runs < 1 || req.Runs > 1000:
		return fmt.Errorf("runs %d: want 1 to 1000", req.Runs)
	case !(req.Budget > 0) || math.IsInf(req.Budget, 0):
		return fmt.Errorf("budget %v: want a positive number of seconds", req.Budget)
	case req.Candidates < 1 || req.Candidates > 100:
		return fmt.Errorf("candidates %d: want 1 to 100", req.Candidates)
	case !(req.ChargeScoring >= 0) || math.IsInf(req.ChargeScoring, 0):
		return fmt.Errorf("chargeScoring %v: want 0 or more seconds per GradSign score", req.ChargeScoring)
	}
	score := func(index int) (float64, error) { return float64(s.space.Values[index]), nil }
	var vanilla, assisted []raceSide
	for r := range req.Runs {
		var run raceRun
		run.Run = r
		for i, sc := range []search.Scorer{nil, score} {
			cfg := search.Config{Budget: req.Budget, Score: sc, Candidates: req.Candidates, Rand: search.Seeded(req.Seed, r)}
			if sc != nil {
				cfg.ChargeScoring = req.ChargeScoring
			}
			res, err := algorithm(s.training, cfg)
			if err != nil {
				return fmt.Errorf("run %d: %v", r, err)
			}
			if res.Best < 0 {
				return fmt.Errorf("a budget of %v s trains no architecture", req.Budget)
			}
			side := s.raceSide(res, req.Budget)
			if i == 0 {
				run.Vanilla = side
			} else {
				run.GradSign = side
			}
		}
		vanilla, assisted = append(vanilla, run.Vanilla), append(assisted, run.GradSign)
		run.SoFar = summarise(vanilla, assisted)
		onRun(run)
	}
	return nil
}

func (s *session) raceSide(res search.Result, budget float64) raceSide {
	e, _ := s.table.At(res.Best)
	side := raceSide{Index: res.Best, Arch: e.Arch.String(), Evaluated: res.Evaluated, Scored: res.Scored, Seconds: res.Seconds,
		Accuracy: e.AccuracyByName(), Curve: make([]*float64, raceGrid)}
	for k, best := range res.BestOnGrid(budget, raceGrid) {
		if best >= 0 {
			b, _ := s.table.At(best)
			side.Curve[k] = &b.Accuracy[0]
		}
	}
	return side
}
