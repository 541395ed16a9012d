// Command searchplot draws the figure of GradSign-assisted NAS: for each algorithm, the test
// accuracy (200 epochs) of the best architecture found so far against the training time charged,
// the mean over the runs as a line and the middle half of the runs (25th to 75th percentile) as
// a band, vanilla against GradSign-assisted; and where its file exists, the mean of the
// GradSign-assisted runs with each GradSign evaluation charged (--charge-scoring) as a dashed
// line: the cost the paper's accounting leaves out. It reads the trajectories that `gradsign
// search --out FILE` writes (JSON Lines: {"run", "trajectory": [{"seconds", "best", ...}]}),
// named DIR/ALGO_vanilla_RUNSruns_seedSEED.trajectories.jsonl, ALGO_gradsign_... and
// ALGO_gradsign_chargedCHARGEs_...; algorithms without the first two are left out.
//
//	go run ./tools/searchplot [-dir results/search] [-runs 500] [-seed 0] [-charge 1.1] [-dataset cifar10] [-out results/search/figure_cifar10.svg]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"gradsign/assets"
	"gradsign/engine/nb201"
	"gradsign/engine/search"
	"gradsign/internal/plotgrid"
)

// grid is how many points of the budget each curve is sampled at.
const grid = 120

var algoNames = map[string]string{"rs": "random search", "rea": "REA", "reinforce": "REINFORCE", "bohb": "BOHB"}

