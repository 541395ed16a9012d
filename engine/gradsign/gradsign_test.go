package gradsign_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"gradsign/engine/backend"
	"gradsign/engine/backend/cpu"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/internal/oracle"
	"gradsign/internal/reftest"
)

// TestMergeAndScore: accumulators of disjoint samples add up; a weight with a NaN gradient is
// left out of the score.
func TestMergeAndScore(t *testing.T) {
	s := gradsign.NewSigns([]int{4})
	copy(s.Sum[0], []int32{3, -1, 0, 2})
	s.NaN[0] = []bool{false, false, false, true}
	s.Samples = 3
	// |3| + |-1| + |0|, the NaN column left out.
	if got := s.Result(oneLayer{zeros: []bool{false, false, false, false}}).Score; got != 4 {
		t.Fatalf("score %v, want 4", got)
	}
	// A structural zero's sum is noise: cleared before the score, and counted.
	z := gradsign.NewSigns([]int{3})
	copy(z.Sum[0], []int32{3, -2, 1})
	if r := z.Result(oneLayer{zeros: []bool{false, true, false}}); r.Score != 4 || r.StructuralZeros != 1 || r.Layers[0].StructuralZeros != 1 || r.Weights != 3 {
		t.Fatalf("with weight 1 a structural zero: score %v, %d structural zeros of %d weights; want 4, 1 of 3", r.Score, r.StructuralZeros, r.Weights)
	} else if r.Raw != 6 || r.Layers[0].Raw != 6 {
		t.Fatalf("raw score %v (layer %v): the official code counts the structural zero's sum too, want 6", r.Raw, r.Layers[0].Raw)
	}
	o := gradsign.NewSigns([]int{4})
	copy(o.Sum[0], []int32{-1, -1, 1, 1})
	o.Samples = 1
	s.Merge(o)
	if want := []int32{2, -2, 1, 3}; !reflect.DeepEqual(s.Sum[0], want) || s.Samples != 4 {
		t.Fatalf("merged %v (%d samples), want %v", s.Sum[0], s.Samples, want)
	}
	if got := s.LayerScore(0); got != 5 {
		t.Fatalf("merged score %v, want 5", got)
	}
}

// oneLayer is a network of one weight layer "l" for Result.
type oneLayer struct{ zeros []bool }

func (oneLayer) LayerNames() []string        { return []string{"l"} }
func (o oneLayer) StructuralZeros() [][]bool { return [][]bool{o.zeros} }

func TestSignsBinary(t *testing.T) {
	s := gradsign.NewSigns([]int{3, 2})
	copy(s.Sum[0], []int32{1, -1, 0})
	copy(s.Sum[1], []int32{-1, 0})
	s.NaN[0] = []bool{false, false, true}
	s.Samples = 1
	data, _ := s.MarshalBinary()
	got := gradsign.NewSigns([]int{3, 2})
	if err := got.UnmarshalBinary(data); err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip %+v, want %+v (%v)", got, s, err)
	}
	clean := gradsign.NewSigns([]int{2})
	copy(clean.Sum[0], []int32{3, -3})
	data, _ = clean.MarshalBinary()
	got = gradsign.NewSigns([]int{2})
	if err := got.UnmarshalBinary(data); err != nil || !reflect.DeepEqual(got.Sum, clean.Sum) || got.NaN[0] != nil {
		t.Fatalf("round trip %+v (%v)", got, err)
	}
	if err := gradsign.NewSigns([]int{3}).UnmarshalBinary(data); err == nil {
		t.Fatal("wrong layout: no error")
	}
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestReferencesFloat64: the float64 engine within 1e-5 of PyTorch's float64 score on every
// reference file (they agree exactly today). The float32 scores, per layer, are checked on
// every backend by the conformance suite (package backend/backendtest).
func TestReferencesFloat64(t *testing.T) {
	reftest.ForEach(t, func(t *testing.T, ref *oracle.Reference) {
		net64, x64, labels := reftest.Load[float64](t, ref)
		r64, err := gradsign.Score(context.Background(), net64, x64, labels, gradsign.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(r64.Score, ref.GradSignF64); e > 1e-5 {
			t.Errorf("float64 score %v, PyTorch float64 %v (%.3g%%)", r64.Score, ref.GradSignF64, 100*e)
		}
	})
}

func TestScoreErrors(t *testing.T) {
	a, _ := nb201.ParseArch("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	net, _ := network.Build[float32](nb201.Config{Arch: a, C: 4, N: 1, Classes: 10, H: 8, W: 8})
	x := make([]float32, 2*net.InputSize())
	if _, err := gradsign.Score(context.Background(), net, x, []int{1}, gradsign.Options{}); err == nil {
		t.Error("2 images, 1 label: no error")
	}
	if _, err := gradsign.Score(context.Background(), net, x, []int{1, 10}, gradsign.Options{}); err == nil {
		t.Error("label 10 of 10 classes: no error")
	}
	if _, err := gradsign.Score(context.Background(), net, x, []int{1, 2}, gradsign.Options{Backend: "abacus"}); err == nil || !strings.Contains(err.Error(), "unknown backend") {
		t.Errorf("unknown backend: error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gradsign.Score(ctx, net, x, []int{1, 2}, gradsign.Options{}); err != context.Canceled {
		t.Errorf("cancelled: error %v", err)
	}
}

// losing is the CPU backend on a device that is lost after a number of softmax passes (one a
// chunk), as a GPU reset would end a WebGPU run: it panics with a backend.DeviceError.
type losing struct {
	*cpu.Backend[float32]
	left *atomic.Int64
}

func (l losing) SoftmaxCrossEntropy(n, classes int, scale float32, losses, dlogits, logits backend.Buffer, labels []int) {
	if l.left.Add(-1) < 0 {
		panic(backend.DeviceError{Reason: "test: device lost"})
	}
	l.Backend.SoftmaxCrossEntropy(n, classes, scale, losses, dlogits, logits, labels)
}

var chunksLeft atomic.Int64

func init() {
	backend.Register("losing", backend.Factory{
		F32: func(threads int) (backend.Backend[float32], error) {
			return losing{Backend: cpu.New[float32](threads), left: &chunksLeft}, nil
		},
	})
}

// TestDeviceLost: a device that fails mid-run makes Accumulate return its error (naming the
// backend), with the other workers stopped, instead of crashing the program from a worker's
// goroutine; a run whose device lasts gives the CPU's score.
func TestDeviceLost(t *testing.T) {
	a, _ := nb201.ParseArch("|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
	net, _ := network.Build[float32](nb201.Config{Arch: a, C: 4, N: 1, Classes: 10, H: 8, W: 8})
	net.Init(1)
	const n = 8
	x := make([]float32, n*net.InputSize())
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	labels := []int{0, 1, 2, 3, 4, 5, 6, 7}
	opt := gradsign.Options{Backend: "losing", Workers: 2, Chunk: 2}
	chunksLeft.Store(1)
	_, err := gradsign.Score(context.Background(), net, x, labels, opt)
	var de backend.DeviceError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "the cpu backend failed: test: device lost") {
		t.Fatalf("device lost after one chunk: error %v", err)
	}
	chunksLeft.Store(n)
	got, err := gradsign.Score(context.Background(), net, x, labels, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{Workers: 2, Chunk: 2})
	if got.Score != want.Score {
		t.Fatalf("a device that lasts: score %v, the CPU's %v", got.Score, want.Score)
	}
}
