// Command proxyplot draws each column of a DARTS-space score file against the accuracy its
// architectures reached, one panel per column, titled with Spearman's ρ: the figure of "the
// DARTS question" (RESULTS.md), where GradSign's exact score, the official code's raw score,
// the parameter count and the share of weights that are structural zeros sit side by side.
// It reads a file that `gradsign eval --space darts|swap --out FILE` wrote; the accuracy is
// NAS-Bench-301's surrogate prediction for darts rows, SWAP's trained accuracy for swap rows.
//
//	go run ./tools/proxyplot -in results/swap/swap_all_c16_cifar10_n32_seed0.csv \
//	    -columns gradsign,gradsign_raw,params,zero_fraction -out results/swap/figure.svg
package main

import (
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	nb301assets "gradsign/assets/nb301"
	swapassets "gradsign/assets/swap"
	"gradsign/engine/darts"
	"gradsign/engine/stats"
	"gradsign/internal/plotgrid"
	"gradsign/internal/scorefile"
)

// titles say what each column is, for the panels.
var titles = map[string]string{
	"gradsign":         "GradSign (exact: structural zeros at sign 0)",
	"gradsign_raw":     "GradSign as the official code computes it",
	"params":           "parameters",
	"zero_fraction":    "share of weights that are structural zeros",
	"structural_zeros": "weights that are structural zeros",
	"synflow":          "synflow",
	"naswot":           "naswot",
}

func main() {
	in := flag.String("in", "", "score file of gradsign eval --space darts or swap (.csv or .jsonl)")
	columns := flag.String("columns", "gradsign,gradsign_raw,params,zero_fraction", "comma-separated columns, one panel each")
	out := flag.String("out", "", "SVG to write")
	flag.Parse()
	log.SetFlags(0)
	if *in == "" || *out == "" {
		log.Fatal("proxyplot: give -in FILE and -out FILE.svg")
	}
	n, panels, err := plotFile(*in, strings.Split(*columns, ","), *out)
	if err != nil {
		log.Fatal("proxyplot: ", err)
	}
	fmt.Printf("%s: %d panels of %d architectures\n", *out, panels, n)
}

// plotFile draws the columns of the score file in against the accuracy into the SVG out, and
// says how many architectures and panels it drew.
func plotFile(in string, columns []string, out string) (archs, panels int, err error) {
	rows, names, err := scorefile.Read(in)
	if err != nil {
		return 0, 0, err
	}
	if len(rows) < 2 {
		return 0, 0, fmt.Errorf("%s holds %d rows: too few to plot", in, len(rows))
	}
	var table *darts.Table
	var against string
	switch rows[0].Space {
	case "darts":
		table, against = nb301assets.Table(), "NAS-Bench-301 surrogate accuracy (%)"
	case "swap":
		table, against = swapassets.Table(), "CIFAR-10 accuracy after training, SWAP (%)"
	default:
		return 0, 0, fmt.Errorf("%s holds %s architectures: want a darts or swap run", in, rows[0].Space)
	}
	acc := make([]float64, len(rows))
	for i, r := range rows {
		e, _ := table.At(r.Index) // the row was checked against the table when read
		acc[i] = e.Accuracy
	}
	var plots []*plot.Plot
	for _, c := range columns {
		if !slices.Contains(names, c) {
			return 0, 0, fmt.Errorf("%s has no column %s (it has %s)", in, c, strings.Join(names, ", "))
		}
		p, err := panel(rows, acc, c, against)
		if err != nil {
			return 0, 0, err
		}
		plots = append(plots, p)
	}
	return len(rows), len(plots), plotgrid.Write(plots, 2, 11*vg.Centimeter, 8*vg.Centimeter, out)
}

// panel is one column against the accuracy, titled with Spearman's ρ.
func panel(rows []scorefile.Row, acc []float64, column, against string) (*plot.Plot, error) {
	v := make([]float64, len(rows))
	pts := make(plotter.XYs, 0, len(rows))
	for i, r := range rows {
		v[i] = r.Values[column]
		if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
			pts = append(pts, plotter.XY{X: v[i], Y: acc[i]})
		}
	}
	p := plot.New()
	title := titles[column]
	if title == "" {
		title = column
	}
	p.Title.Text = fmt.Sprintf("%s: ρ %.2f", title, stats.Spearman(v, acc))
	p.X.Label.Text = column
	p.Y.Label.Text = against
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Color = color.RGBA{R: 31, G: 90, B: 160, A: 110}
	s.GlyphStyle.Radius = vg.Length(1.6)
	s.GlyphStyle.Shape = draw.CircleGlyph{}
	p.Add(s)
	return p, nil
}
