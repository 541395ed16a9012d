// Command zccompare checks our proxies' rankings against NAS-Bench-Suite-Zero's published
// scores (NASLib's zc_nasbench201.json on CIFAR-10, see testdata/naslib): on architectures
// scored by both, the Spearman correlation between our value and theirs, proxy by proxy. Their
// initialisation, images and batch differ from ours, so values differ; rankings should agree.
// With -again, a second run of ours (another seed) on the same architectures, it adds the
// Spearman correlation between our two runs: how much of a disagreement with NAS-Bench-Suite-Zero
// the proxy's own dependence on the initial weights explains.
//
//	go run ./tools/zccompare -scores results/eval_cifar10_sample1000_n128_seed0.csv -k 100 \
//	    -again results/eval_cifar10_zccompare100_n128_seed1.csv
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gradsign/engine/stats"
)

// pairs maps our proxy names to NAS-Bench-Suite-Zero's columns.
var pairs = [][2]string{
	{"gradsign", ""}, // not in NAS-Bench-Suite-Zero: only against our other run
	{"synflow", "synflow"}, {"snip", "snip"}, {"grad_norm", "grad_norm"}, {"grasp", "grasp"},
	{"fisher", "fisher"}, {"jacob_cov", "jacov"}, {"naswot", "nwot"}, {"plain", "plain"},
	{"params", "params"}, {"flops", "flops"},
}

func main() {
	scores := flag.String("scores", "", "our score file (CSV from gradsign eval --out)")
	naslib := flag.String("naslib", "testdata/naslib/nb201_zc_proxies_cifar10_naslib.csv", "NAS-Bench-Suite-Zero's scores")
	k := flag.Int("k", 100, "compare on the first k common architectures by index (0: all)")
	againFile := flag.String("again", "", "optional: a second score file of ours (another seed) covering those architectures")
	flag.Parse()
	log.SetFlags(0)
	ours, err := readCSV(*scores, "index")
	if err != nil {
		log.Fatal(err)
	}
	theirs, err := readCSV(*naslib, "index")
	if err != nil {
		log.Fatal(err)
	}
	var common []int
	for idx := range ours {
		if _, ok := theirs[idx]; ok {
			common = append(common, idx)
		}
	}
	slices.Sort(common)
	if *k > 0 && len(common) > *k {
		common = common[:*k]
	}
	var again map[int]map[string]float64
	if *againFile != "" {
		if again, err = readCSV(*againFile, "index"); err != nil {
			log.Fatal(err)
		}
		for _, idx := range common {
			if _, ok := again[idx]; !ok {
				log.Fatalf("%s has no row for index %d: it must cover the %d architectures compared", *againFile, idx, len(common))
			}
		}
	}
	fmt.Printf("%d architectures scored by both (the first by index of the %s ∩ NAS-Bench-Suite-Zero)\n", len(common), *scores)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if again != nil {
		fmt.Printf("last column: Spearman between our two runs, %s and %s\n", *scores, *againFile)
		fmt.Fprintf(tw, "ours\ttheirs\tSpearman\tours vs ours\t\n")
	} else {
		fmt.Fprintf(tw, "ours\ttheirs\tSpearman\t\n")
	}
	for _, p := range pairs {
		var a, b, a0, a1 []float64
		for _, idx := range common {
			va, oka := ours[idx][p[0]]
			vb, okb := theirs[idx][p[1]]
			if oka && okb {
				a, b = append(a, va), append(b, vb)
			}
			if v1, ok := again[idx][p[0]]; oka && ok {
				a0, a1 = append(a0, va), append(a1, v1)
			}
		}
		if len(a) < 2 && len(a0) < 2 {
			continue
		}
		theirsName, vsTheirs := "-", "-"
		if len(a) >= 2 {
			theirsName, vsTheirs = p[1], fmt.Sprintf("%.3f", stats.Spearman(a, b))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t", p[0], theirsName, vsTheirs)
		if again != nil {
			fmt.Fprintf(tw, "%.3f\t", stats.Spearman(a0, a1))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// readCSV reads a CSV with a header into index -> column -> value (numeric columns only).
func readCSV(path, key string) (map[int]map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	col := slices.Index(head, key)
	if col < 0 {
		return nil, fmt.Errorf("%s: no %q column in %s", path, key, strings.Join(head, ","))
	}
	out := map[int]map[string]float64{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		idx, err := strconv.Atoi(rec[col])
		if err != nil {
			return nil, fmt.Errorf("%s: index %q", path, rec[col])
		}
		m := map[string]float64{}
		for i, v := range rec {
			if x, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(x) {
				m[head[i]] = x
			}
		}
		out[idx] = m
	}
}
