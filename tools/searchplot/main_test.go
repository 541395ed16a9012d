package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gradsign/assets"
)

// TestCurvesAndFigure reads two made-up runs (indices of the real benchmark, so their
// accuracies are known), checks the best-so-far accuracies and their mean and quartiles at the
// grid's times, and draws a figure from them.
func TestCurvesAndFigure(t *testing.T) {
	dir := t.TempDir()
	acc := func(i int) float64 { e, _ := assets.Table().At(i); return e.Accuracy[0] }
	// Run 0 trains index 5 at 100 s and index 9 (its best) at 6,000 s; run 1 trains index 7 at
	// 200 s and nothing better after.
	runs := `{"run":0,"trajectory":[{"index":5,"seconds":100,"best":5},{"index":9,"seconds":6000,"best":9}]}
{"run":1,"trajectory":[{"index":7,"seconds":200,"best":7},{"index":3,"seconds":300,"best":7}]}
`
	for _, kind := range []string{"vanilla", "gradsign"} {
		if err := os.WriteFile(filepath.Join(dir, "rs_"+kind+"_2runs_seed0.trajectories.jsonl"), []byte(runs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := readCurves(filepath.Join(dir, "rs_vanilla_2runs_seed0.trajectories.jsonl"), 0, 12000)
	if err != nil {
		t.Fatal(err)
	}
	// Grid point 0 is at 100 s: only run 0 has trained; point 59 (6,000 s): both, run 0's best is 9.
	if len(c.at[0]) != 1 || c.at[0][0] != acc(5) {
		t.Fatalf("at 100 s: %v, want [%v]", c.at[0], acc(5))
	}
	if got := c.at[59]; len(got) != 2 || got[0] != acc(9) || got[1] != acc(7) {
		t.Fatalf("at 6,000 s: %v, want [%v %v]", got, acc(9), acc(7))
	}
	mean, lo, hi := c.summary(12000)
	last := len(mean) - 1
	if mean[last].X != 12000 || mean[last].Y != (acc(9)+acc(7))/2 || lo[last].Y != min(acc(9), acc(7)) || hi[last].Y != max(acc(9), acc(7)) {
		t.Fatalf("summary at the end: mean %v, quartiles %v %v", mean[last], lo[last], hi[last])
	}
	if _, err := readCurves(filepath.Join(dir, "missing.jsonl"), 0, 12000); !os.IsNotExist(err) {
		t.Fatalf("a missing file: %v", err)
	}
	out := filepath.Join(dir, "figure.svg")
	p := panel{algo: "rs", curves: []curves{c, c, c}}
	if err := draw2([]panel{p}, "cifar10", 12000, "1.1", out); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(out)
	if !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "random search") ||
		!strings.Contains(string(svg), "1.1 s a score charged") || !strings.Contains(string(svg), "stroke-dasharray") {
		t.Fatalf("figure: %.200s", svg)
	}
}
