package network

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"testing"

	"gradsign/engine/backend/cpu"
	"gradsign/engine/layers"
	"gradsign/internal/oracle"
)

// kinkThreshold: a ReLU input this close to zero has a sign that float32 rounding decides, so
// PyTorch and this engine may take different sides of the kink.
const kinkThreshold = 2e-5

// maxKinks and maxFlips bound the search: of the maxKinks units closest to zero, at most
// maxFlips are put on the other side of their kink at once.
const maxKinks, maxFlips = 9, 3

// TestReferences runs every PyTorch reference file: per-sample logits and losses with
// batch-of-one BatchNorm, sample 0's weight gradients, and the parameter count.
//
// Sample 0's gradients must match within 1e-3 of each tensor's max-abs. Where they do not, the
// test accepts the file only if the difference is explained by at most maxFlips ReLU inputs
// that sit on the kink within float32 rounding (|x| < kinkThreshold): taking the other side of
// those units' kink (the side PyTorch's rounding took) must make every gradient match.
// c16n5_index11 needs this: in float64 one ReLU input in stage 2 is 1.5e-7, and putting it on
// the other side brings every gradient within 4e-5 of the reference; in float32 two more
// units (one in stage 3 at 1e-5) take part.
//
// Two NAS-Bench-101 networks are chaotic in float32: PyTorch's own float32 and float64
// gradients of sample 0 differ by up to 3.5% (nb101_288_full) and 23% (nb101_849_s16) of a
// tensor's largest value, so no float32 implementation can match the file's float32 gradients.
// For them testdata/oracle/grad0_f64 holds PyTorch's float64 gradients (same model, weights
// and input), and this engine's float64 gradients must match those within 1e-5.
func TestReferences(t *testing.T) {
	refs, err := oracle.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		t.Run(ref.Name, func(t *testing.T) {
			net, err := Build[float32](ref.Spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := net.Load(ref.File); err != nil {
				t.Fatal(err)
			}
			if net.NumParams() != ref.Params {
				t.Errorf("%d params, PyTorch counts %d", net.NumParams(), ref.Params)
			}
			x, labels := oracle.Inputs[float32](ref), ref.Labels()
			ws := net.NewWorkspace(cpu.New[float32](1), ref.N, PerSample)
			logits := ws.Forward(x)
			if err := within("logits", logits, ref.File.Tensors["logits"].Float32s(), 1e-4); err != nil {
				t.Error(err)
			}
			losses, dlogits := make([]float32, ref.N), make([]float32, len(logits))
			layers.SoftmaxCrossEntropy(losses, dlogits, logits, labels, ref.N, ref.Classes, 1)
			if err := within("loss", losses, ref.File.Tensors["loss"].Float32s(), 1e-4); err != nil {
				t.Error(err)
			}

			if f64, err := oracle.Grad0F64(ref); err != nil {
				t.Fatal(err)
			} else if f64 != nil {
				checkGrad0F64(t, ref, f64, x, labels)
				return
			}
			// Sample 0 alone, taking each side of every kink unit's ReLU in turn.
			// A batch of one sums nothing: its weight gradients are sample 0's.
			one := net.NewWorkspace(cpu.New[float32](1), 1, PerSample)
			grad0 := map[string][]float32{}
			one.Forward(x[:net.InputSize()])
			kinks := kinkUnits(one)
			if len(kinks) > maxKinks {
				t.Logf("%d ReLU inputs within %g of zero; trying the %d closest", len(kinks), kinkThreshold, maxKinks)
				kinks = kinks[:maxKinks]
			}
			orig := make([]float32, len(kinks))
			for k, u := range kinks {
				orig[k] = one.h(one.val[u[0]])[u[1]]
			}
			// Fewest flips first; at most maxFlips units on the other side.
			var errs []error
			for flips := 0; flips <= min(maxFlips, len(kinks)); flips++ {
				for mask := 0; mask < 1<<len(kinks); mask++ {
					if bits.OnesCount(uint(mask)) != flips {
						continue
					}
					for k, u := range kinks {
						one.h(one.val[u[0]])[u[1]] = orig[k]
						if mask&(1<<k) != 0 {
							one.h(one.val[u[0]])[u[1]] = -orig[k]
						}
					}
					one.Backward(dlogits[:ref.Classes])
					for _, p := range net.Weights() {
						grad0[net.Params[p].Name] = one.ParamGrad(p)
					}
					if e := compareGrad0(ref, grad0); len(e) == 0 {
						if mask != 0 {
							t.Logf("sample 0 matches with the other side of the ReLU kink at %v (mask %b of %v)", kinks, mask, orig)
						}
						return
					} else if mask == 0 {
						errs = e
					}
				}
			}
			for _, err := range errs {
				t.Error(err)
			}
		})
	}
}

