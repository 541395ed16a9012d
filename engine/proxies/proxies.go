// Package proxies computes GradSign and the baseline zero-cost proxies it is compared with,
// each as SamsungLabs' zero-cost-nas (and NASWOT) defines it, on the Conv2d and Linear weights
// of a NAS-Bench-201 network at initialisation, summed over layers. One file per proxy:
//
//	gradsign   per-sample gradient signs (package gradsign), BatchNorm per sample, the weights
//	           whose gradient is zero in exact arithmetic (structural zeros) at sign 0
//	gradsign_raw  the same as the official code computes it: the structural zeros' rounding
//	           noise counted as gradient (one pass serves both)
//	structural_zeros  the number of weights that are structural zeros; zero_fraction: their
//	           share of the weights (from the graph alone)
//	grad_norm  sum over layers of the Frobenius norm of the mini-batch weight gradient
//	snip       sum |w · dL/dw|
//	grasp      sum -w · (H g), g = dL/dw, H g the exact Hessian-vector product, in float64
//	fisher     per output channel k: 0.5 · mean over samples of (sum over positions a·dL/da)²,
//	           a the layer's output; |that| counted once per weight of channel k
//	synflow    |w| for every parameter, no BatchNorm, float64, input of ones, R = sum of
//	           outputs: sum |w · dR/dw|
//	jacob_cov  eigenvalues v of the correlation matrix of the per-sample input gradients of
//	           the summed outputs: -sum(log(v + 1e-5) + 1/(v + 1e-5))
//	naswot     log|det K|, K = sum over ReLUs of c·cᵀ + (1-c)·(1-c)ᵀ, c the binary codes
//	plain      sum w · dL/dw
//	params     trainable parameters; flops: NAS-Bench-201's FLOPs (baselines)
//
// The mini-batch proxies see all samples as one batch, BatchNorm with batch statistics and the
// mean cross-entropy loss, and share its passes. Higher predicts better for every proxy. A
// proxy without a finite value (jacob_cov of a constant Jacobian, naswot of a singular kernel)
// is NaN or -Inf.
package proxies

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"gradsign/engine/backend"
	"gradsign/engine/gradsign"
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
	"gradsign/engine/network"
)

// A stage is how far the shared mini-batch passes must have run for a proxy to read them.
// Compute runs the proxies in stage order, so each pass runs at most once.
type stage int

const (
	forward      stage = iota // the forward pass: ReLU inputs
	lossBackward              // and the backward pass of the mean cross-entropy: weight gradients
	jacobian                  // and a backward pass of the summed logits to the input (replaces the loss's)
	ownPasses                 // none of them: the proxy runs its own passes, or none
)

// A proxy is one entry of the registry.
type proxy[T matmul.Float] struct {
	name  string
	stage stage
	score func(*batch[T]) (float64, error)
}

// registry lists every proxy in the order tables show them.
func registry[T matmul.Float]() []proxy[T] {
	return []proxy[T]{
		{"gradsign", ownPasses, gradSign[T]},
		{"gradsign_raw", ownPasses, gradSignRaw[T]},
		{"grad_norm", lossBackward, gradNorm[T]},
		{"snip", lossBackward, snip[T]},
		{"grasp", ownPasses, grasp[T]},
		{"fisher", lossBackward, fisher[T]},
		{"synflow", ownPasses, synflow[T]},
		{"jacob_cov", jacobian, jacobCov[T]},
		{"naswot", forward, naswot[T]},
		{"plain", lossBackward, plain[T]},
		{"structural_zeros", ownPasses, structuralZeros[T]},
		{"zero_fraction", ownPasses, zeroFraction[T]},
		{"params", ownPasses, params[T]},
		{"flops", ownPasses, flops[T]},
	}
}

// Names lists every proxy, in the order tables show them.
var Names = func() []string {
	var names []string
	for _, p := range registry[float32]() {
		names = append(names, p.name)
	}
	return names
}()

