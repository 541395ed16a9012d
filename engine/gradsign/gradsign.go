// Package gradsign computes GradSign (Zhang & Jia, ICLR 2022) exactly as the official code
// does: for each sample alone (BatchNorm in train mode on that sample), the gradient of its
// cross-entropy loss with respect to every Conv2d and Linear weight (no biases, no BatchNorm
// parameters); then
//
//	score = sum over weights k of | sum over samples i of sign(dL_i/dw_k) |
//
// with sign(0) = 0 and any weight whose gradient is NaN for some sample left out (numpy's
// nansum). No normalisation.
//
// Samples run in batched chunks whose BatchNorm statistics stay per sample, which equals one
// pass per sample, and each sample's gradient is folded into an integer accumulator as soon
// as it exists: memory is bounded by the chunk, not by the sample count, and the result does
// not depend on the chunk size or the number of workers.
package gradsign

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"gradsign/engine/backend"
	_ "gradsign/engine/backend/cpu" // the default backend
	"gradsign/engine/matmul"
	"gradsign/engine/network"
)

// EngineVersion names the engine's scores: it changes when a score changes beyond float32
// noise (a fix, another initialisation), never for speed. Score files record it, so runs of
// different engines are not mixed.
const EngineVersion = "2026.11-1"

// Signs holds, for every weight of every Conv2d and Linear layer, the sum over the samples
// seen so far of the sign of that weight's gradient. Signs of disjoint sample sets add up
// (Merge), so the samples of one score can be spread over goroutines, Web Workers or machines.
type Signs struct {
	// Sums are per layer (in the network's weight order), per weight: Sum, and NaN set where
	// some sample's gradient was NaN (a layer's slice nil until its first NaN).
	backend.Sums
	// Samples is the number of samples folded in.
	Samples int
	// DataZeros counts per layer the (sample, weight) pairs whose gradient the run found
	// exactly zero by the BatchNorm-backward identity (network.Workspace.ExactZeros): zeros
	// that depend on the data, given sign 0 where the official code counts rounding noise.
	DataZeros []int64
}

// NewSigns makes empty accumulators for layers of the given weight counts.
func NewSigns(sizes []int) *Signs {
	return &Signs{Sums: *backend.NewSums(sizes), DataZeros: make([]int64, len(sizes))}
}

// Merge adds the accumulators of another, disjoint set of samples of the same network.
// It panics if the layouts differ.
func (s *Signs) Merge(o *Signs) {
	s.Sums.Add(&o.Sums)
	s.Samples += o.Samples
	for l, z := range o.DataZeros {
		s.DataZeros[l] += z
	}
}

// MarshalBinary packs the accumulators for a trip between workers or machines: the sample
// count, each layer's data zeros (int64), every sum (int32; all little-endian), then a flag
// byte and, if any weight saw a NaN, a NaN byte per weight.
func (s *Signs) MarshalBinary() ([]byte, error) {
	total := 0
	hasNaN := false
	for l := range s.Sum {
		total += len(s.Sum[l])
		hasNaN = hasNaN || s.NaN[l] != nil
	}
	out := make([]byte, 0, 4+8*len(s.Sum)+4*total+1+total)
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Samples))
	for _, z := range s.DataZeros {
		out = binary.LittleEndian.AppendUint64(out, uint64(z))
	}
	for _, layer := range s.Sum {
		for _, v := range layer {
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		}
	}
	if !hasNaN {
		return append(out, 0), nil
	}
	out = append(out, 1)
	for l := range s.Sum {
		for k := range s.Sum[l] {
			out = append(out, b2byte(s.NaN[l] != nil && s.NaN[l][k]))
		}
	}
	return out, nil
}