func main() {
	dir := flag.String("dir", "results/search", "folder of the trajectory files")
	runs := flag.Int("runs", 500, "runs in the files' names")
	seed := flag.Int("seed", 0, "seed in the files' names")
	dataset := flag.String("dataset", "cifar10", "accuracy shown: cifar10, cifar100 or imagenet16")
	budget := flag.Float64("budget", 12000, "the runs' budget, seconds")
	charge := flag.String("charge", "1.1", "seconds per GradSign evaluation in the charged runs' file names")
	out := flag.String("out", "", "SVG to write (default DIR/figure_DATASET.svg)")
	flag.Parse()
	log.SetFlags(0)
	d := slices.Index(nb201.Datasets[:], *dataset)
	if d < 0 {
		log.Fatalf("searchplot: -dataset %s: want cifar10, cifar100 or imagenet16", *dataset)
	}
	if *out == "" {
		*out = filepath.Join(*dir, "figure_"+*dataset+".svg")
	}
	var panels []panel
	for _, algo := range search.Algorithms {
		p := panel{algo: algo}
		for _, kind := range []string{"vanilla", "gradsign", "gradsign_charged" + *charge + "s"} {
			name := filepath.Join(*dir, fmt.Sprintf("%s_%s_%druns_seed%d.trajectories.jsonl", algo, kind, *runs, *seed))
			c, err := readCurves(name, d, *budget)
			if errors.Is(err, os.ErrNotExist) {
				break
			}
			if err != nil {
				log.Fatal("searchplot: ", err)
			}
			p.curves = append(p.curves, c)
		}
		if len(p.curves) >= 2 {
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		log.Fatalf("searchplot: no algorithm has both trajectory files in %s (gradsign search --runs %d --seed %d --out ...)", *dir, *runs, *seed)
	}
	if err := draw2(panels, *dataset, *budget, *charge, *out); err != nil {
		log.Fatal("searchplot: ", err)
	}
	fmt.Printf("%s: %d algorithms\n", *out, len(panels))
}

// panel is one algorithm: the curves of its vanilla and its GradSign-assisted runs, and of
// the assisted runs with scoring charged where there are any.
type panel struct {
	algo   string
	curves []curves
}

// curves are the runs' best-so-far accuracies at the grid's times: at[k][r] for run r.
type curves struct {
	at [grid][]float64
}

func at(budget float64, k int) float64 { return budget * float64(k+1) / grid }

// readCurves reads a trajectory file into each run's best-so-far accuracy on dataset d at the
// grid's times (runs that have trained nothing yet at a time are left out there).
func readCurves(path string, d int, budget float64) (curves, error) {
	var c curves
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	table := assets.Table()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for line := 1; sc.Scan(); line++ {
		var run struct {
			Trajectory []search.Step `json:"trajectory"`
		}
		if err := json.Unmarshal(sc.Bytes(), &run); err != nil {
			return c, fmt.Errorf("%s line %d: %v", path, line, err)
		}
		res := search.Result{Trajectory: run.Trajectory}
		for k, best := range res.BestOnGrid(budget, grid) {
			if best < 0 {
				continue
			}
			e, err := table.At(best)
			if err != nil {
				return c, fmt.Errorf("%s line %d: %v", path, line, err)
			}
			c.at[k] = append(c.at[k], e.Accuracy[d])
		}
	}
	return c, sc.Err()
}

// summary is the mean and the 25th and 75th percentiles at each grid time with any run.
func (c curves) summary(budget float64) (mean, lo, hi plotter.XYs) {
	for k, v := range c.at {
		if len(v) == 0 {
			continue
		}
		s := slices.Sorted(slices.Values(v))
		var sum float64
		for _, x := range s {
			sum += x
		}
		t := at(budget, k)
		mean = append(mean, plotter.XY{X: t, Y: sum / float64(len(s))})
		lo = append(lo, plotter.XY{X: t, Y: s[len(s)/4]})
		hi = append(hi, plotter.XY{X: t, Y: s[(3*len(s))/4]})
	}
	return mean, lo, hi
}

// colors are vanilla's, GradSign-assisted's, and the same with scoring charged (an orange).
var colors = [3]color.RGBA{{R: 0x7a, G: 0x84, B: 0x94, A: 0xff}, {R: 0x24, G: 0x56, B: 0xd3, A: 0xff}, {R: 0xd9, G: 0x6c, B: 0x06, A: 0xff}}

// draw2 lays the panels out two to a row and writes the SVG; charge names the seconds per
// GradSign evaluation of the charged runs.
func draw2(panels []panel, dataset string, budget float64, charge, out string) error {
	label := map[string]string{"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "imagenet16": "ImageNet16-120"}[dataset]
	var plots []*plot.Plot
	for _, p := range panels {
		pl := plot.New()
		pl.Title.Text = algoNames[p.algo]
		pl.X.Label.Text = "time charged (s)"
		pl.Y.Label.Text = label + " test accuracy (%), best so far"
		pl.Legend.Top = false
		pl.Add(plotter.NewGrid())
		// The y-axis spans the curves from a tenth of the budget on: the first trainings'
		// low accuracies would flatten the part where the algorithms differ.
		ymin, ymax := math.Inf(1), math.Inf(-1)
		names := []string{"vanilla", "GradSign-assisted", "GradSign-assisted, " + charge + " s a score charged"}
		for j, c := range p.curves {
			mean, lo, hi := c.summary(budget)
			if len(mean) == 0 {
				continue
			}
			if j == 2 { // the charged runs: the mean alone, dashed, over the other two
				line, err := plotter.NewLine(mean)
				if err != nil {
					return err
				}
				line.Color = colors[j]
				line.Width = vg.Points(1.5)
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				pl.Add(line)
				pl.Legend.Add(names[j], line)
				continue
			}
			poly, err := plotter.NewPolygon(append(slices.Clone(lo), reversed(hi)...))
			if err != nil {
				return err
			}
			fill := colors[j]
			fill.A = 0x40
			poly.Color = fill
			poly.LineStyle.Width = 0
			line, err := plotter.NewLine(mean)
			if err != nil {
				return err
			}
			line.Color = colors[j]
			line.Width = vg.Points(1.5)
			for k := range mean {
				if mean[k].X >= budget/10 {
					ymin = min(ymin, lo[k].Y-0.5)
					ymax = max(ymax, hi[k].Y+0.3)
				}
			}
			pl.Add(poly, line)
			pl.Legend.Add(names[j], line)
		}
		pl.X.Min, pl.X.Max = 0, budget // after Add, which widens the axes to the data
		pl.Y.Min, pl.Y.Max = ymin, ymax
		plots = append(plots, pl)
	}
	return plotgrid.Write(plots, min(2, len(panels)), 4.2*vg.Inch, 3.4*vg.Inch, out)
}

func reversed(xy plotter.XYs) plotter.XYs {
	r := slices.Clone(xy)
	slices.Reverse(r)
	return r
}