// Parse reads a comma-separated list of proxy names; "all" is every proxy.
func Parse(list string) ([]string, error) {
	if strings.TrimSpace(list) == "all" {
		return slices.Clone(Names), nil
	}
	var names []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(Names, n) {
			return nil, unknownProxy(n)
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, nil
}

func unknownProxy(name string) error {
	return fmt.Errorf("unknown proxy %q: want a comma-separated list of %s, or all", name, strings.Join(Names, ", "))
}

// Compute returns the named proxies of net on samples x [n, 3, H, W] with labels. opt tunes
// GradSign's per-sample passes; opt.Workers (default all cores) also spreads the mini-batch
// passes' convolutions over goroutines. net's weights are left as they are.
func Compute[T matmul.Float](ctx context.Context, net *network.Network[T], x []T, labels []int, names []string, opt gradsign.Options) (map[string]float64, error) {
	n := len(labels)
	if n == 0 || len(x) != n*net.InputSize() {
		return nil, fmt.Errorf("proxies: %d input values for %d labels", len(x), n)
	}
	for _, l := range labels {
		if l < 0 || l >= net.Classes {
			return nil, fmt.Errorf("proxies: label %d out of range for %d classes", l, net.Classes)
		}
	}
	for _, name := range names {
		if !slices.Contains(Names, name) {
			return nil, unknownProxy(name)
		}
	}
	var todo []proxy[T]
	for _, p := range registry[T]() {
		if slices.Contains(names, p.name) {
			todo = append(todo, p)
		}
	}
	slices.SortStableFunc(todo, func(a, b proxy[T]) int { return int(a.stage) - int(b.stage) })

	if opt.Backend == "" {
		opt.Backend = "cpu"
	}
	opt.Raw = opt.Raw || slices.Contains(names, "gradsign_raw")
	b := &batch[T]{ctx: ctx, net: net, x: x, labels: labels, opt: opt, threads: opt.Workers}
	if b.threads < 1 {
		b.threads = runtime.GOMAXPROCS(0)
	}
	out := map[string]float64{}
	for _, p := range todo {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := b.reach(p.stage); err != nil {
			return nil, err
		}
		v, err := p.score(b)
		if err != nil {
			return nil, err
		}
		out[p.name] = v
	}
	return out, ctx.Err()
}

// MemoryBytes estimates the memory Compute takes for the named proxies on n samples of net,
// before allocating: the largest of its stages (the shared mini-batch workspace in T, grasp's
// float64 copy with its Hessian-vector tangents, synflow's float64 copy of one sample, and
// GradSign's per-sample passes).
func MemoryBytes[T matmul.Float](net *network.Network[T], n int, names []string, opt gradsign.Options) (int64, error) {
	threads := opt.Workers
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	var z T
	images := int64(n) * int64(net.InputSize()) * int64(unsafe.Sizeof(z))
	reg := registry[T]()
	var peak int64
	for _, name := range names {
		var need int64
		switch p := slices.IndexFunc(reg, func(p proxy[T]) bool { return p.name == name }); {
		case p < 0:
			return 0, unknownProxy(name)
		case name == "gradsign" || name == "gradsign_raw":
			need = gradsign.MemoryBytes(net, n, opt)
		case name == "grasp" || name == "synflow":
			n64, err := network.Plan[float64](net.Graph)
			if err != nil {
				return 0, err
			}
			params := int64(n64.NumParams()) * 8
			if name == "grasp" {
				need = images*2 + params + n64.WorkspaceBytes(n, threads, true)
			} else {
				need = params + n64.WorkspaceBytes(1, 1, false)
			}
		case reg[p].stage != ownPasses:
			need = images + net.WorkspaceBytes(n, threads, false)
		}
		peak = max(peak, need)
	}
	return peak, nil
}

// batch holds a network, its samples and the shared mini-batch passes run so far.
type batch[T matmul.Float] struct {
	ctx     context.Context
	net     *network.Network[T]
	x       []T
	labels  []int
	opt     gradsign.Options
	threads int

	ws     *network.Workspace[T] // nil before the forward pass and after the last shared proxy
	logits []T
	done   stage // the last stage run, when ws is set

	signs *gradsign.Result // GradSign's result, once computed: gradsign and gradsign_raw share it
	zeros *[2]int          // the structural zeros and the weights, once counted
}

// reach runs the shared passes up to stage s. At ownPasses it lets the workspace go: the
// proxies with passes of their own (grasp's float64 one with tangents above all) need not
// hold it beside theirs.
func (b *batch[T]) reach(s stage) error {
	if s == ownPasses {
		b.ws, b.logits = nil, nil
		return nil
	}
	n := len(b.labels)
	if b.ws == nil {
		be, err := backend.New[T](b.opt.Backend, b.threads)
		if err != nil {
			return err
		}
		b.ws = b.net.NewWorkspace(be, n, network.MiniBatch)
		b.logits = b.ws.Forward(b.x)
		b.done = forward
	}
	if s >= lossBackward && b.done < lossBackward {
		d := make([]T, len(b.logits))
		layers.SoftmaxCrossEntropy(make([]T, n), d, b.logits, b.labels, n, b.net.Classes, T(1)/T(n))
		b.ws.Backward(d)
		b.done = lossBackward
	}
	if s >= jacobian && b.done < jacobian {
		ones := make([]T, len(b.logits))
		for i := range ones {
			ones[i] = 1
		}
		b.ws.InputGrad = true
		b.ws.Backward(ones)
		b.done = jacobian
	}
	return nil
}

// gradSign is GradSign's score (package gradsign), with per-sample BatchNorm.
func gradSign[T matmul.Float](b *batch[T]) (float64, error) {
	r, err := b.gradSign()
	return r.Score, err
}

// gradSignRaw is GradSign's score as the official code computes it (gradsign.Result.Raw).
func gradSignRaw[T matmul.Float](b *batch[T]) (float64, error) {
	r, err := b.gradSign()
	return r.Raw, err
}

// gradSign runs GradSign's per-sample passes once for both its scores.
func (b *batch[T]) gradSign() (*gradsign.Result, error) {
	if b.signs == nil {
		r, err := gradsign.Score(b.ctx, b.net, b.x, b.labels, b.opt)
		if err != nil {
			return nil, err
		}
		b.signs = &r
	}
	return b.signs, nil
}

// toFloat64 copies a network into float64.
func toFloat64[T matmul.Float](net *network.Network[T]) (*network.Network[float64], error) {
	n64, err := network.Build[float64](net.Graph)
	if err != nil {
		return nil, err
	}
	for i, p := range net.Params {
		for k, v := range p.Data {
			n64.Params[i].Data[k] = float64(v)
		}
	}
	return n64, nil
}