func b2byte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// UnmarshalBinary reads what MarshalBinary wrote into accumulators made by NewSigns for the
// same layout, replacing their contents; data of another layout is an error.
func (s *Signs) UnmarshalBinary(data []byte) error {
	total := 0
	for _, layer := range s.Sum {
		total += len(layer)
	}
	head := 4 + 8*len(s.Sum)
	if len(data) != head+4*total+1 && len(data) != head+5*total+1 {
		return fmt.Errorf("accumulators of %d bytes do not fit this network (%d weights)", len(data), total)
	}
	s.Samples = int(int32(binary.LittleEndian.Uint32(data)))
	data = data[4:]
	for l := range s.DataZeros {
		s.DataZeros[l] = int64(binary.LittleEndian.Uint64(data))
		data = data[8:]
	}
	for _, layer := range s.Sum {
		for k := range layer {
			layer[k] = int32(binary.LittleEndian.Uint32(data))
			data = data[4:]
		}
	}
	flag, data := data[0], data[1:]
	for l := range s.Sum {
		s.NaN[l] = nil
		if flag != 1 {
			continue
		}
		for k := range s.Sum[l] {
			if data[0] == 1 {
				if s.NaN[l] == nil {
					s.NaN[l] = make([]bool, len(s.Sum[l]))
				}
				s.NaN[l][k] = true
			}
			data = data[1:]
		}
	}
	return nil
}

// LayerScore is the score of one layer: sum over its weights of |sum_i sign(g_ik)|.
func (s *Signs) LayerScore(layer int) float64 {
	var total int64
	for k, v := range s.Sum[layer] {
		if s.NaN[layer] != nil && s.NaN[layer][k] {
			continue
		}
		if v < 0 {
			v = -v
		}
		total += int64(v)
	}
	return float64(total)
}

// Layer is one weight layer's share of the score.
type Layer struct {
	// Name is the layer's module name as the space's reference model names it, e.g.
	// "cells.5.conv_a.op.1".
	Name    string  `json:"name"`
	Weights int     `json:"weights"`
	Score   float64 `json:"score"`
	// StructuralZeros counts the layer's weights whose gradient is zero in exact arithmetic
	// (network.StructuralZeros): given sign 0, where float arithmetic leaves rounding noise.
	StructuralZeros int `json:"structural_zeros"`
	// DataZeros counts the layer's (sample, weight) pairs whose gradient is exactly zero by
	// the BatchNorm-backward identity on that sample's data (Signs.DataZeros), given sign 0.
	DataZeros int64 `json:"data_zeros"`
	// Raw is the layer's score as the official code computes it: the structural zeros'
	// rounding noise counted as if it were gradient (NaN where data zeros need Options.Raw;
	// not in JSON, which has no NaN).
	Raw float64 `json:"-"`
}

// Result is a GradSign score with its per-layer contributions.
type Result struct {
	// Score is NaN when the network's parameters or the inputs are not all finite (Score
	// checks): no finite value, where the official nansum would quietly give what is left.
	Score  float64 `json:"gradsign"`
	Layers []Layer `json:"layers"`
	N      int     `json:"n"`
	// NaNWeights counts the weights left out because some sample's gradient was NaN there.
	NaNWeights int `json:"nan_weights,omitempty"`
	// StructuralZeros counts the weights of every layer whose gradient is zero in exact
	// arithmetic, given sign 0.
	StructuralZeros int `json:"structural_zeros"`
	// Weights counts the weights of every layer.
	Weights int `json:"weights"`
	// DataZeros counts the (sample, weight) pairs of every layer whose gradient is exactly zero
	// on that sample's data (Layer.DataZeros).
	DataZeros int64 `json:"data_zeros"`
	// Raw is the score as the official code computes it (cmu-catalyst/GradSign): the signs of
	// the rounding noise at the structural zeros, and at the data zeros, counted as if they
	// were gradient. NaN where Score is, and where there are data zeros and Options.Raw was
	// not given (their noise needs a pass of its own). Not in JSON, which has no NaN: the CLI
	// and the page show it as the proxy gradsign_raw.
	Raw float64 `json:"-"`
}

