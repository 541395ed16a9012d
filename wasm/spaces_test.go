package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"gradsign/assets"
	nb101assets "gradsign/assets/nb101"
	nb301assets "gradsign/assets/nb301"
	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb101"
	"gradsign/engine/network"
)

func spacesSession(t *testing.T) *session {
	t.Helper()
	s := testSession(t)
	refs, err := os.ReadFile("../assets/reference_spaces.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.loadSpaces(nb101assets.Gz, nb301assets.Gz, refs); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSpacesLookup: a NAS-Bench-101 cell by row, hash or its adjacency and ops, and a DARTS
// genotype by row or as written, are the same architecture with the benchmark's facts; the
// parameter counts are the benchmark's.
func TestSpacesLookup(t *testing.T) {
	s := spacesSession(t)
	e, _ := nb101assets.Table().At(7)
	var infos []archInfo
	for _, q := range []string{"7", e.Hash, e.Cell.String(), " " + e.Cell.Matrix() + " " + strings.ReplaceAll(e.Cell.OpList(), "|", ",")} {
		info, err := s.lookup(archRef{Space: "nb101", Arch: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		infos = append(infos, info)
	}
	for _, info := range infos {
		if info.Index == nil || *info.Index != 7 || info.Hash != e.Hash || info.Params != e.Params || info.Channels != 128 ||
			info.Accuracy["valid108"] != e.Valid108 || !strings.Contains(info.Truth, "108 epochs") || info.StructuralZeros != 0 {
			t.Fatalf("nb101 row 7: %+v, want hash %s, %d params", info, e.Hash, e.Params)
		}
	}
	small, err := s.lookup(archRef{Space: "nb101", Arch: "7", Channels: 16})
	if err != nil || small.Channels != 16 || small.Params >= e.Params {
		t.Fatalf("stem 16: %+v, %v", small, err)
	}

	d, _ := nb301assets.Table().At(3)
	byRow, err := s.lookup(archRef{Space: "darts", Arch: "3"})
	if err != nil {
		t.Fatal(err)
	}
	byGenotype, err := s.lookup(archRef{Space: "darts", Arch: d.Genotype.String()})
	if err != nil || byRow.Arch != byGenotype.Arch || byGenotype.Index == nil || *byGenotype.Index != 3 || byRow.Params != d.Params ||
		byRow.Accuracy["nb301"] != d.Accuracy || byRow.Channels != 32 {
		t.Fatalf("darts row 3 %+v, by genotype %+v, %v; want %d params", byRow, byGenotype, err, d.Params)
	}
	// The NDS network of DARTS_V2: no table, and structural zeros known from the graph alone.
	v2, err := s.lookup(archRef{Space: "nds", Arch: "darts_v2"})
	if err != nil || v2.Index != nil || v2.StructuralZeros == 0 || v2.Channels != 16 || v2.Truth != "" {
		t.Fatalf("nds darts_v2: %+v, %v", v2, err)
	}
	for _, bad := range []archRef{{Space: "nb101", Arch: "1000"}, {Space: "nb101", Arch: "12a"}, {Space: "nb101", Arch: strings.Repeat("f", 32)},
		{Space: "darts", Arch: "1218"}, {Space: "nds", Arch: "3"}, {Space: "darts", Arch: "enas"}, {Space: "nb102", Arch: "0"},
		{Space: "nb201", Arch: "0", Channels: 32}, {Space: "nb101", Arch: "0", Channels: 1000}} {
		if _, err := s.lookup(bad); err == nil {
			t.Errorf("lookup(%+v): no error", bad)
		}
	}
	// A stem of 1 or 2 channels is too narrow for a cell whose output more vertices feed: the
	// error names the channels (it panicked in the graph builder).
	refused := 0
	for row := range 20 {
		for _, c := range []int{1, 2} {
			_, err := s.lookup(archRef{Space: "nb101", Arch: fmt.Sprint(row), Channels: c})
			if err != nil {
				refused++
				if !strings.Contains(err.Error(), fmt.Sprintf("stem channels %d:", c)) {
					t.Errorf("nb101 row %d with %d channels: %v", row, c, err)
				}
			}
		}
	}
	if refused == 0 {
		t.Error("no NAS-Bench-101 cell of the first 20 refused a stem of 1 or 2 channels")
	}
}

// TestSpacesPartsAddUp: a NAS-Bench-101 score split over workers is the native score of all
// the images, placed in the space's reference where its settings are the reference's.
func TestSpacesPartsAddUp(t *testing.T) {
	s := spacesSession(t)
	ref := archRef{Space: "nb101", Arch: "5", Channels: 16}
	const n = 32
	var parts [][]byte
	for _, r := range [][2]int{{0, 20}, {20, 32}} {
		p, err := s.accumulate(context.Background(), ref, 0, r[0], r[1], "cpu", nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	res, err := s.finish(ref, 0, n, parts)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := nb101assets.Table().At(5)
	cfg := nb101.CIFAR10(e.Cell)
	cfg.Stem = 16
	net, _ := network.Build[float32](cfg)
	net.Init(0)
	x, labels, _ := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, n, nil)
	want, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GradSign != want.Score || res.Percentile == nil || res.Rank == nil || res.Rank.Of != 1001 || res.Rank.Accuracy < 1 {
		t.Fatalf("parts give %v (percentile %v, rank %+v), one pass %v", res.GradSign, res.Percentile, res.Rank, want.Score)
	}
	// The reference holds this very row, scored the same way (by an engine that summed the
	// convolutions' gradients in another order: within float32 rounding, a few in a million).
	sp, _ := s.spaceReference("nb101")
	found := false
	for _, p := range sp.Points {
		if p.Row == 5 {
			found = math.Abs(p.Score-res.GradSign) <= 2e-5*res.GradSign
		}
	}
	if !found {
		t.Fatal("row 5's score differs from the reference's")
	}
	// DARTS_V2 as an NDS network: every gradient is a structural zero, so GradSign is exactly 0.
	v2 := archRef{Space: "nds", Arch: "darts_v2", Channels: 4}
	p, err := s.accumulate(context.Background(), v2, 0, 0, 2, "cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.finish(v2, 0, 2, [][]byte{p})
	if err != nil || r.GradSign != 0 || r.StructuralZeroWeights == 0 || r.Percentile != nil {
		t.Fatalf("nds darts_v2: %v, %d structural zeros, percentile %v, %v", r.GradSign, r.StructuralZeroWeights, r.Percentile, err)
	}
}

// TestSpacesCheck: the browser refuses a network it cannot hold, saying how much it needs, and
// the keys of the other spaces name the space and the width.
func TestSpacesCheck(t *testing.T) {
	s := spacesSession(t)
	if err := s.check(archRef{Space: "darts", Arch: "0"}, 16, 0, []string{"gradsign"}); err != nil {
		t.Fatal(err)
	}
	// NAS-Bench-101's largest cell (row 849: 49 M parameters at stem 128) fits one engine; at
	// stem 256 it does not.
	big, err := s.lookup(archRef{Space: "nb101", Arch: "849"})
	if err != nil || big.Params != 49105546 || big.Engines < 1 || big.Engines > 4 {
		t.Fatalf("row 849: %+v, %v", big, err)
	}
	if err := s.check(archRef{Space: "nb101", Arch: "849"}, 16, 0, []string{"gradsign"}); err != nil {
		t.Fatal(err)
	}
	err = s.check(archRef{Space: "nb101", Arch: "849", Channels: 256}, 16, 0, []string{"gradsign"})
	if err == nil || !strings.Contains(err.Error(), "MiB") || !strings.Contains(err.Error(), "gradsign score --space nb101") {
		t.Fatalf("stem 256: %v, want a refusal with the estimate", err)
	}
	if err := s.check(archRef{Space: "nb101", Arch: "0", Channels: 16}, 32, 0, []string{"gradsign", "snip"}); err != nil {
		t.Fatal(err)
	}
	k1, err := s.historyKey("gradsign", archRef{Space: "nb101", Arch: "0", Channels: 16}, 32, 0, "wasm")
	k2, _ := s.historyKey("gradsign", archRef{Space: "nb101", Arch: "0"}, 32, 0, "wasm")
	if err != nil || k1 == k2 || !strings.Contains(k1, "space=nb101|channels=16|") {
		t.Fatalf("keys %q and %q, %v", k1, k2, err)
	}
	g, _ := darts.Named("amoeba")
	k3, _ := s.historyKey("gradsign", archRef{Space: "nds", Arch: "amoeba"}, 16, 0, "wasm")
	k4, _ := s.historyKey("gradsign", archRef{Space: "nds", Arch: g.String()}, 16, 0, "wasm")
	if k3 != k4 {
		t.Fatalf("a named genotype and the same one written out have keys %q and %q", k3, k4)
	}
	if f := s.facts(); len(f.Spaces) != 5 || f.Spaces[4].Name != "onnx" || f.Spaces[1].Rows != 1000 || f.Spaces[2].Rows != 1218 || len(f.Spaces[1].Ops) != 3 {
		t.Fatalf("facts: %+v", f.Spaces)
	}
}

// TestSpacesZerosBeforeAndAfter: the structural zeros lookup counts from the graph alone are
// the ones the score gives sign 0.
func TestSpacesZerosBeforeAndAfter(t *testing.T) {
	s := spacesSession(t)
	ref := archRef{Space: "darts", Arch: "0", Channels: 8}
	info, err := s.lookup(ref)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.accumulate(context.Background(), ref, 0, 0, 2, "cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.finish(ref, 0, 2, [][]byte{p})
	if err != nil || info.StructuralZeros == 0 || r.StructuralZeroWeights != info.StructuralZeros {
		t.Fatalf("lookup counts %d structural zeros, the score %d (%v)", info.StructuralZeros, r.StructuralZeroWeights, err)
	}
}

// TestSpacesNamed: a genotype that is one of the named ones says so (the editor shows the
// name), written out or by name; another says nothing; the spaces are listed before their
// tables are loaded, and asking about them then says what is missing.
func TestSpacesNamed(t *testing.T) {
	s := spacesSession(t)
	g, _ := darts.Named("amoeba")
	for _, q := range []archRef{{Space: "nds", Arch: "amoeba"}, {Space: "nds", Arch: g.String()}, {Space: "darts", Arch: "darts_v2"}} {
		info, err := s.lookup(q)
		want := q.Arch
		if q.Arch == g.String() {
			want = "amoeba"
		}
		if err != nil || info.Named != want {
			t.Errorf("%s %.20s: named %q, %v; want %q", q.Space, q.Arch, info.Named, err, want)
		}
	}
	if info, err := s.lookup(archRef{Space: "darts", Arch: "0"}); err != nil || info.Named != "" {
		t.Errorf("row 0: named %q, %v", info.Named, err)
	}
	bare := testSession(t)
	if f := bare.facts(); len(f.Spaces) != 5 || f.Spaces[1].Rows != nb101Rows {
		t.Fatalf("facts before the tables: %+v", f.Spaces)
	}
	if _, err := bare.lookup(archRef{Space: "nb101", Arch: "0"}); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Fatalf("nb101 before its table: %v", err)
	}
	if err := bare.loadSpaces(nb301assets.Gz, nb301assets.Gz, nil); err == nil {
		t.Fatal("the NAS-Bench-301 table read as NAS-Bench-101's: no error")
	}
}
