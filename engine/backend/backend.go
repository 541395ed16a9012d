// Package backend is the engine's seam between the graph of a network (package network) and
// the arithmetic that runs it, the way gonum's blas64 separates the BLAS interface from its
// implementations. A Backend owns its buffers (a GPU keeps activations on the device) and runs
// every operation of a network's graph (package graph) over a chunk of n samples at once:
// convolution, BatchNorm (per sample or per mini-batch), ReLU, pooling, sums, channel copies,
// linear, softmax cross-entropy, and the per-sample weight gradients folded into GradSign's integer sign
// accumulators inside the backend, so a per-sample gradient never leaves it: only the
// accumulators come back.
//
// Values are laid out [n, C, H, W] (row-major, contiguous) in a buffer; a buffer sized for B
// samples serves any chunk of n ≤ B, using its first n samples. Weight gradients are added to
// (summed over the chunk), never overwritten; the caller clears them.
//
// The CPU backend (package backend/cpu) is the reference: every other backend runs the
// conformance suite of package backend/backendtest against it. Second-order passes (GraSP's
// Hessian-vector products) need host access to every value; a backend that has it implements
// Host, and one that does not leaves those proxies to the CPU backend.
package backend

import (
	"fmt"
	"sort"
	"sync"

	"gradsign/engine/layers"
	"gradsign/engine/matmul"
)

// Buffer is a backend's storage for n values of its element type. Only the backend that made
// it may use it.
type Buffer interface {
	// Len is the buffer's length in values.
	Len() int
}

// Signs is a backend's storage of GradSign's accumulators: per weight layer and per weight,
// the sum over samples of the sign of that sample's gradient, and whether some sample's
// gradient was NaN.
type Signs interface {
	// Layers is the weight count of each layer.
	Layers() []int
}

// DeviceError is what a backend panics with when the device under it fails mid-run (a GPU
// lost or reset): Backend's methods return no errors, and gradsign.Accumulate, which runs
// backends in goroutines of its own, turns this panic into its error. Any other panic is a bug.
type DeviceError struct {
	Reason string
}

func (e DeviceError) Error() string { return e.Reason }

