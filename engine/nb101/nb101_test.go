package nb101_test

import (
	nb101assets "gradsign/assets/nb101"
	"strings"
	"testing"

	"gradsign/engine/nb101"
	"gradsign/engine/network"
)

// TestTableParams builds the full-size network of every shipped cell (the table's reader has
// already checked each cell's hash against NAS-Bench-101's) and wants NAS-Bench-101's
// trainable parameter count exactly.
func TestTableParams(t *testing.T) {
	tab := nb101assets.Table()
	if tab.Len() != 1000 {
		t.Fatalf("%d cells, want 1000", tab.Len())
	}
	for i := range tab.Len() {
		e, _ := tab.At(i)
		net, err := network.Plan[float32](nb101.CIFAR10(e.Cell))
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if net.NumParams() != e.Params {
			t.Errorf("row %d (%s): %d parameters, NAS-Bench-101 counts %d", i, e.Hash, net.NumParams(), e.Params)
		}
	}
}

func TestParseCell(t *testing.T) {
	// Row 74 of the table, in the 7x7 form with all ops and in the 6x6 form with interior ops.
	c, err := nb101.ParseCell("0100010001110000011000000100000001000000000000000",
		strings.Split("input|conv1x1-bn-relu|conv1x1-bn-relu|conv3x3-bn-relu|conv1x1-bn-relu|output", "|"))
	if err != nil {
		t.Fatal(err)
	}
	if h := c.Hash(); h != "000b7e23da8290399b484424f21060e3" {
		t.Errorf("hash %s, NAS-Bench-101 has 000b7e23da8290399b484424f21060e3", h)
	}
	six := "010001" + "001110" + "000110" + "000010" + "000001" + "000000"
	d, err := nb101.ParseCell(six, []string{"conv1x1-bn-relu", "conv1x1-bn-relu", "conv3x3-bn-relu", "conv1x1-bn-relu"})
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != c.String() {
		t.Errorf("6x6 form %s, 7x7 form %s", d, c)
	}
	// A vertex off every input-output path is pruned, as NAS-Bench-101's ModelSpec prunes.
	p, err := nb101.ParseCell("0110"+"0001"+"0000"+"0000", []string{"conv3x3-bn-relu", "maxpool3x3"})
	if err != nil {
		t.Fatal(err)
	}
	if p.V() != 3 || p.OpList() != "input|conv3x3-bn-relu|output" {
		t.Errorf("pruned to %s, want input|conv3x3-bn-relu|output", p)
	}
	for _, c := range []struct{ digits, ops, says string }{
		{"01010", "", "want V²"},
		{"012000000", "conv3x3-bn-relu", "want 0 or 1"},
		{"0000" + "1000" + "0000" + "0000", "conv3x3-bn-relu,conv3x3-bn-relu", "upper-triangular"},
		{"010000000", "conv3x3-bn-relu", "no path"},
		{"011" + "001" + "000", "conv5x5", "unknown NAS-Bench-101 op"},
		{"011" + "001" + "000", "conv3x3-bn-relu,maxpool3x3", "2 ops given for a 3x3 adjacency: want one per interior vertex (at most 1)"},
		{"01" + "00", "conv3x3-bn-relu", "1 op given for a 2x2 adjacency"},
		{"0111111" + "0011111" + "0001111" + "0000111" + "0000011" + "0000001" + "0000000",
			"conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu", "at most 9"},
		{"011" + "001" + "000", "input,output,output", "interior vertices"},
	} {
		ops := strings.Split(c.ops, ",")
		if c.ops == "" {
			ops = nil
		}
		if _, err := nb101.ParseCell(c.digits, ops); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseCell(%q, %q): error %v, want one saying %q", c.digits, c.ops, err, c.says)
		}
	}
}

func TestParseCellString(t *testing.T) {
	c, err := nb101.ParseCellString(" 011001000 input|maxpool3x3|output ")
	if err != nil || c.V() != 3 || c.OpList() != "input|maxpool3x3|output" {
		t.Fatalf("got %v, %v", c, err)
	}
	if d, err := nb101.ParseCellString("011001000 maxpool3x3"); err != nil || d.String() != c.String() {
		t.Fatalf("interior ops only: %v, %v", d, err)
	}
	for _, bad := range []string{"", "011000000", "011000000 conv9x9", "0110 input|output"} {
		if _, err := nb101.ParseCellString(bad); err == nil {
			t.Errorf("ParseCellString(%q): no error", bad)
		}
	}
}

func FuzzParseCell(f *testing.F) {
	f.Add("0100010001110000011000000100000001000000000000000", "conv1x1-bn-relu,conv1x1-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu")
	f.Add("011001000", "maxpool3x3")
	f.Fuzz(func(t *testing.T, digits, ops string) {
		// The text form the page sends: any string is a cell or an error, never a panic.
		if c, err := nb101.ParseCellString(digits + " " + ops); err == nil && c.V() < 2 {
			t.Fatalf("%q %q: a cell of %d vertices", digits, ops, c.V())
		}
		c, err := nb101.ParseCell(digits, strings.Split(ops, ","))
		if err != nil {
			return
		}
		// A parsed cell round-trips through its 7x7 form and its string, and builds.
		d, err := nb101.ParseCell(c.Matrix(), strings.Split(c.OpList(), "|"))
		if err != nil || d.Hash() != c.Hash() {
			t.Fatalf("%s: round trip gives %v, %v", c, d, err)
		}
		if e, err := nb101.ParseCellString(c.String()); err != nil || e.String() != c.String() {
			t.Fatalf("%s: ParseCellString gives %v, %v", c, e, err)
		}
		if _, err := network.Plan[float32](nb101.Config{Cell: c, Stem: 4, Stacks: 3, CellsPerStack: 1, Classes: 10, H: 8, W: 8}); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	})
}

// A stem narrower than the vertices that feed a cell's output would give some of them no
// channel: refused, naming the least width; at that width the network builds.
func TestNarrowStem(t *testing.T) {
	// Vertices 1, 2 and 3 all feed the output.
	cell, err := nb101.ParseCell("01111"+"00001"+"00001"+"00001"+"00000", []string{"conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, stem := range []int{1, 2} {
		cfg := nb101.CIFAR10(cell)
		cfg.Stem = stem
		if _, err := network.Plan[float32](cfg); err == nil || !strings.Contains(err.Error(), "among the 3 vertices that feed it, at least one each: want at least 3") {
			t.Errorf("stem %d: %v", stem, err)
		}
	}
	cfg := nb101.CIFAR10(cell)
	cfg.Stem = 3
	if _, err := network.Build[float32](cfg); err != nil {
		t.Errorf("stem 3: %v", err)
	}
}
