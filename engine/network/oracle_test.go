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
// units (one in stage 3 at 1e-5) take part. A max pool's window whose two largest inputs are
// within a few float32 ulps is the same kind of point: which one wins is rounding's choice
// (darts_nb301_431 has one, 0.9415704 against 0.9415703, where PyTorch's float32 and float64
// agree with each other and with this engine's float64 to 4e-6); giving the runner-up the win
// is the other side of that choice.
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
			kinks := flipUnits(one)
			if len(kinks) > maxKinks {
				t.Logf("%d ReLU inputs within %g of zero or max-pool near-ties; trying the %d closest", len(kinks), kinkThreshold, maxKinks)
				kinks = kinks[:maxKinks]
			}
			// Fewest flips first; at most maxFlips units on the other side.
			var errs []error
			for flips := 0; flips <= min(maxFlips, len(kinks)); flips++ {
				for mask := 0; mask < 1<<len(kinks); mask++ {
					if bits.OnesCount(uint(mask)) != flips {
						continue
					}
					for k, u := range kinks {
						one.h(one.val[u.slot])[u.index] = u.orig
						if mask&(1<<k) != 0 {
							one.h(one.val[u.slot])[u.index] = u.other
						}
					}
					one.Backward(dlogits[:ref.Classes])
					for _, p := range net.Weights() {
						grad0[net.Params[p].Name] = one.ParamGrad(p)
					}
					if e := compareGrad0(ref, grad0); len(e) == 0 {
						if mask != 0 {
							t.Logf("sample 0 matches with the other side of the kinks or ties %+v (mask %b)", kinks, mask)
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

// flip is a value on which a gradient's routing turns within float32 rounding, and the
// value that takes the other side: a ReLU input near zero (negated), or the runner-up of a
// max pool's near-tied window (made to win by an ulp).
type flip struct {
	slot, index int
	orig, other float32
	distance    float64 // how close the choice is: |x|, or the tie's gap
}

// flipUnits lists the ReLU inputs within kinkThreshold of zero and the max-pool windows whose
// two largest inputs are within 4 ulps, closest first.
func flipUnits(ws *Workspace[float32]) []flip {
	var units []flip
	seen := map[[2]int]bool{}
	for _, o := range ws.net.ops {
		switch o := o.(type) {
		case *reluOp[float32]:
			for i, v := range ws.hval(o.in) {
				if math.Abs(float64(v)) < kinkThreshold && v != 0 && !seen[[2]int{o.in, i}] {
					seen[[2]int{o.in, i}] = true
					units = append(units, flip{o.in, i, v, -v, math.Abs(float64(v))})
				}
			}
		case *maxPoolOp[float32]:
			units = append(units, nearTies(o, ws.hval(o.in))...)
		}
	}
	slices.SortFunc(units, func(a, b flip) int { return cmp.Compare(a.distance, b.distance) })
	return units
}

// nearTies finds a max pool's windows whose two largest inputs are within 4 ulps.
func nearTies(o *maxPoolOp[float32], in []float32) []flip {
	var ties []flip
	p, hw := o.p, o.p.H*o.p.W
	for c := 0; c < len(in)/hw; c++ {
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < p.OutW(); ox++ {
				best, second := -1, -1
				for y := max(oy*p.Stride-p.Pad, 0); y < min(oy*p.Stride-p.Pad+p.K, p.H); y++ {
					for x := max(ox*p.Stride-p.Pad, 0); x < min(ox*p.Stride-p.Pad+p.K, p.W); x++ {
						i := c*hw + y*p.W + x
						switch {
						case best < 0 || in[i] > in[best]:
							best, second = i, best
						case second < 0 || in[i] > in[second]:
							second = i
						}
					}
				}
				if second < 0 || in[best] == in[second] {
					continue
				}
				ulp := math.Nextafter32(in[best], float32(math.Inf(1))) - in[best]
				if gap := in[best] - in[second]; gap <= 4*ulp {
					ties = append(ties, flip{o.in, second, in[second], math.Nextafter32(in[best], float32(math.Inf(1))), float64(gap)})
				}
			}
		}
	}
	return ties
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
		if ref.NoiseTensors[name] {
			// Every entry is a structural zero: ours must be noise as small as PyTorch's.
			if err := within(name+" (structural zeros)", grad0[w], make([]float32, len(want)), 1e-5); err != nil {
				errs = append(errs, err)
			}
			checked++
			continue
		}
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