// checkGrad0F64 compares sample 0's gradients in float64 with PyTorch's float64 ones.
func checkGrad0F64(t *testing.T, ref *oracle.Reference, want map[string][]float32, x []float32, labels []int) {
	net, err := Build[float64](ref.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Load(ref.File); err != nil {
		t.Fatal(err)
	}
	x64 := oracle.Inputs[float64](ref)[:net.InputSize()]
	ws := net.NewWorkspace(cpu.New[float64](1), 1, PerSample)
	logits := ws.Forward(x64)
	d := make([]float64, ref.Classes)
	layers.SoftmaxCrossEntropy(make([]float64, 1), d, logits, labels[:1], 1, ref.Classes, 1)
	ws.Backward(d)
	for name, w := range want {
		p := net.Param(name)
		if p == nil {
			t.Fatalf("the float64 gradients name %s, which the network lacks", name)
		}
		got := ws.ParamGrad(slices.Index(net.Params, p))
		scale, worst := 0.0, 0.0
		for i := range w {
			scale = max(scale, math.Abs(float64(w[i])))
			worst = max(worst, math.Abs(got[i]-float64(w[i])))
		}
		if !(worst <= 1e-5*scale) {
			t.Errorf("float64 gradient of %s: max difference %.3g from PyTorch's float64, %.3g of its largest value", name, worst, worst/scale)
		}
	}
	if len(want) == 0 {
		t.Error("no float64 gradients in the file")
	}
}

// kinkUnits lists (slot, index) of the ReLU inputs within kinkThreshold of zero, closest
// first.
func kinkUnits(ws *Workspace[float32]) [][2]int {
	var units [][2]int
	seen := map[[2]int]bool{}
	for _, o := range ws.net.ops {
		if r, ok := o.(*reluOp[float32]); ok {
			for i, v := range ws.hval(r.in) {
				u := [2]int{r.in, i}
				if math.Abs(float64(v)) < kinkThreshold && v != 0 && !seen[u] {
					seen[u] = true
					units = append(units, u)
				}
			}
		}
	}
	abs := func(u [2]int) float64 { return math.Abs(float64(ws.h(ws.val[u[0]])[u[1]])) }
	slices.SortFunc(units, func(a, b [2]int) int { return cmp.Compare(abs(a), abs(b)) })
	return units
}

func compareGrad0(ref *oracle.Reference, grad0 map[string][]float32) []error {
	var errs []error
	checked := 0
	for name, tensor := range ref.File.Tensors {
		w, ok := strings.CutPrefix(name, "grad0.")
		if !ok {
			continue
		}
		want := tensor.Float32s()
		scale := 0.0
		for _, v := range want {
			scale = max(scale, math.Abs(float64(v)))
		}
		if err := within(name, grad0[w], want, 1e-3*scale); err != nil {
			errs = append(errs, err)
		}
		checked++
	}
	if checked == 0 {
		errs = append(errs, fmt.Errorf("no grad0 tensors in the file"))
	}
	return errs
}

func within(what string, got, want []float32, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, at := 0.0, 0
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > worst || d != d {
			worst, at = d, i
		}
	}
	if !(worst <= tol) {
		return fmt.Errorf("%s: max difference %.3g at %d (%v vs %v), tolerance %.3g", what, worst, at, got[at], want[at], tol)
	}
	return nil
}