// Backend runs the operations of a network on buffers it owns. A Backend is used by one
// goroutine at a time; it may use several internally. A failing device panics with a
// DeviceError.
type Backend[T matmul.Float] interface {
	// Name says which backend this is ("cpu", "webgpu", ...), with its details where useful.
	Name() string

	// Alloc returns a buffer of n zero values.
	Alloc(n int) Buffer
	// Write copies src into dst from value off.
	Write(dst Buffer, off int, src []T)
	// Read copies len(dst) values of src from value off into dst.
	Read(dst []T, src Buffer, off int)
	// Zero sets the first n values of b to zero.
	Zero(b Buffer, n int)
	// Copy copies the first n values of src to dst.
	Copy(dst, src Buffer, n int)

	// Conv2dForward is out = conv(inp, w) for n samples. out [n, Cout, OutH, OutW],
	// inp [n, Cin, H, W], w [Cout, Cin, K, K].
	Conv2dForward(g layers.Conv2d, n int, out, inp, w Buffer)
	// Conv2dBackwardData adds the gradient of the input, from the output's dout, to dinp.
	Conv2dBackwardData(g layers.Conv2d, n int, dinp, dout, w Buffer)
	// Conv2dWeightGrad adds the weight gradient summed over the n samples to dw.
	Conv2dWeightGrad(g layers.Conv2d, n int, dw, dout, inp Buffer)
	// Conv2dWeightSigns folds the sign of each sample's weight gradient into layer of s.
	Conv2dWeightSigns(g layers.Conv2d, n int, s Signs, layer int, dout, inp Buffer)

	// DepthwiseForward is out = depthwise(inp, w) for n samples (one K×K filter per channel,
	// stride, padding, dilation). out [n, C, OutH, OutW], inp [n, C, H, W], w [C, 1, K, K].
	DepthwiseForward(g layers.Depthwise, n int, out, inp, w Buffer)
	// DepthwiseBackwardData adds the gradient of the input to dinp.
	DepthwiseBackwardData(g layers.Depthwise, n int, dinp, dout, w Buffer)
	// DepthwiseWeightGrad adds the weight gradient summed over the n samples to dw.
	DepthwiseWeightGrad(g layers.Depthwise, n int, dw, dout, inp Buffer)
	// DepthwiseWeightSigns folds the sign of each sample's weight gradient into layer of s.
	DepthwiseWeightSigns(g layers.Depthwise, n int, s Signs, layer int, dout, inp Buffer)

	// LinearForward is out = inp·wᵀ + bias. out [n, O], inp [n, I], w [O, I], bias [O].
	LinearForward(n, in, outs int, out, inp, w, bias Buffer)
	// LinearBackwardData adds dout·w to dinp.
	LinearBackwardData(n, in, outs int, dinp, dout, w Buffer)
	// LinearWeightGrad adds doutᵀ·inp to dw and the bias gradient to dbias (either may be
	// nil), summed over the samples.
	LinearWeightGrad(n, in, outs int, dw, dbias, dout, inp Buffer)
	// LinearWeightSigns folds the sign of each sample's weight gradient into layer of s.
	LinearWeightSigns(n, in, outs int, s Signs, layer int, dout, inp Buffer)

	// BatchNormForward normalises in train mode with the statistics of groups of `group`
	// consecutive samples (1: per sample; n: the mini-batch), saving the mean and rstd of each
	// group and channel in stats (2·B·C values for a buffer of B samples).
	// out, inp [n, C, HW], gamma, beta [C]; eps is added to the variance.
	BatchNormForward(n, c, hw, group int, eps float64, out, stats, inp, gamma, beta Buffer)
	// BatchNormBackward adds the input gradient to dinp and the affine parameters' gradients to
	// dgamma and dbeta (either may be nil). flat, when not nil (group 1), [n, c], makes the
	// BatchNorm-backward identity exact: a sample's channel whose output gradient is the same
	// nonzero value at every position adds nothing to dinp (its exact input gradient is zero)
	// and 1 to flat (layers.BatchNormBackward).
	BatchNormBackward(n, c, hw, group int, dinp, dgamma, dbeta, dout, inp, stats, gamma, flat Buffer)

	// ReLUForward is out = max(inp, 0) over count values.
	ReLUForward(count int, out, inp Buffer)
	// ReLUBackward adds dout where inp > 0 to dinp.
	ReLUBackward(count int, dinp, dout, inp Buffer)
	// ActivationForward is out = f(inp) over count values; ActivationBackward adds
	// dout·f'(inp) to dinp (layers.Activation: the gradient PyTorch gives at each kink).
	ActivationForward(f layers.Activation, count int, out, inp Buffer)
	ActivationBackward(f layers.Activation, count int, dinp, dout, inp Buffer)
	// BiasForward is out = inp + bias[c] for n samples [n, c, hw] (a Bias's backward pass is
	// AddTo: no proxy reads a bias's gradient).
	BiasForward(n, c, hw int, out, inp, bias Buffer)
	// MulForward is out = a·b for n samples [n, c, hw], b [n, c, bhw] with bhw hw or 1 (one
	// factor per channel); MulBackward adds dout·b to da and dout·a, summed over the positions
	// a factor is broadcast to, to db (either may be nil).
	MulForward(n, c, hw, bhw int, out, a, b Buffer)
	// aMean, when not nil (bhw 1), [c], is the exactly known mean of each channel of a over its
	// positions (NaN where unknown): where dout is one value d at every position of a sample's
	// channel, db gets d·hw·mean, the exact sum (layers.MulBackward).
	MulBackward(n, c, hw, bhw int, da, db, dout, a, b, aMean Buffer)
	// AvgPool3x3Forward is a 3×3, stride 1, padding 1 average pool (padding not counted) over
	// planes [P, H, W]; AvgPool3x3Backward adds its input gradient.
	AvgPool3x3Forward(planes, h, w int, out, inp Buffer)
	AvgPool3x3Backward(planes, h, w int, dinp, dout Buffer)
	// AvgPool2x2Forward is a 2×2, stride 2 average pool of planes [P, H, W];
	// AvgPool2x2Backward adds its input gradient.
	AvgPool2x2Forward(planes, h, w int, out, inp Buffer)
	AvgPool2x2Backward(planes, h, w int, dinp, dout Buffer)
	// MaxPoolForward is a max pool of geometry p over planes [P, H, W]; MaxPoolBackward adds
	// each output's gradient to the input it took, found again from inp: the first maximal
	// element of its window in row-major order, padding never winning (PyTorch's CPU rule).
	MaxPoolForward(p layers.Pool2d, planes int, out, inp Buffer)
	MaxPoolBackward(p layers.Pool2d, planes int, dinp, dout, inp Buffer)
	// AvgPoolForward is an average pool of geometry p over planes that does not count the
	// padding (count_include_pad=False); AvgPoolBackward adds its input gradient.
	AvgPoolForward(p layers.Pool2d, planes int, out, inp Buffer)
	AvgPoolBackward(p layers.Pool2d, planes int, dinp, dout Buffer)
	// CropForward takes, of planes [P, H, W], the oh×ow window from row top and column left;
	// CropBackward adds its input gradient.
	CropForward(planes, h, w, top, left, oh, ow int, out, inp Buffer)
	CropBackward(planes, h, w, top, left, oh, ow int, dinp, dout Buffer)
	// CopyChannels copies, for each of n samples, count channels of hw values from channel
	// srcOff of src (srcC channels a sample) to channel dstOff of dst (dstC a sample), or with
	// add adds them: concatenation and channel truncation forward, and their backward passes.
	CopyChannels(n, hw, count int, dst Buffer, dstC, dstOff int, src Buffer, srcC, srcOff int, add bool)
	// GlobalAvgPoolForward averages each of P planes of hw values; GlobalAvgPoolBackward adds
	// its input gradient.
	GlobalAvgPoolForward(planes, hw int, out, inp Buffer)
	GlobalAvgPoolBackward(planes, hw int, dinp, dout Buffer)
	// Add is out = the sum of ins over count values (zero for no ins).
	Add(count int, out Buffer, ins ...Buffer)
	// AddTo adds the first count values of dout to every one of dins.
	AddTo(count int, dout Buffer, dins ...Buffer)

	// SoftmaxCrossEntropy writes each sample's loss against its label to losses [n] and
	// scale·(softmax(logits) - onehot(label)) to dlogits [n, K].
	SoftmaxCrossEntropy(n, classes int, scale T, losses, dlogits, logits Buffer, labels []int)

	// NewSigns returns zero accumulators for layers of the given weight counts.
	NewSigns(sizes []int) Signs
	// AddSigns adds s's accumulators to host ones of the same layout: the only way
	// accumulators leave a backend.
	AddSigns(s Signs, into *Sums)
}

