package search_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"gradsign/engine/nb201"
	"gradsign/engine/search"
)

// toyBench is a made-up benchmark whose optimum is known: fitness grows with the number of
// nor_conv_3x3 edges and, a little, with avg_pool ones; every training costs 10 s (200 epochs:
// 100 s). Architecture index is its base-5 code.
type toyBench struct{}

func (toyBench) Arch(index int) nb201.Arch {
	var a nb201.Arch
	for e := range a {
		a[e] = nb201.Op(index % nb201.NumOps)
		index /= nb201.NumOps
	}
	return a
}

func (toyBench) Index(a nb201.Arch) int {
	index := 0
	for e := len(a) - 1; e >= 0; e-- {
		index = index*nb201.NumOps + int(a[e])
	}
	return index
}

func (t toyBench) Fitness(index int) float64 {
	f := 10.0
	for _, op := range t.Arch(index) {
		switch op {
		case nb201.Conv3x3:
			f += 10
		case nb201.AvgPool3x3:
			f += 3
		}
	}
	return f
}
func (toyBench) Seconds(int) float64         { return 10 }
func (t toyBench) FullFitness(i int) float64 { return t.Fitness(i) + 5 }
func (toyBench) FullSeconds(int) float64     { return 100 }

// allConv is the toy's optimum: 10 + 6 × 10 = 70.
var allConv = nb201.Arch{nb201.Conv3x3, nb201.Conv3x3, nb201.Conv3x3, nb201.Conv3x3, nb201.Conv3x3, nb201.Conv3x3}

type algorithm struct {
	name string
	run  func(search.Bench, search.Config) (search.Result, error)
}

var algorithms = []algorithm{
	{"random", search.Random},
	{"rea", func(b search.Bench, c search.Config) (search.Result, error) { return search.REA(b, c, 10, 3) }},
	{"reinforce", func(b search.Bench, c search.Config) (search.Result, error) { return search.REINFORCE(b, c, 0.01) }},
	{"bohb", func(b search.Bench, c search.Config) (search.Result, error) { return search.BOHB(b, c, 3) }},
}

// TestFindsTheOptimum: with a large budget every algorithm finds the best architecture.
func TestFindsTheOptimum(t *testing.T) {
	b := toyBench{}
	for _, a := range algorithms {
		r, err := a.run(b, search.Config{Budget: 200_000, Rand: rand.New(rand.NewPCG(1, 2))})
		if err != nil {
			t.Fatal(err)
		}
		if b.Arch(r.Best) != allConv || r.BestFitness != 70 {
			t.Errorf("%s: best %s (%v) after %d trainings, want %s (70)", a.name, b.Arch(r.Best), r.BestFitness, r.Evaluated, allConv)
		}
	}
}

// TestBudget: a run never charges more than its budget, and its trajectory adds up.
func TestBudget(t *testing.T) {
	b := toyBench{}
	for _, a := range algorithms {
		for _, budget := range []float64{5, 95, 1234} {
			r, err := a.run(b, search.Config{Budget: budget, Rand: rand.New(rand.NewPCG(3, 4))})
			if err != nil {
				t.Fatal(err)
			}
			if r.Seconds > budget || len(r.Trajectory) != r.Evaluated {
				t.Errorf("%s, budget %v: charged %v in %d trainings (%d steps)", a.name, budget, r.Seconds, r.Evaluated, len(r.Trajectory))
			}
			if budget >= 10 && r.Evaluated == 0 {
				t.Errorf("%s, budget %v: nothing trained", a.name, budget)
			}
			if budget < 10 && (r.Evaluated != 0 || r.Best != -1) {
				t.Errorf("%s, budget %v: trained %d within a budget too small for one", a.name, budget, r.Evaluated)
			}
		}
	}
}

// TestDeterministic: the same seed gives the same run.
func TestDeterministic(t *testing.T) {
	b := toyBench{}
	for _, a := range algorithms {
		x, _ := a.run(b, search.Config{Budget: 3000, Rand: rand.New(rand.NewPCG(5, 6))})
		y, _ := a.run(b, search.Config{Budget: 3000, Rand: rand.New(rand.NewPCG(5, 6))})
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s: two runs of one seed differ", a.name)
		}
	}
}

// TestAssistedTrainsTheArgmax: a GradSign-assisted run trains, each time, the candidate with
// the highest score among those it drew; scoring is charged when asked.
func TestAssistedTrainsTheArgmax(t *testing.T) {
	b := toyBench{}
	for _, a := range algorithms {
		var drawn []int
		score := func(i int) (float64, error) {
			drawn = append(drawn, i)
			return float64((i * 7919) % 1000), nil // an arbitrary, fixed score
		}
		r, err := a.run(b, search.Config{Budget: 2000, Score: score, Candidates: 4, Rand: rand.New(rand.NewPCG(7, 8))})
		if err != nil {
			t.Fatal(err)
		}
		if r.Scored != len(drawn) || r.Scored == 0 || r.Scored%4 != 0 {
			t.Fatalf("%s: %d scored, %d drawn", a.name, r.Scored, len(drawn))
		}
		// Each group of 4 candidates is followed by the training of its argmax (BOHB also
		// trains its round's best at 200 epochs, which is not a proposal).
		groups := 0
		for i, step := range r.Trajectory {
			if a.name == "bohb" && (i+1)%4 == 0 {
				continue
			}
			g := drawn[4*groups : 4*groups+4]
			best := g[0]
			for _, c := range g[1:] {
				if s, _ := score(c); s > func() float64 { v, _ := score(best); return v }() {
					best = c
				}
			}
			if step.Index != best {
				t.Fatalf("%s: training %d is %d, the argmax of its candidates %v is %d", a.name, i, step.Index, g, best)
			}
			groups++
		}
		charged, err := a.run(b, search.Config{Budget: 2000, Score: score, Candidates: 4, ChargeScoring: 1, Rand: rand.New(rand.NewPCG(7, 8))})
		if err != nil || charged.Seconds > 2000 || charged.Evaluated >= r.Evaluated {
			t.Fatalf("%s: charging the scores: %d trainings in %v s (free: %d)", a.name, charged.Evaluated, charged.Seconds, r.Evaluated)
		}
	}
}

func TestAlgorithmAndBestOnGrid(t *testing.T) {
	for _, name := range search.Algorithms {
		if _, err := search.Algorithm(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := search.Algorithm("ga"); err == nil {
		t.Error("an unknown algorithm")
	}
	res := search.Result{Trajectory: []search.Step{{Index: 4, Seconds: 10, Best: 4}, {Index: 9, Seconds: 25, Best: 9}, {Index: 2, Seconds: 30, Best: 9}}}
	// Grid times 5, 10, ..., 40: nothing before 10 s, index 4 from 10 s, index 9 from 25 s.
	want := []int{-1, 4, 4, 4, 9, 9, 9, 9}
	if got := res.BestOnGrid(40, 8); !reflect.DeepEqual(got, want) {
		t.Errorf("BestOnGrid(40, 8) = %v, want %v", got, want)
	}
}
