package refset

import (
	"strings"
	"testing"
)

const small = `{"seed":0,"sample_seed":1,"dataset":"cifar10","ns":[16,32],"archs":[
{"index":5,"arch":"a","accuracy":[90,70,40],"gradsign":[10,100]},
{"index":7,"arch":"b","accuracy":[80,60,30],"gradsign":[30,300]},
{"index":9,"arch":"c","accuracy":[85,65,35],"gradsign":[20,200]},
{"index":11,"arch":"d","accuracy":[70,50,20],"gradsign":[20,400]}]}`

func TestPercentileAndPoints(t *testing.T) {
	s, err := Read([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n          int
		score, pct float64
	}{{16, 5, 0}, {16, 20, 50}, {16, 25, 75}, {16, 99, 100}, {32, 250, 50}} {
		if got, err := s.Percentile(c.n, c.score); err != nil || got != c.pct {
			t.Errorf("Percentile(%d, %v) = %v, %v; want %v", c.n, c.score, got, err, c.pct)
		}
	}
	pts, err := s.Points(16, 1)
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	for _, p := range pts {
		idx = append(idx, p.Index)
	}
	if want := []int{5, 9, 11, 7}; len(idx) != 4 || idx[0] != 5 || idx[1] != 9 || idx[2] != 11 || idx[3] != 7 || pts[3].Accuracy != 60 {
		t.Errorf("points order %v, want %v (accuracy %v)", idx, want, pts[3].Accuracy)
	}
	if _, err := s.Percentile(64, 1); err == nil || !strings.Contains(err.Error(), "N=64") {
		t.Errorf("N=64: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, bad := range []string{``, `{}`, `{"ns":[16],"archs":[{"index":1,"accuracy":[1,2,3],"gradsign":[]}]}`} {
		if _, err := Read([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestRankProxy: a proxy's value placed among the set's at one N, non-finite values below all.
func TestRankProxy(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	s := &Set{Ns: []int{16, 32}, Archs: []Entry{
		{Proxies: map[string][]*float64{"snip": {f(1), f(10)}}},
		{Proxies: map[string][]*float64{"snip": {f(3), nil}}},
		{Proxies: map[string][]*float64{"snip": {nil, f(30)}}},
		{},
	}}
	r, err := s.RankProxy(16, "snip", 2)
	if err != nil || r != (ProxyRank{Rank: 2, Of: 4, Percentile: 100 * 2.0 / 3}) {
		t.Fatalf("snip 2 at N=16: %+v, %v", r, err)
	}
	if r, _ := s.RankProxy(32, "snip", 10); r != (ProxyRank{Rank: 2, Of: 4, Percentile: 100 * 1.5 / 3}) {
		t.Fatalf("snip 10 at N=32 (a tie): %+v", r)
	}
	if _, err := s.RankProxy(16, "synflow", 1); err == nil {
		t.Error("a proxy the set lacks: no error")
	}
	if _, err := s.RankProxy(64, "snip", 1); err == nil {
		t.Error("an N the set lacks: no error")
	}
}