// Result sums the accumulators of net's layers into a score: each layer's structural zeros
// (network.StructuralZeros) are cleared first, their sums being rounding noise; Raw is the sum
// before they are.
func (s *Signs) Result(net Net) Result {
	names, zeros := net.LayerNames(), net.StructuralZeros()
	r := Result{N: s.Samples, Layers: make([]Layer, len(s.Sum))}
	for l := range s.Sum {
		raw := s.LayerScore(l)
		z := 0
		for k, zero := range zeros[l] {
			if zero {
				s.Sum[l][k] = 0
				if s.NaN[l] != nil {
					s.NaN[l][k] = false
				}
				z++
			}
		}
		r.Layers[l] = Layer{Name: names[l], Weights: len(s.Sum[l]), Score: s.LayerScore(l), StructuralZeros: z, DataZeros: s.DataZeros[l], Raw: raw}
		if s.DataZeros[l] > 0 {
			r.Layers[l].Raw = math.NaN()
		}
		r.StructuralZeros += z
		r.DataZeros += s.DataZeros[l]
		r.Weights += len(s.Sum[l])
		r.Score += r.Layers[l].Score
		r.Raw += r.Layers[l].Raw
		for _, nan := range s.NaN[l] {
			if nan {
				r.NaNWeights++
			}
		}
	}
	return r
}

// Net is what Result reads of a network (a *network.Network of either element type).
type Net interface {
	LayerNames() []string
	StructuralZeros() [][]bool
}

// Options tune how a score is computed; none changes the result.
type Options struct {
	// Chunk is the number of samples that go through the network together (default 2: the
	// products are per sample anyway, so larger chunks only cost memory; the largest network
	// at N=128 on 2 cores takes 145 MB resident with 2, 430 MB with 8, at the same speed).
	Chunk int
	// Workers is the number of goroutines (default GOMAXPROCS), each with its own workspace.
	Workers int
	// Progress, if set, is called after each chunk with the number of samples done; calls are
	// serialised.
	Progress func(done int)
	// Backend names the backend that runs the passes (package backend; default "cpu"). Each
	// worker makes its own.
	Backend string
	// Raw asks Score for Result.Raw also where the data make exact zeros (Result.DataZeros):
	// their noise, which the official code counts, needs a second pass with float arithmetic
	// as that code has it. Without it such a Raw is NaN.
	Raw bool
}

func (o Options) withDefaults(n int) Options {
	if o.Chunk < 1 {
		o.Chunk = 2
	}
	if o.Workers < 1 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Backend == "" {
		o.Backend = "cpu"
	}
	o.Chunk = min(o.Chunk, n)
	o.Workers = min(o.Workers, (n+o.Chunk-1)/o.Chunk)
	return o
}

// MemoryBytes estimates the memory Accumulate takes for n samples of net with opt, before
// allocating: a workspace for a chunk and the sign accumulators per worker, and the images.
func MemoryBytes[T matmul.Float](net *network.Network[T], n int, opt Options) int64 {
	opt = opt.withDefaults(max(n, 1))
	var weights int64
	for _, s := range net.WeightSizes() {
		weights += int64(s)
	}
	var z T
	perWorker := net.WorkspaceBytes(opt.Chunk, 1, false) + 2*4*weights // backend and host sums
	return int64(opt.Workers)*perWorker + int64(n)*int64(net.InputSize())*int64(unsafe.Sizeof(z))
}

// Accumulate folds the per-sample gradient signs of samples x [n, 3, H, W] with labels [n]
// into new accumulators. It stops early with ctx's error when ctx is cancelled, and with the
// device's error when a backend's device fails (backend.DeviceError).
func Accumulate[T matmul.Float](ctx context.Context, net *network.Network[T], x []T, labels []int, opt Options) (*Signs, error) {
	return accumulate(ctx, net, x, labels, opt, true)
}

