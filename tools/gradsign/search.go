package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"gonum.org/v1/gonum/stat"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/search"
	"gradsign/engine/space"
	"gradsign/internal/scorefile"
)

// searchOutput is `gradsign search --json`.
type searchOutput struct {
	Algo          string             `json:"algo"`
	GradSign      bool               `json:"gradsign"`
	Runs          int                `json:"runs"`
	Seed          uint64             `json:"seed"`
	Budget        float64            `json:"budget"`
	Candidates    int                `json:"candidates"`
	ChargeScoring float64            `json:"charge_scoring"`
	Mean          map[string]float64 `json:"mean"`
	Std           map[string]float64 `json:"std"`
	Results       []searchResult     `json:"results"`
}

// searchResult is one run's final architecture.
type searchResult struct {
	Run       int                `json:"run"`
	Index     int                `json:"index"`
	Arch      string             `json:"arch"`
	Evaluated int                `json:"evaluated"`
	Scored    int                `json:"scored,omitempty"`
	Seconds   float64            `json:"seconds"`
	Accuracy  map[string]float64 `json:"accuracy"`
}

// The search's bounds: more runs than the paper's 500 a thousandfold, and more training time
// than every NAS-Bench-201 architecture's 12 epochs together (1.8e6 s), say nothing more and
// only run longer.
const (
	maxRuns   = 500_000
	maxBudget = 1e8
)

func runSearch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gradsign search", flag.ContinueOnError)
	algo := fs.String("algo", "rea", "rs (random search), rea, reinforce or bohb")
	assisted := fs.Bool("gradsign", false, "GradSign-assisted: train only the best of --candidates proposals by GradSign")
	candidates := fs.Int("candidates", 10, "proposals per training with --gradsign")
	charge := fs.Float64("charge-scoring", 0, "seconds charged per GradSign evaluation (the paper charges none)")
	runs := fs.Int("runs", 500, "independent runs")
	seed := fs.Uint64("seed", 0, "seed of the runs (run r draws from PCG(seed, r))")
	budget := fs.Float64("budget", 12000, "training time each run may spend, seconds (NAS-Bench-201's scripts: 12,000)")
	scoresFile := fs.String("scores", "", "whole-space GradSign file (index,arch,gradsign) to look scores up in (default: the bundled scores); architectures it lacks are scored on the fly (CIFAR-10, N=128, seed 0)")
	jsonFlag := fs.Bool("json", false, "print one JSON object")
	out := fs.String("out", "", "write each run's best-so-far trajectory here (JSON Lines)")
	if err := parseFlags(fs, args, stdout, "usage: gradsign search [flags]\n\nNAS on NAS-Bench-201 simulated with the benchmark's tables, vanilla or GradSign-assisted."); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %s", cut(fs.Arg(0)))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *runs < 1 || *runs > maxRuns:
		return usageError{fmt.Errorf("--runs %d: want 1..%d (the paper runs 500)", *runs, maxRuns)}
	case !(*budget > 0) || *budget > maxBudget:
		return usageError{fmt.Errorf("--budget %v: want a positive number of seconds up to %g (training every NAS-Bench-201 architecture takes less: a larger budget trains nothing more)", *budget, maxBudget)}
	case *candidates < 1 || *candidates > nb201.NumArchs:
		return usageError{fmt.Errorf("--candidates %d: want 1..%d (the space's size)", *candidates, nb201.NumArchs)}
	case set["scores"] && !*assisted:
		return usageError{errors.New("--scores is the GradSign scores of --gradsign: give --gradsign too, or leave --scores out")}
	case sameFile(*out, *scoresFile):
		return usageError{fmt.Errorf("--out %s is the --scores file: writing the trajectories would overwrite the scores; give another --out", cut(*out))}
	case !(*charge >= 0) || math.IsInf(*charge, 0):
		return usageError{fmt.Errorf("--charge-scoring %v: want 0 or more seconds", *charge)}
	}
	algorithm, err := search.Algorithm(*algo)
	if err != nil {
		return usageError{fmt.Errorf("--algo %s: want rs, rea, reinforce or bohb", cut(*algo))}
	}
	table, err := search.ReadTableGzip(assets.TrainingGz, assets.Table())
	if err != nil {
		return err
	}
	var score search.Scorer
	if *assisted {
		if score, err = gradsignScorer(*scoresFile, stderr); err != nil {
			return err
		}
	}
	var trajectories *os.File
	if *out != "" {
		if trajectories, err = os.Create(*out); err != nil {
			return err
		}
		defer trajectories.Close()
	}
	res := searchOutput{Algo: *algo, GradSign: *assisted, Runs: *runs, Seed: *seed, Budget: *budget, Candidates: *candidates, ChargeScoring: *charge,
		Mean: map[string]float64{}, Std: map[string]float64{}}
	if !*assisted {
		res.Candidates = 1
	}
	acc := map[string][]float64{}
	for r := range *runs {
		cfg := search.Config{Budget: *budget, Score: score, Candidates: *candidates, ChargeScoring: *charge, Rand: search.Seeded(*seed, r)}
		run, err := algorithm(table, cfg)
		if err != nil {
			return fmt.Errorf("run %d: %v", r, err)
		}
		if run.Best < 0 {
			return fmt.Errorf("run %d: the budget of %v s trains no architecture", r, *budget)
		}
		e, _ := assets.Table().At(run.Best)
		one := searchResult{Run: r, Index: run.Best, Arch: e.Arch.String(), Evaluated: run.Evaluated, Scored: run.Scored, Seconds: run.Seconds, Accuracy: e.AccuracyByName()}
		for d, name := range nb201.Datasets {
			acc[name] = append(acc[name], e.Accuracy[d])
		}
		res.Results = append(res.Results, one)
		if trajectories != nil {
			line, _ := json.Marshal(map[string]any{"run": r, "trajectory": run.Trajectory})
			if _, err := trajectories.Write(append(line, '\n')); err != nil {
				return err
			}
		}
	}
	for _, name := range nb201.Datasets {
		res.Mean[name], res.Std[name] = stat.PopMeanStdDev(acc[name], nil) // numpy's std, as NB201's scripts report
	}
	w := &checkedWriter{w: stdout}
	if *jsonFlag {
		if err := json.NewEncoder(w).Encode(res); err != nil {
			return err
		}
		return w.err
	}
	kind := "vanilla"
	if *assisted {
		kind = fmt.Sprintf("GradSign-assisted (best of %d)", *candidates)
		if *charge > 0 {
			kind = fmt.Sprintf("GradSign-assisted (best of %d, %g s a score charged)", *candidates, *charge)
		}
	}
	fmt.Fprintf(w, "%s %s, %d runs of %.0f s: final architecture's 200-epoch test accuracy CIFAR-10 %.2f ± %.2f%%, CIFAR-100 %.2f ± %.2f%%, ImageNet16-120 %.2f ± %.2f%%\n",
		*algo, kind, *runs, *budget, res.Mean["cifar10"], res.Std["cifar10"], res.Mean["cifar100"], res.Std["cifar100"], res.Mean["imagenet16"], res.Std["imagenet16"])
	return w.err
}