// SplitStats returns, from a BatchNorm statistics buffer in host memory (2·B·C values: the
// means, then the rstds, of up to B groups of C channels), those of the first groups groups.
func SplitStats[T matmul.Float](stats []T, groups, c int) (mean, rstd []T) {
	half := len(stats) / 2
	return stats[:groups*c], stats[half : half+groups*c]
}

// Sums are sign accumulators in host memory: per layer, per weight, the sum over samples of the
// sign of that weight's gradient, and (a layer's slice nil until its first) whether some
// sample's gradient was NaN there.
type Sums struct {
	Sum [][]int32
	NaN [][]bool
}

// NewSums makes zero accumulators for layers of the given weight counts.
func NewSums(sizes []int) *Sums {
	s := &Sums{Sum: make([][]int32, len(sizes)), NaN: make([][]bool, len(sizes))}
	for i, n := range sizes {
		s.Sum[i] = make([]int32, n)
	}
	return s
}

// Add adds the accumulators of another, disjoint set of samples of the same network. It panics
// if the layouts differ.
func (s *Sums) Add(o *Sums) {
	if len(o.Sum) != len(s.Sum) {
		panic("backend: adding accumulators of different networks")
	}
	for l := range s.Sum {
		if len(o.Sum[l]) != len(s.Sum[l]) {
			panic("backend: adding accumulators of different networks")
		}
		for k, v := range o.Sum[l] {
			s.Sum[l][k] += v
		}
		if o.NaN[l] == nil {
			continue
		}
		if s.NaN[l] == nil {
			s.NaN[l] = make([]bool, len(s.Sum[l]))
		}
		for k, v := range o.NaN[l] {
			s.NaN[l][k] = s.NaN[l][k] || v
		}
	}
}

// Host is implemented by backends whose buffers live in host memory: Slice returns the
// buffer's values themselves. Second-order passes (GraSP's Hessian-vector products) run only
// on such a backend.
type Host[T matmul.Float] interface {
	Slice(b Buffer) []T
}

// Syncer is implemented by backends that run their work asynchronously (a GPU): Sync returns
// when everything recorded so far has run. Progress reports wait for it, so that they count
// work done, not work queued.
type Syncer interface {
	Sync()
}

// Factory makes a backend for element type float32 or float64 that uses up to `threads`
// goroutines.
type Factory struct {
	F32 func(threads int) (Backend[float32], error)
	F64 func(threads int) (Backend[float64], error)
}

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register makes a backend available by name to New. Backends register in their package's
// init, as database/sql drivers do; it panics on a name registered twice.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("backend: " + name + " registered twice")
	}
	factories[name] = f
}

// Names lists the registered backends.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New makes a backend of a registered name for element type T.
func New[T matmul.Float](name string, threads int) (Backend[T], error) {
	mu.Lock()
	f, ok := factories[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown backend %q: this build has %v", name, Names())
	}
	var z T
	var be any
	var err error
	switch any(z).(type) {
	case float32:
		if f.F32 == nil {
			return nil, fmt.Errorf("backend %q has no float32 arithmetic", name)
		}
		be, err = f.F32(threads)
	case float64:
		if f.F64 == nil {
			return nil, fmt.Errorf("backend %q has no float64 arithmetic", name)
		}
		be, err = f.F64(threads)
	default:
		return nil, fmt.Errorf("backend %q: element type %T is neither float32 nor float64", name, z)
	}
	if err != nil {
		return nil, err
	}
	return be.(Backend[T]), nil
}
