// Package proxies computes GradSign and the baseline zero-cost proxies it is compared with,
// each as SamsungLabs' zero-cost-nas (and NASWOT) defines it, on the Conv2d and Linear weights
// of a NAS-Bench-201 network at initialisation, summed over layers:
//
//	gradsign   per-sample gradient signs (package gradsign), BatchNorm per sample
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
// mean cross-entropy loss. Higher predicts better for every proxy. A proxy without a finite
// value (jacob_cov of a constant Jacobian, naswot of a singular kernel) is NaN or -Inf.
package proxies

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"gradsign/engine/gradsign"
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
	"gradsign/engine/network"
)

// Names lists every proxy, in the order tables show them.
var Names = []string{"gradsign", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacob_cov", "naswot", "plain", "params", "flops"}

// Parse reads a comma-separated list of proxy names; "all" is every proxy.
func Parse(list string) ([]string, error) {
	if strings.TrimSpace(list) == "all" {
		return slices.Clone(Names), nil
	}
	var names []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(Names, n) {
			return nil, fmt.Errorf("unknown proxy %q: want a comma-separated list of %s, or all", n, strings.Join(Names, ", "))
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, nil
}

// Compute returns the named proxies of net on samples x [n, 3, H, W] with labels. opt tunes
// GradSign's per-sample passes; opt.Workers (default all cores) also spreads the mini-batch
// passes' convolutions over goroutines. net's weights are restored after grasp perturbs them.
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
	want := func(ns ...string) bool {
		for _, name := range ns {
			if slices.Contains(names, name) {
				return true
			}
		}
		return false
	}
	out := map[string]float64{}
	if want("gradsign") {
		r, err := gradsign.Score(ctx, net, x, labels, opt)
		if err != nil {
			return nil, err
		}
		out["gradsign"] = r.Score
	}
	if want("params") {
		out["params"] = float64(net.NumParams())
	}
	if want("flops") {
		out["flops"] = float64(net.FLOPs())
	}
	threads := opt.Workers
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	// grasp runs in float64: on the shared workspace for a float64 network, else on a copy.
	net64, is64 := any(net).(*network.Network[float64])
	if want("grad_norm", "snip", "plain", "fisher", "naswot", "jacob_cov") || is64 && want("grasp") {
		ws := net.NewWorkspace(n, network.MiniBatch)
		ws.SetThreads(threads)
		logits := ws.Forward(x)
		if want("naswot") {
			out["naswot"] = naswot(ws, n)
		}
		if want("grad_norm", "snip", "plain", "fisher") || is64 && want("grasp") {
			losses, d := make([]T, n), make([]T, len(logits))
			layers.SoftmaxCrossEntropy(losses, d, logits, labels, n, net.Classes, T(1)/T(n))
			ws.Backward(d)
			gradProxies(net, ws, n, out)
			if is64 && want("grasp") {
				out["grasp"] = grasp(net64, any(ws).(*network.Workspace[float64]), any(logits).([]float64), n)
			}
		}
		if want("jacob_cov") { // last: its backward pass replaces the loss's gradients
			ones := make([]T, len(logits))
			for i := range ones {
				ones[i] = 1
			}
			ws.InputGrad = true
			ws.Backward(ones)
			out["jacob_cov"] = jacobCov(ws.InputGradient(), n)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if want("grasp") && !is64 {
		// After the float32 workspace is gone: the float64 one with its tangents is the
		// larger, and the two need not coexist.
		g, err := graspFloat64(net, x, labels, threads)
		if err != nil {
			return nil, err
		}
		out["grasp"] = g
	}
	if want("synflow") {
		net64, err := toFloat64(net)
		if err != nil {
			return nil, err
		}
		out["synflow"] = synflow(net64)
	}
	for name := range out { // the shared passes compute some proxies nobody asked for
		if !want(name) {
			delete(out, name)
		}
	}
	return out, nil
}

// gradProxies adds grad_norm, snip, plain and fisher from a mini-batch backward pass.
func gradProxies[T matmul.Float](net *network.Network[T], ws *network.Workspace[T], n int, out map[string]float64) {
	var gradNorm, snip, plain, fisher float64
	for _, p := range net.Weights() {
		w, g := net.Params[p].Data, ws.ParamGrad(p)
		var ss float64
		for i := range w {
			wg := float64(w[i]) * float64(g[i])
			ss += float64(g[i]) * float64(g[i])
			snip += math.Abs(wg)
			plain += wg
		}
		gradNorm += math.Sqrt(ss)
		act, grad, per := ws.WeightOutput(p)
		channels := net.Params[p].Shape[0]
		positions := per / channels
		perChannel := float64(len(w) / channels)
		for k := 0; k < channels; k++ {
			var sq float64
			for b := 0; b < n; b++ {
				var s float64
				off := b*per + k*positions
				for i := off; i < off+positions; i++ {
					s += float64(act[i]) * float64(grad[i])
				}
				sq += s * s
			}
			fisher += math.Abs(0.5*sq/float64(n)) * perChannel
		}
	}
	out["grad_norm"], out["snip"], out["plain"], out["fisher"] = gradNorm, snip, plain, fisher
}

// naswot is log|det K| of NASWOT's kernel over every ReLU's binary codes (-Inf if singular).
// K_ij = c_i·c_j + (1-c_i)·(1-c_j) summed over ReLUs is the number of units on which samples i
// and j agree, counted here with bitsets: units minus the popcount of c_i XOR c_j.
func naswot[T matmul.Float](ws *network.Workspace[T], n int) float64 {
	codes := make([][]uint64, n)
	units := 0
	ws.ReLUInputs(func(x []T, per int) {
		for i := 0; i < n; i++ {
			for u, v := range x[i*per : (i+1)*per] {
				bit := units + u
				if bit/64 >= len(codes[i]) {
					codes[i] = append(codes[i], make([]uint64, bit/64+1-len(codes[i]))...)
				}
				if v > 0 {
					codes[i][bit/64] |= 1 << (bit % 64)
				}
			}
		}
		units += per
	})
	k := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			differ := 0
			for w := range codes[i] {
				differ += bits.OnesCount64(codes[i][w] ^ codes[j][w])
			}
			k.SetSym(i, j, float64(units-differ))
		}
	}
	logDet, sign := mat.LogDet(k)
	if sign == 0 {
		return math.Inf(-1)
	}
	return logDet
}

// jacobCov scores the correlations of the per-sample input gradients J [n, D].
func jacobCov[T matmul.Float](j []T, n int) float64 {
	d := len(j) / n
	c := mat.NewSymDense(n, nil)
	mean, norm := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		var s float64
		for _, v := range j[i*d : (i+1)*d] {
			s += float64(v)
		}
		mean[i] = s / float64(d)
	}
	cov := func(a, b int) float64 {
		var s float64
		for u := 0; u < d; u++ {
			s += (float64(j[a*d+u]) - mean[a]) * (float64(j[b*d+u]) - mean[b])
		}
		return s
	}
	for i := 0; i < n; i++ {
		norm[i] = math.Sqrt(cov(i, i))
	}
	for a := 0; a < n; a++ {
		for b := a; b < n; b++ {
			c.SetSym(a, b, cov(a, b)/(norm[a]*norm[b])) // NaN for a constant gradient, as numpy
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(c, false) {
		return math.NaN()
	}
	const k = 1e-5
	var score float64
	for _, v := range eig.Values(nil) {
		score += math.Log(v+k) + 1/(v+k)
	}
	return -score
}

// grasp is sum -w·(H g) over the Conv2d and Linear weights, g the mini-batch gradient of the
// loss (in ws from the last Backward) and H g the exact Hessian-vector product, as autograd's
// double backward gives it: forward-mode differentiation of the backward pass.
func grasp[T matmul.Float](net *network.Network[T], ws *network.Workspace[T], logits []T, n int) float64 {
	dir := make([][]T, len(net.Params))
	for _, p := range net.Weights() {
		dir[p] = slices.Clone(ws.ParamGrad(p))
	}
	ws.HessianVector(dir, func(logitsDot, dlogitsDot []T) {
		layers.SoftmaxCrossEntropyTangent(dlogitsDot, logits, logitsDot, n, net.Classes, T(1)/T(n))
	})
	var score float64
	for _, p := range net.Weights() {
		hg := ws.HessianVectorOf(p)
		for k, w := range net.Params[p].Data {
			score -= float64(w) * float64(hg[k])
		}
	}
	return score
}

// graspFloat64 computes grasp on a float64 copy of net: -w·(H g) sums terms that cancel, and
// a float32 Hessian product is off by up to 0.2% on the reference nets (against PyTorch's
// float32 within 0.001%); in float64 it matches PyTorch's float64 within 1e-5.
func graspFloat64[T matmul.Float](net *network.Network[T], x []T, labels []int, threads int) (float64, error) {
	net64, err := toFloat64(net)
	if err != nil {
		return 0, err
	}
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	n := len(labels)
	ws := net64.NewWorkspace(n, network.MiniBatch)
	ws.SetThreads(threads)
	logits := ws.Forward(x64)
	d := make([]float64, len(logits))
	layers.SoftmaxCrossEntropy(make([]float64, n), d, logits, labels, n, net64.Classes, 1/float64(n))
	ws.Backward(d)
	return grasp(net64, ws, logits, n), nil
}

// synflow scores net with every parameter replaced by its absolute value, BatchNorm left out,
// one input of ones. net's parameters are changed (it is a private float64 copy).
func synflow(net *network.Network[float64]) float64 {
	for _, p := range net.Params {
		for k, v := range p.Data {
			p.Data[k] = math.Abs(v)
		}
	}
	ws := net.NewWorkspace(1, network.MiniBatch)
	ws.SkipBatchNorm = true
	ones := make([]float64, net.InputSize())
	for i := range ones {
		ones[i] = 1
	}
	logits := ws.Forward(ones)
	d := make([]float64, len(logits))
	for i := range d {
		d[i] = 1
	}
	ws.Backward(d)
	var score float64
	for _, p := range net.Weights() {
		g := ws.ParamGrad(p)
		for k, w := range net.Params[p].Data {
			score += math.Abs(w * g[k])
		}
	}
	return score
}

// toFloat64 copies a network into float64.
func toFloat64[T matmul.Float](net *network.Network[T]) (*network.Network[float64], error) {
	n64, err := network.Build[float64](net.Config)
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
