package main

import (
	"errors"
	"fmt"
	"math"

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
// drawing from PCG(seed, r) as `gradsign search` does.
type raceRun struct {
	Run      int      `json:"run"`
	Vanilla  raceSide `json:"vanilla"`
	GradSign raceSide `json:"gradsign"`
}

// raceRequest is what the page asks for.
type raceRequest struct {
	Algo       string  `json:"algo"`
	Runs       int     `json:"runs"`
	Seed       uint64  `json:"seed"`
	Budget     float64 `json:"budget"`
	Candidates int     `json:"candidates"`
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
	}
	score := func(index int) (float64, error) { return float64(s.space.Values[index]), nil }
	for r := range req.Runs {
		var run raceRun
		run.Run = r
		for i, sc := range []search.Scorer{nil, score} {
			res, err := algorithm(s.training, search.Config{Budget: req.Budget, Score: sc, Candidates: req.Candidates, Rand: search.Seeded(req.Seed, r)})
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
