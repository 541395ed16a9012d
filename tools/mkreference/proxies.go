package main

import (
	"fmt"
	"math"
	"slices"

	"gradsign/engine/refset"
	"gradsign/internal/scorefile"
)

// addProxies puts the baseline proxies of score files (gradsign eval --indices of the set's
// architectures, each file at one N) into the set's entries, so that the page can rank a
// browser's proxy value among them. Each file must be of the set's images and weights
// (bundled CIFAR-10, its seed, an N the set has), hold only the set's architectures, and agree
// with the set's GradSign where it has it (to 1e-4: float32's noise).
func addProxies(ref *refset.Set, files []string) error {
	at := map[int]int{}
	for i, e := range ref.Archs {
		at[e.Index] = i
	}
	for _, f := range files {
		s, err := scorefile.ReadSettings(f)
		if err != nil {
			return err
		}
		c := slices.Index(ref.Ns, s.N)
		switch {
		case c < 0:
			return fmt.Errorf("%s: N=%d, the set has N = %v", f, s.N, ref.Ns)
		case s.Seed != ref.Seed || s.Dataset != ref.Dataset || s.Data != "bundled "+ref.Dataset:
			return fmt.Errorf("%s: seed %d, %s (%s); the set is seed %d on the bundled %s", f, s.Seed, s.Dataset, s.Data, ref.Seed, ref.Dataset)
		}
		rows, names, err := scorefile.Read(f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			i, ok := at[r.Index]
			if !ok {
				return fmt.Errorf("%s: index %d is not in the set", r.Where, r.Index)
			}
			e := &ref.Archs[i]
			// Within float32's noise: a gradient next to zero can take the other sign with other
			// chunking or another kernel (the set's scores at N=16 differ from eval's by 0–2 of
			// 1.7 million in 29 of 200).
			if g, ok := r.Values["gradsign"]; ok && math.Abs(g-e.Scores[c]) > 1e-4*e.Scores[c] {
				return fmt.Errorf("%s: GradSign %v, the set has %v at N=%d: not the same engine", r.Where, g, e.Scores[c], s.N)
			}
			for _, name := range names {
				if name == "gradsign" || name == "params" || name == "flops" {
					continue
				}
				if e.Proxies == nil {
					e.Proxies = map[string][]*float64{}
				}
				if e.Proxies[name] == nil {
					e.Proxies[name] = make([]*float64, len(ref.Ns))
				}
				if v, ok := r.Values[name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
					e.Proxies[name][c] = &v
				}
			}
		}
	}
	return nil
}