// gradsignScorer looks GradSign up in the bundled whole-space scores (assets.SpaceBin), or in
// a whole-space score file of CIFAR-10, N=128, seed 0 (its settings checked), and scores an
// architecture they lack on the fly the same way, saying first how many they lack.
func gradsignScorer(path string, stderr io.Writer) (search.Scorer, error) {
	known := map[int]float64{}
	source := "the bundled whole-space scores"
	if path == "" {
		sp, err := space.Read(assets.SpaceBin)
		if err != nil {
			return nil, err
		}
		if sp.N != 128 || sp.Seed != 0 {
			return nil, fmt.Errorf("the bundled whole-space scores are of N=%d, seed %d: the search wants N=128, seed 0 (rebuild them with make space from a run of those)", sp.N, sp.Seed)
		}
		for i, v := range sp.Values {
			if !math.IsNaN(float64(v)) {
				known[i] = float64(v)
			}
		}
	} else {
		source = path
		s, err := scorefile.ReadSettings(path)
		if err != nil {
			return nil, fmt.Errorf("--scores: %v", err)
		}
		if s.Dataset != "cifar10" || s.N != 128 || s.Seed != 0 || s.Data != "bundled cifar10" || s.Engine != gradsign.EngineVersion {
			return nil, fmt.Errorf("%s holds GradSign of %s, %s, N=%d, seed %d (engine %s): the search wants bundled cifar10, N=128, seed 0 (engine %s)",
				path, s.Dataset, s.Data, s.N, s.Seed, s.Engine, gradsign.EngineVersion)
		}
		rows, names, err := scorefile.Read(path)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, "gradsign") {
			return nil, fmt.Errorf("%s has no gradsign column", path)
		}
		for _, r := range rows {
			known[r.Index] = r.Values["gradsign"]
		}
	}
	if missing := nb201.NumArchs - len(known); missing > 0 {
		fmt.Fprintf(stderr, "gradsign search: %d of %d architectures have no score in %s: they are scored on the fly when drawn (about 1 s each on two cores)\n", missing, nb201.NumArchs, source)
	}
	x, labels, err := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, 128, nil)
	if err != nil {
		return nil, err
	}
	table := assets.Table()
	return func(index int) (float64, error) {
		if v, ok := known[index]; ok {
			return v, nil
		}
		e, err := table.At(index)
		if err != nil {
			return 0, err
		}
		net, err := network.Build[float32](nb201.CIFAR10(e.Arch))
		if err != nil {
			return 0, err
		}
		net.Init(0)
		r, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{})
		if err != nil {
			return 0, err
		}
		known[index] = r.Score
		return r.Score, nil
	}, nil
}