// accumulate is Accumulate, with the exact zeros that depend on the data (exact) or, as the
// official code has it, their rounding noise.
func accumulate[T matmul.Float](ctx context.Context, net *network.Network[T], x []T, labels []int, opt Options, exact bool) (*Signs, error) {
	size := net.InputSize()
	n := len(labels)
	if n == 0 || len(x) != n*size {
		return nil, fmt.Errorf("gradsign: %d input values for %d labels of images of %d values", len(x), n, size)
	}
	for i, l := range labels {
		if l < 0 || l >= net.Classes {
			return nil, fmt.Errorf("gradsign: label %d of sample %d out of range for %d classes (is the dataset right?)", l, i, net.Classes)
		}
	}
	opt = opt.withDefaults(n)
	sizes := net.WeightSizes()
	chunks := (n + opt.Chunk - 1) / opt.Chunk
	var next atomic.Int64
	var mu sync.Mutex // guards done, Progress and failed
	done := 0
	parts := make([]*Signs, opt.Workers)
	// A device that fails stops the other workers too, and its error is Accumulate's.
	workCtx, stop := context.WithCancel(ctx)
	defer stop()
	var failed error
	var wg sync.WaitGroup
	for w := range parts {
		signs := NewSigns(sizes)
		parts[w] = signs
		be, err := backend.New[T](opt.Backend, 1)
		if err != nil {
			return nil, err
		}
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					de, ok := r.(backend.DeviceError)
					if !ok {
						panic(r)
					}
					mu.Lock()
					if failed == nil {
						failed = fmt.Errorf("gradsign: the %s backend failed: %w", be.Name(), de)
					}
					mu.Unlock()
					stop()
				}
			}()
			ws := net.NewWorkspace(be, opt.Chunk, network.PerSample)
			acc := be.NewSigns(sizes)
			ws.FoldSigns(acc)
			if exact {
				ws.ExactZeros()
			}
			losses, dlogits := be.Alloc(opt.Chunk), be.Alloc(opt.Chunk*net.Classes)
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks || workCtx.Err() != nil {
					break
				}
				from, to := c*opt.Chunk, min((c+1)*opt.Chunk, n)
				b := to - from
				ws.Run(x[from*size : to*size])
				be.SoftmaxCrossEntropy(b, net.Classes, 1, losses, dlogits, ws.Logits(), labels[from:to])
				ws.BackwardFrom(dlogits)
				signs.Samples += b
				if s, ok := be.(backend.Syncer); ok && opt.Progress != nil {
					s.Sync() // report images done, not queued
				}
				mu.Lock()
				done += b
				if opt.Progress != nil {
					opt.Progress(done)
				}
				mu.Unlock()
			}
			be.AddSigns(acc, &signs.Sums)
			if exact {
				signs.DataZeros = ws.DataZeros()
			}
			if c, ok := be.(io.Closer); ok {
				c.Close() // a GPU's buffers go now, not when Go's collector finds them
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, p := range parts[1:] {
		parts[0].Merge(p)
	}
	return parts[0], nil
}

// Score computes the GradSign score of net on samples x [n, 3, H, W] with labels [n]. With a
// parameter or an input that is NaN or infinite, the score is NaN: no finite value.
func Score[T matmul.Float](ctx context.Context, net *network.Network[T], x []T, labels []int, opt Options) (Result, error) {
	s, err := Accumulate(ctx, net, x, labels, opt)
	if err != nil {
		return Result{}, err
	}
	r := s.Result(net)
	if r.DataZeros > 0 && opt.Raw {
		official, err := accumulate(ctx, net, x, labels, opt, false)
		if err != nil {
			return Result{}, err
		}
		o := official.Result(net)
		r.Raw = o.Raw
		for l := range r.Layers {
			r.Layers[l].Raw = o.Layers[l].Raw
		}
	}
	if !allFinite(x) || slices.ContainsFunc(net.Params, func(p *network.Param[T]) bool { return !allFinite(p.Data) }) {
		r.Score, r.Raw = math.NaN(), math.NaN()
	}
	return r, nil
}

// allFinite says whether x holds neither NaN nor an infinity: v−v is 0 for a finite v and NaN
// otherwise, and the differences are summed four at a time before the one test (a weight tensor of
// millions is checked at every score).
func allFinite[T matmul.Float](x []T) bool {
	var s T
	for len(x) >= 4 {
		s += (x[0] - x[0]) + (x[1] - x[1]) + (x[2] - x[2]) + (x[3] - x[3])
		x = x[4:]
	}
	for _, v := range x {
		s += v - v
	}
	return s == 0
}
