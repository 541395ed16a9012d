// Command mkspace turns the whole-space GradSign file of `gradsign eval --all` (a score file
// with its .run.json sidecar, package scorefile) into the web app's compact asset (package
// space): one float32 per NAS-Bench-201 index, NaN where the run has not reached yet. It reads
// a run still going, as far as it has gone.
//
//	go run ./tools/mkspace [-csv results/gradsign_nb201_all_cifar10_n128_seed0.csv] [-out assets/nb201_space.bin]
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"slices"

	"gradsign/engine/space"
	"gradsign/internal/scorefile"
)

// DefaultCSV is the project's whole-space run.
const DefaultCSV = "results/gradsign_nb201_all_cifar10_n128_seed0.csv"

func main() {
	in := flag.String("csv", DefaultCSV, "whole-space scores from gradsign eval --all --proxies gradsign")
	out := flag.String("out", "assets/nb201_space.bin", "the asset to write")
	flag.Parse()
	log.SetFlags(0)
	s, err := build(*in)
	if err != nil {
		log.Fatal("mkspace: ", err)
	}
	data, _ := s.MarshalBinary()
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal("mkspace: ", err)
	}
	fmt.Printf("%s: %d of %d architectures scored (N=%d, seed %d)\n", *out, s.Scored(), len(s.Values), s.N, s.Seed)
}

// build reads the scores and takes N and the seed from the sidecar, which must say CIFAR-10
// images and GradSign alone.
func build(path string) (*space.Scores, error) {
	run, err := scorefile.ReadSettings(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: the run's N and seed come from it", path, scorefile.SettingsPath(path))
	}
	if err != nil {
		return nil, err
	}
	if run.Dataset != "cifar10" || !slices.Equal(run.Proxies, []string{"gradsign"}) {
		return nil, fmt.Errorf("%s: a %s run of %v; want GradSign alone on CIFAR-10", path, run.Dataset, run.Proxies)
	}
	rows, _, err := scorefile.ReadSoFar(path)
	if err != nil {
		return nil, err
	}
	s := space.New(uint32(run.N), uint32(run.Seed))
	for _, r := range rows {
		if !math.IsNaN(float64(s.Values[r.Index])) {
			return nil, fmt.Errorf("%s: index %d scored twice", path, r.Index)
		}
		s.Values[r.Index] = float32(r.Values["gradsign"])
	}
	return s, nil
}
