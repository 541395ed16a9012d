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

// raceSession is a test session with the training table and the shipped whole space.
func raceSession(t *testing.T) *session {
	t.Helper()
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
	return s
}

// TestRace checks the race's plumbing: it refuses to run on a partial whole space (one score
// missing), and on the shipped one it is deterministic, each curve ends at the run's final
// architecture, and the assisted side scores Candidates proposals per training (and for the
// proposal whose training no longer fits the budget).
func TestRace(t *testing.T) {
	s := raceSession(t)
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

// TestRaceSummary checks the race's summary on runs made by hand: the curves' mean and
// quartiles at each grid point (null where no run has trained), the paired gap, its standard
// error, the 95% interval and the runs that interval needs to exclude 0.
func TestRaceSummary(t *testing.T) {
	side := func(final float64, first *float64) raceSide {
		c := make([]*float64, raceGrid)
		c[0] = first
		for k := 1; k < raceGrid; k++ {
			c[k] = &final
		}
		return raceSide{Accuracy: map[string]float64{"cifar10": final}, Curve: c}
	}
	f := func(v float64) *float64 { return &v }
	vanilla := []raceSide{side(90, nil), side(91, f(80)), side(92, f(85)), side(93, nil)}
	assisted := []raceSide{side(91, f(70)), side(91, f(75)), side(94, nil), side(94, f(90))}
	s := summarise(vanilla, assisted)
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	// Grid point 0: vanilla has 80, 85; assisted 70, 75, 90. Later points: the finals.
	near("vanilla mean at 0", s.Vanilla.Mean[0], 82.5)
	near("assisted mean at 0", s.GradSign.Mean[0], 235.0/3)
	near("vanilla mean later", s.Vanilla.Mean[5], 91.5)
	// numpy.quantile([90, 91, 92, 93], [0.25, 0.75]) = 90.75, 92.25.
	near("vanilla q1 later", s.Vanilla.Q1[5], 90.75)
	near("vanilla q3 later", s.Vanilla.Q3[5], 92.25)
	if *s.Vanilla.Q1[5] > 91.5 || *s.Vanilla.Q3[5] < 91.5 {
		t.Errorf("middle half %v–%v misses the mean", *s.Vanilla.Q1[5], *s.Vanilla.Q3[5])
	}
	// Differences 1, 0, 2, 1: mean 1, sd √(2/3), SE sd/2.
	sd := math.Sqrt(2.0 / 3)
	if s.Runs != 4 || s.Final.Vanilla != 91.5 || s.Final.GradSign != 92.5 || s.Final.Gap != 1 {
		t.Fatalf("final %+v", s.Final)
	}
	near("SE", s.Final.SE, sd/2)
	near("low", s.Final.Low, 1-1.96*sd/2)
	near("high", s.Final.High, 1+1.96*sd/2)
	if want := int(math.Ceil(math.Pow(1.96*sd, 2))); s.Final.RunsToSignificance == nil || *s.Final.RunsToSignificance != want {
		t.Errorf("runs to significance %v, want %d", s.Final.RunsToSignificance, want)
	}
	one := summarise(vanilla[:1], assisted[:1])
	if one.Final.SE != nil || one.Final.RunsToSignificance != nil || one.Vanilla.Mean[0] != nil || one.Final.Gap != 1 {
		t.Errorf("one run: %+v, mean at 0 %v", one.Final, one.Vanilla.Mean[0])
	}
}

// TestRaceChargesScoring: charged scoring leaves the assisted side less budget to train with
// (random search: fewer trainings), never the vanilla side; a negative charge is refused.
func TestRaceChargesScoring(t *testing.T) {
	s := raceSession(t)
	trainings := func(charge float64) (vanilla, assisted int) {
		err := s.race(raceRequest{Algo: "rs", Runs: 4, Seed: 1, Budget: 12000, Candidates: 10, ChargeScoring: charge}, func(r raceRun) {
			vanilla += r.Vanilla.Evaluated
			assisted += r.GradSign.Evaluated
		})
		if err != nil {
			t.Fatal(err)
		}
		return vanilla, assisted
	}
	v0, a0 := trainings(0)
	v1, a1 := trainings(100)
	if v0 != v1 || a1 >= a0 {
		t.Fatalf("100 s a score: vanilla trained %d then %d, assisted %d then %d", v0, v1, a0, a1)
	}
	for _, bad := range []float64{-1, math.Inf(1), math.NaN()} {
		if err := s.race(raceRequest{Algo: "rs", Runs: 1, Budget: 12000, Candidates: 10, ChargeScoring: bad}, func(raceRun) {}); err == nil {
			t.Errorf("chargeScoring %v: no error", bad)
		}
	}
}

// TestTrainingCost: an architecture's 200-epoch training time is the table's, and the space's
// is the sum over all 15,625 (NAS-Bench-201's index 1 took 2,173.4 s).
func TestTrainingCost(t *testing.T) {
	s := testSession(t)
	if _, err := s.trainingCost(1); err == nil {
		t.Fatal("no training table: no error")
	}
	if err := s.loadTraining(assets.TrainingGz); err != nil {
		t.Fatal(err)
	}
	c, err := s.trainingCost(1)
	if err != nil || math.Abs(c.Seconds200-2173.3956) > 1e-3 || math.Abs(c.Seconds12-133.9327) > 1e-3 || c.Architectures != 15625 {
		t.Fatalf("index 1: %+v, %v", c, err)
	}
	if c.SpaceSeconds200 < 15625*c.Seconds200/10 || c.SpaceSeconds200 > 15625*c.Seconds200*10 {
		t.Fatalf("space %v s", c.SpaceSeconds200)
	}
	for _, bad := range []int{-1, 15625} {
		if _, err := s.trainingCost(bad); err == nil {
			t.Errorf("index %d: no error", bad)
		}
	}
}
