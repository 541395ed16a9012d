package gradsign_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/internal/oracle"
	"gradsign/internal/reftest"
)

func TestFold(t *testing.T) {
	s := gradsign.NewSigns([]int{4})
	nan := math.NaN()
	gradsign.Fold(s, 0, []float64{1, -2, 0, nan})
	gradsign.Fold(s, 0, []float64{3, 5, 0, 1})
	gradsign.Fold(s, 0, []float64{1e-30, -1, -0.0, 1})
	s.Samples = 3
	if want := []int32{3, -1, 0, 2}; !reflect.DeepEqual(s.Sum[0], want) {
		t.Fatalf("sums %v, want %v", s.Sum[0], want)
	}
	// |3| + |-1| + |0|, the NaN column left out.
	if got := s.Result([]string{"l"}).Score; got != 4 {
		t.Fatalf("score %v, want 4", got)
	}
	o := gradsign.NewSigns([]int{4})
	gradsign.Fold(o, 0, []float32{-1, -1, 1, 1})
	o.Samples = 1
	s.Merge(o)
	if want := []int32{2, -2, 1, 3}; !reflect.DeepEqual(s.Sum[0], want) || s.Samples != 4 {
		t.Fatalf("merged %v (%d samples), want %v", s.Sum[0], s.Samples, want)
	}
	if got := s.LayerScore(0); got != 5 {
		t.Fatalf("merged score %v, want 5", got)
	}
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestReferences checks GradSign against PyTorch on every reference file:
//   - the float32 score within 0.1% of PyTorch's float32 score;
//   - the float64 engine within 1e-5 of PyTorch's float64 score (they agree exactly today);
//   - the per-layer breakdown: every layer exactly equal where the file's float32 and float64
//     gradients have the same signs (sign_flips_f32_vs_f64 = 0), and otherwise the L1 distance
//     of the per-layer vector within 0.1% of the score. A single layer is not held to 0.1%
//     there: the reference's own float32 noise (63,116 sign flips against float64 on the
//     all-nor_conv_3x3 net) moves a layer of a few thousand by up to 1%.
func TestReferences(t *testing.T) {
	refs, err := oracle.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		t.Run(ref.Name, func(t *testing.T) {
			net, x, labels := reftest.Load[float32](t, ref)
			r, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(r.Score, ref.GradSign); e > 1e-3 {
				t.Errorf("float32 score %v, PyTorch %v (%.3g%%)", r.Score, ref.GradSign, 100*e)
			}
			if len(r.Layers) != len(ref.PerLayer) {
				t.Errorf("%d layers, the reference has %d", len(r.Layers), len(ref.PerLayer))
			}
			var l1 float64
			for _, l := range r.Layers {
				want, ok := ref.PerLayer[l.Name]
				if !ok {
					t.Errorf("layer %s not in the reference", l.Name)
				}
				if ref.SignFlips == 0 && l.Score != want {
					t.Errorf("layer %s: %v, PyTorch %v", l.Name, l.Score, want)
				}
				l1 += math.Abs(l.Score - want)
			}
			if e := relErr(ref.GradSign+l1, ref.GradSign); e > 1e-3 {
				t.Errorf("per-layer scores differ by %v in all (%.3g%% of the score)", l1, 100*e)
			}
			net64, x64, _ := reftest.Load[float64](t, ref)
			r64, err := gradsign.Score(context.Background(), net64, x64, labels, gradsign.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(r64.Score, ref.GradSignF64); e > 1e-5 {
				t.Errorf("float64 score %v, PyTorch float64 %v (%.3g%%)", r64.Score, ref.GradSignF64, 100*e)
			}
			t.Logf("float32 %v (PyTorch %v), float64 %v (PyTorch %v), per-layer L1 %v", r.Score, ref.GradSign, r64.Score, ref.GradSignF64, l1)
		})
	}
}

// TestChunksAndWorkersAgree: the chunk size and the worker count change how the work is cut,
// never the result.
func TestChunksAndWorkersAgree(t *testing.T) {
	a, _ := nb201.ParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|")
	net, err := network.Build[float32](network.Config{Arch: a, C: 8, N: 1, Classes: 10, H: 16, W: 16})
	if err != nil {
		t.Fatal(err)
	}
	net.Init(3)
	const n = 10
	x := make([]float32, n*net.InputSize())
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.1) + math.Cos(float64(i)*0.013))
	}
	labels := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	var first *gradsign.Signs
	for _, o := range []gradsign.Options{{Chunk: 1, Workers: 1}, {Chunk: 3, Workers: 1}, {Chunk: n, Workers: 1}, {Chunk: 3, Workers: 2}, {Chunk: 1, Workers: 4}} {
		var last int
		o.Progress = func(done int) {
			if done <= last {
				t.Errorf("progress went from %d to %d", last, done)
			}
			last = done
		}
		s, err := gradsign.Accumulate(context.Background(), net, x, labels, o)
		if err != nil {
			t.Fatal(err)
		}
		if last != n || s.Samples != n {
			t.Fatalf("%+v: progress ended at %d, %d samples", o, last, s.Samples)
		}
		if first == nil {
			first = s
			if s.Result(gradsign.LayerNames(net)).Score == 0 {
				t.Fatal("zero score: the check would be empty")
			}
		} else if !reflect.DeepEqual(s.Sum, first.Sum) {
			t.Fatalf("chunk %d, %d workers: accumulators differ from chunk 1, 1 worker", o.Chunk, o.Workers)
		}
	}
}

func TestScoreErrors(t *testing.T) {
	a, _ := nb201.ParseArch("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	net, _ := network.Build[float32](network.Config{Arch: a, C: 4, N: 1, Classes: 10, H: 8, W: 8})
	x := make([]float32, 2*net.InputSize())
	if _, err := gradsign.Score(context.Background(), net, x, []int{1}, gradsign.Options{}); err == nil {
		t.Error("2 images, 1 label: no error")
	}
	if _, err := gradsign.Score(context.Background(), net, x, []int{1, 10}, gradsign.Options{}); err == nil {
		t.Error("label 10 of 10 classes: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gradsign.Score(ctx, net, x, []int{1, 2}, gradsign.Options{}); err != context.Canceled {
		t.Errorf("cancelled: error %v", err)
	}
}
