// Package refset is a reference set: NAS-Bench-201 architectures scored with GradSign at
// several sample counts, with their benchmark accuracies. It says where a new score ranks (a
// percentile) and gives the points of a score-against-accuracy plot. tools/mkreference makes
// one; the app ships it as assets/reference.json.
package refset

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Set is a reference set.
type Set struct {
	Seed       uint64  `json:"seed"`        // weight initialisation of every network
	SampleSeed uint64  `json:"sample_seed"` // seed of the architecture draw
	Dataset    string  `json:"dataset"`     // the scores use images 0..N-1 of this bundled set
	Ns         []int   `json:"ns"`          // the sample counts scored
	Archs      []Entry `json:"archs"`
	// Spearman holds, for each sample count (in the order of Ns), Spearman's rho of GradSign
	// and of the parameter count against CIFAR-10 accuracy over the set, as mkreference
	// computed them natively ({"gradsign": ..., "params": ...}).
	Spearman []map[string]float64 `json:"spearman,omitempty"`
}

// Entry is one architecture.
type Entry struct {
	Index    int       `json:"index"`
	Arch     string    `json:"arch"`
	Accuracy []float64 `json:"accuracy"` // 200-epoch test accuracy: cifar10, cifar100, imagenet16
	Scores   []float64 `json:"gradsign"` // by sample count, in the order of Set.Ns
	Params   int       `json:"params,omitempty"`
	// Proxies holds the other proxies' values by name, by sample count in the order of Set.Ns:
	// null where a proxy was not computed at that count or has no finite value.
	Proxies map[string][]*float64 `json:"proxies,omitempty"`
}

// ProxyRank is where a proxy's value stands among the set's values of that proxy at n
// samples: Rank 1 the highest (and 1 + the number above it), Of the set and itself,
// Percentile the share of the set below it (ties count half). The set's non-finite values
// rank below every value.
type ProxyRank struct {
	Rank       int     `json:"rank"`
	Of         int     `json:"of"`
	Percentile float64 `json:"percentile"`
}

// RankProxy places value of proxy name at n samples among the set's; an error where the set
// has no values of that proxy at n.
func (s *Set) RankProxy(n int, name string, value float64) (ProxyRank, error) {
	c, err := s.column(n)
	if err != nil {
		return ProxyRank{}, err
	}
	r := ProxyRank{Rank: 1, Of: 1}
	below := 0.0
	for _, e := range s.Archs {
		vs := e.Proxies[name]
		if len(vs) <= c {
			continue
		}
		r.Of++
		switch v := vs[c]; {
		case v == nil || *v < value:
			below++
		case *v == value:
			below += 0.5
		default:
			r.Rank++
		}
	}
	if r.Of == 1 {
		return ProxyRank{}, fmt.Errorf("the reference set has no %s values at N=%d", name, n)
	}
	r.Percentile = 100 * below / float64(r.Of-1)
	return r, nil
}

// Read parses and checks a set.
func Read(data []byte) (*Set, error) {
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reference set: %v", err)
	}
	if len(s.Archs) == 0 || len(s.Ns) == 0 {
		return nil, fmt.Errorf("reference set: empty")
	}
	for _, e := range s.Archs {
		if len(e.Scores) != len(s.Ns) || len(e.Accuracy) != 3 {
			return nil, fmt.Errorf("reference set: index %d has %d scores and %d accuracies, want %d and 3", e.Index, len(e.Scores), len(e.Accuracy), len(s.Ns))
		}
	}
	return &s, nil
}

// column is the position of sample count n in Ns.
func (s *Set) column(n int) (int, error) {
	c := slices.Index(s.Ns, n)
	if c < 0 {
		return 0, fmt.Errorf("the reference set has no scores at N=%d (it has N = %v)", n, s.Ns)
	}
	return c, nil
}

// Percentile is the share of the set, in percent, whose score at n samples is below score
// (ties count half).
func (s *Set) Percentile(n int, score float64) (float64, error) {
	c, err := s.column(n)
	if err != nil {
		return 0, err
	}
	below := 0.0
	for _, e := range s.Archs {
		switch {
		case e.Scores[c] < score:
			below++
		case e.Scores[c] == score:
			below += 0.5
		}
	}
	return 100 * below / float64(len(s.Archs)), nil
}

// Point is one architecture of a plot.
type Point struct {
	Index    int     `json:"index"`
	Arch     string  `json:"arch"`
	Score    float64 `json:"gradsign"`
	Accuracy float64 `json:"accuracy"`
	Params   int     `json:"params"`
}

// SpearmanAt returns the set's Spearman figures at n samples (nil if it has none).
func (s *Set) SpearmanAt(n int) (map[string]float64, error) {
	c, err := s.column(n)
	if err != nil || c >= len(s.Spearman) {
		return nil, err
	}
	return s.Spearman[c], nil
}

// Points returns every architecture's score at n samples against its accuracy on dataset d
// (0 cifar10, 1 cifar100, 2 imagenet16), sorted by score.
func (s *Set) Points(n, d int) ([]Point, error) {
	c, err := s.column(n)
	if err != nil {
		return nil, err
	}
	if d < 0 || d > 2 {
		return nil, fmt.Errorf("dataset %d: want 0, 1 or 2", d)
	}
	pts := make([]Point, len(s.Archs))
	for i, e := range s.Archs {
		pts[i] = Point{e.Index, e.Arch, e.Scores[c], e.Accuracy[d], e.Params}
	}
	slices.SortFunc(pts, func(a, b Point) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return a.Index - b.Index
	})
	return pts, nil
}
