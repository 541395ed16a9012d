package main

import (
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"gradsign/assets"
	"gradsign/engine/nb201"
	"gradsign/engine/space"
)

// TestRace checks the race's plumbing: it refuses to run on a partial whole space (one score
// missing), and on the shipped one it is deterministic, each curve ends at the run's final
// architecture, and the assisted side scores Candidates proposals per training (and for the
// proposal whose training no longer fits the budget).
func TestRace(t *testing.T) {
	s := testSession(t)
	if err := s.loadTraining(assets.TrainingGz); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../assets/nb201_space.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.loadSpace(data); err != nil {
		t.Fatal(err)
	}
	if s.space.Scored() != nb201.NumArchs {
		t.Fatalf("the shipped whole space has %d scores, want %d", s.space.Scored(), nb201.NumArchs)
	}
	req := raceRequest{Algo: "rs", Runs: 3, Seed: 7, Budget: 12000, Candidates: 10}
	shipped := s.space
	partial := space.New(shipped.N, shipped.Seed)
	copy(partial.Values, shipped.Values)
	partial.Values[5] = float32(math.NaN())
	s.space = partial
	if err := s.race(req, func(raceRun) {}); err == nil || !strings.Contains(err.Error(), "needs GradSign of all 15625") {
		t.Fatalf("a race on a partial space: %v", err)
	}
	s.space = shipped
	for _, algo := range []string{"rs", "rea", "reinforce", "bohb"} {
		req.Algo = algo
		var a, b []raceRun
		if err := s.race(req, func(r raceRun) { a = append(a, r) }); err != nil {
			t.Fatal(err)
		}
		s.race(req, func(r raceRun) { b = append(b, r) })
		if len(a) != 3 || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: %d runs, or not the same twice", algo, len(a))
		}
		for _, r := range a {
			for _, side := range []raceSide{r.Vanilla, r.GradSign} {
				last := side.Curve[len(side.Curve)-1]
				if last == nil || *last != side.Accuracy["cifar10"] || side.Seconds > req.Budget {
					t.Fatalf("%s run %d: curve ends at %v, final architecture %v, %v s", algo, r.Run, last, side.Accuracy["cifar10"], side.Seconds)
				}
			}
			if r.Vanilla.Scored != 0 || (algo == "rs" && r.GradSign.Scored != 10*(r.GradSign.Evaluated+1)) {
				t.Fatalf("%s: scored %d vanilla, %d assisted for %d trainings", algo, r.Vanilla.Scored, r.GradSign.Scored, r.GradSign.Evaluated)
			}
		}
	}
	for _, bad := range []raceRequest{{Algo: "ga", Runs: 1, Budget: 1, Candidates: 1}, {Algo: "rs", Runs: 0, Budget: 1, Candidates: 1},
		{Algo: "rs", Runs: 1, Budget: math.Inf(1), Candidates: 1}, {Algo: "rs", Runs: 1, Budget: 1e4, Candidates: 0}, {Algo: "rs", Runs: 1, Budget: 1, Candidates: 1}} {
		if err := s.race(bad, func(raceRun) {}); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
