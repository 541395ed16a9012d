// Command mkspace turns the whole-space GradSign file of `gradsign eval --all` (CSV with its
// .run.json sidecar) into the web app's compact asset (package space): one float32 per
// NAS-Bench-201 index, NaN where the run has not reached yet. Every row's arch is checked
// against the benchmark's at its index.
//
//	go run ./tools/mkspace [-csv results/gradsign_nb201_all_cifar10_n128_seed0.csv] [-out assets/nb201_space.bin]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"

	"gradsign/assets"
	"gradsign/engine/space"
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
// images and GradSign.
func build(path string) (*space.Scores, error) {
	meta, err := os.ReadFile(path + ".run.json")
	if err != nil {
		return nil, fmt.Errorf("%v (the run's settings come from its sidecar)", err)
	}
	var run struct {
		Dataset string   `json:"dataset"`
		N       uint32   `json:"n"`
		Seed    uint32   `json:"seed"`
		Proxies []string `json:"proxies"`
	}
	if err := json.Unmarshal(meta, &run); err != nil {
		return nil, fmt.Errorf("%s.run.json: %v", path, err)
	}
	if run.Dataset != "cifar10" || len(run.Proxies) != 1 || run.Proxies[0] != "gradsign" {
		return nil, fmt.Errorf("%s: a %s run of %v; want GradSign alone on CIFAR-10", path, run.Dataset, run.Proxies)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A run still going may have written part of its last row: leave it out, as --resume does.
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	return space.FromCSV(bytes.NewReader(data), assets.Table(), run.N, run.Seed)
}
