// Command mkreference scores a seeded uniform sample of NAS-Bench-201 architectures with
// GradSign on the bundled CIFAR-10 images, at each sample count the web app offers, and writes
// them with their benchmark accuracies as the app's reference set: the page ranks a new score
// among them and plots them. Scores at N images use images 0..N-1, so one pass over 128 images
// yields every prefix.
//
//	go run ./tools/mkreference -k 200 -out assets/reference.json
//
// Each entry also gets its parameter count, and the set, for each sample count, Spearman's rho
// of GradSign and of the parameter count against CIFAR-10 accuracy (the page shows them; the
// wasm build leaves the statistics package out). -restat recomputes only those for an existing
// file. -proxy-files adds the baseline proxies of score files of the set's architectures
// (gradsign eval --indices, one N each; make reference-proxies).
//
//	go run ./tools/mkreference -spaces -out assets/reference_spaces.json
//
// writes the other spaces' references instead: the NAS-Bench-101 and NAS-Bench-301 results
// files (results/nb101, results/nb301) with their settings, each row's benchmark accuracy and
// parameter count, and Spearman's rho of GradSign and of the parameter count (spaces.go).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/refset"
	"gradsign/engine/stats"
)

func main() {
	k := flag.Int("k", 200, "architectures")
	sampleSeed := flag.Uint64("sample-seed", 1, "seed of the architecture draw")
	seed := flag.Uint64("seed", 0, "seed of the weight initialisation")
	out := flag.String("out", "assets/reference.json", "output file")
	restat := flag.Bool("restat", false, "only recompute the parameter counts and Spearman figures of the -out file")
	spaces := flag.Bool("spaces", false, "write the other spaces' references from their results files instead")
	proxyFiles := flag.String("proxy-files", "", "comma-separated score files of the set's architectures (gradsign eval --indices, one N each): add their baseline proxies to the -out file")
	flag.Parse()
	log.SetFlags(0)
	if *spaces {
		refs, err := spaceReferences()
		if err != nil {
			log.Fatal(err)
		}
		data, err := json.Marshal(refs)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *proxyFiles != "" {
		ref := readSet(*out)
		if err := addProxies(ref, strings.Split(*proxyFiles, ",")); err != nil {
			log.Fatal(err)
		}
		write(*out, ref)
		return
	}
	if *restat {
		ref := readSet(*out)
		if err := addStats(ref); err != nil {
			log.Fatal(err)
		}
		write(*out, ref)
		return
	}

	ns := []int{16, 32, 64, 128}
	set := assets.CIFAR(cifar.CIFAR10)
	x, labels, err := cifar.Batch[float32](set, 0, ns[len(ns)-1], nil)
	if err != nil {
		log.Fatal(err)
	}
	table := assets.Table()
	indices := rand.New(rand.NewPCG(*sampleSeed, 3)).Perm(nb201.NumArchs)[:*k]
	slices.Sort(indices)
	ref := refset.Set{Seed: *seed, SampleSeed: *sampleSeed, Dataset: "cifar10", Ns: ns}
	start := time.Now()
	size := 3 * cifar.Side * cifar.Side
	for i, index := range indices {
		e, _ := table.At(index)
		net, err := network.Build[float32](nb201.CIFAR10(e.Arch))
		if err != nil {
			log.Fatal(err)
		}
		net.Init(*seed)
		var signs *gradsign.Signs
		entry := refset.Entry{Index: index, Arch: e.Arch.String(), Accuracy: e.Accuracy[:]}
		from := 0
		for _, n := range ns {
			part, err := gradsign.Accumulate(context.Background(), net, x[from*size:n*size], labels[from:n], gradsign.Options{})
			if err != nil {
				log.Fatal(err)
			}
			if signs == nil {
				signs = part
			} else {
				signs.Merge(part)
			}
			entry.Scores = append(entry.Scores, signs.Result(net).Score)
			from = n
		}
		ref.Archs = append(ref.Archs, entry)
		fmt.Fprintf(os.Stderr, "\r%d/%d architectures, %s", i+1, len(indices), time.Since(start).Round(time.Second))
	}
	fmt.Fprintln(os.Stderr)
	if err := addStats(&ref); err != nil {
		log.Fatal(err)
	}
	write(*out, &ref)
}

// addStats fills in each entry's parameter count and the set's Spearman figures.
func addStats(ref *refset.Set) error {
	params := make([]float64, len(ref.Archs))
	acc := make([]float64, len(ref.Archs))
	for i := range ref.Archs {
		e := &ref.Archs[i]
		a, err := nb201.ParseArch(e.Arch)
		if err != nil {
			return err
		}
		plan, err := network.Plan[float32](nb201.CIFAR10(a))
		if err != nil {
			return err
		}
		e.Params = plan.NumParams()
		params[i], acc[i] = float64(e.Params), e.Accuracy[0]
	}
	ref.Spearman = nil
	for c := range ref.Ns {
		score := make([]float64, len(ref.Archs))
		for i, e := range ref.Archs {
			score[i] = e.Scores[c]
		}
		ref.Spearman = append(ref.Spearman, map[string]float64{"gradsign": stats.Spearman(score, acc), "params": stats.Spearman(params, acc)})
	}
	return nil
}

// readSet reads the reference set of path, or stops.
func readSet(path string) *refset.Set {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	ref, err := refset.Read(data)
	if err != nil {
		log.Fatal(err)
	}
	return ref
}

func write(path string, ref *refset.Set) {
	data, err := json.Marshal(ref)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
