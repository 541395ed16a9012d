package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	swapassets "gradsign/assets/swap"
)

// TestPlotFile draws two columns of a small SWAP score file: one panel each, titled with its
// ρ against SWAP's accuracy; a column the file lacks is named in the error.
func TestPlotFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.svg")
	var b strings.Builder
	b.WriteString("index,arch,gradsign,params\n")
	for i := range 5 {
		e, _ := swapassets.Table().At(i)
		// gradsign is the accuracy negated and params the accuracy itself: ρ −1 and 1.
		fmt.Fprintf(&b, "%d,\"%s\",%g,%g\n", i, e.Genotype, -e.Accuracy, e.Accuracy)
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	n, panels, err := plotFile(in, []string{"gradsign", "params"}, out)
	if err != nil || n != 5 || panels != 2 {
		t.Fatalf("%d architectures, %d panels, %v", n, panels, err)
	}
	svg, _ := os.ReadFile(out)
	if !strings.Contains(string(svg), "ρ -1.00") || !strings.Contains(string(svg), "ρ 1.00") {
		t.Fatalf("the panels' titles lack ρ −1 (gradsign) and 1 (params)")
	}
	if _, _, err := plotFile(in, []string{"naswot"}, out); err == nil || !strings.Contains(err.Error(), "no column naswot") {
		t.Fatalf("missing column: %v", err)
	}
}
