package darts_test

import (
	"strings"
	"testing"

	"gradsign/assets/nb301"
	"gradsign/engine/darts"
	"gradsign/engine/network"
	"gradsign/internal/oracle"
)

// TestTableParams builds NAS-Bench-301's network of every shipped genotype and wants the
// parameter count of DARTS's NetworkCIFAR(32, 10, 8) exactly.
func TestTableParams(t *testing.T) {
	tab := nb301.Table()
	if tab.Len() != 1218 {
		t.Fatalf("%d genotypes, want 1218", tab.Len())
	}
	for i := range tab.Len() {
		e, _ := tab.At(i)
		net, err := network.Plan[float32](darts.NB301(e.Genotype))
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if net.NumParams() != e.Params {
			t.Errorf("row %d: %d parameters, DARTS's model has %d", i, net.NumParams(), e.Params)
		}
	}
}

const dartsV2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"

func TestParseGenotype(t *testing.T) {
	g, err := darts.ParseGenotype(dartsV2)
	if err != nil {
		t.Fatal(err)
	}
	if g.String() != dartsV2 {
		t.Errorf("round trip:\n%s\nwant\n%s", g, dartsV2)
	}
	r, err := darts.ParseGenotype(strings.ReplaceAll(strings.ReplaceAll(dartsV2, "[2, 3, 4, 5]", "range(2, 6)"), "'", `"`))
	if err != nil || r.String() != dartsV2 {
		t.Errorf("range(2, 6) and double quotes: %v, %v", r, err)
	}
	// NASLib's compact form of the first shipped genotype.
	c, err := darts.ParseGenotype("[[(0, 0), (1, 0), (0, 0), (2, 4), (1, 2), (3, 6), (3, 1), (4, 5)], [(1, 2), (0, 6), (1, 1), (2, 0), (3, 1), (2, 5), (1, 3), (4, 6)]]")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := nb301.Table().At(0)
	if c.String() != first.Genotype.String() {
		t.Errorf("compact form decodes to\n%s\nthe table has\n%s", c, first.Genotype)
	}
	for _, bad := range []struct{ s, says string }{
		{"", "want Genotype("},
		{"Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], reduce=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], reduce_concat=[2])", "two per node"},
		{strings.Replace(dartsV2, "sep_conv_3x3", "sep_conv_9x9", 1), "unknown op"},
		{strings.Replace(dartsV2, "('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)", 1), "want an earlier state"},
		{strings.Replace(dartsV2, "reduce_concat=[2, 3, 4, 5]", "reduce_concat=[2, 3, 9]", 1), "has state 9"},
		{strings.Replace(dartsV2, ", reduce_concat=[2, 3, 4, 5]", "", 1), "lacks reduce_concat"},
		{strings.Replace(dartsV2, "normal=[", "normal=[junk, ", 1), "pairs"},
		{"[[(0, 9)], [(0, 0)]]", "op 0..6"},
		{"[[" + strings.Repeat("(0, 0), ", 21) + "(0, 0)], [(0, 0), (1, 0)]]", "has 22 edges: want two per node, 1 to 10 nodes"},
	} {
		if _, err := darts.ParseGenotype(bad.s); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("ParseGenotype(%q): error %v, want one saying %q", bad.s, err, bad.says)
		}
	}
}

func FuzzParseGenotype(f *testing.F) {
	f.Add(dartsV2)
	f.Add("[[(0, 0), (1, 0), (0, 0), (2, 4), (1, 2), (3, 6), (3, 1), (4, 5)], [(1, 2), (0, 6), (1, 1), (2, 0), (3, 1), (2, 5), (1, 3), (4, 6)]]")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := darts.ParseGenotype(s)
		if err != nil {
			return
		}
		// A parsed genotype round-trips.
		h, err := darts.ParseGenotype(g.String())
		if err != nil || h.String() != g.String() {
			t.Fatalf("%s: round trip gives %v, %v", g, h, err)
		}
		// It builds a small network: DARTS's, or, where it has NDS ops, pycls's NDS network.
		if _, err := network.Plan[float32](darts.Config{Genotype: g, C: 4, Layers: 3, Classes: 10, H: 8, W: 8}); err != nil {
			if _, errNDS := network.Plan[float32](darts.Config{Genotype: g, C: 4, Layers: 3, Classes: 10, H: 8, W: 8, NDS: true}); errNDS != nil {
				t.Fatalf("%s: %v (as an NDS network: %v)", g, err, errNDS)
			}
		}
	})
}

// TestNamed: every named genotype parses and builds as an NDS network; DARTS_V2 and AmoebaNet
// are the reference files' genotypes.
func TestNamed(t *testing.T) {
	for _, n := range darts.Names() {
		g, err := darts.Named(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if _, err := network.Plan[float32](darts.Config{Genotype: g, C: 16, Layers: 8, Classes: 10, H: 32, W: 32, NDS: true}); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	v2, _ := darts.Named("darts_v2")
	if v2.String() != dartsV2 {
		t.Errorf("darts_v2 is %s", v2)
	}
	refs, err := oracle.Of("nds")
	if err != nil {
		t.Fatal(err)
	}
	amoeba, _ := darts.Named("amoeba")
	for _, r := range refs {
		if r.Name == "nds_amoeba.safetensors" && r.Spec.(darts.Config).Genotype.String() != amoeba.String() {
			t.Errorf("amoeba is %s, the reference file's %s", amoeba, r.Spec.(darts.Config).Genotype)
		}
	}
	if _, err := darts.Named("enas"); err == nil {
		t.Error("enas has no named cell in pycls, yet Named found one")
	}
}
