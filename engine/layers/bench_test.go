package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The convolutions of NAS-Bench-201 at C=16: the cell convolutions of each stage (3x3 and
// 1x1) and the stride-2 reduction, one sample at a time, as the engine runs them.
var benchConvs = []Conv2d{
	{Cin: 16, H: 32, W: 32, Cout: 16, K: 3, Stride: 1, Pad: 1},
	{Cin: 32, H: 16, W: 16, Cout: 32, K: 3, Stride: 1, Pad: 1},
	{Cin: 64, H: 8, W: 8, Cout: 64, K: 3, Stride: 1, Pad: 1},
	{Cin: 16, H: 32, W: 32, Cout: 16, K: 1, Stride: 1, Pad: 0},
	{Cin: 16, H: 32, W: 32, Cout: 32, K: 3, Stride: 2, Pad: 1},
}

func convName(c Conv2d) string {
	return fmt.Sprintf("%dx%dx%d_k%ds%d", c.Cin, c.H, c.W, c.K, c.Stride)
}

func reportGFLOPs(b *testing.B, flops int) {
	b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConv2dForward(b *testing.B) {
	for _, c := range benchConvs {
		b.Run(convName(c), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			inp, w := randn32(rng, c.Cin*c.H*c.W), randn32(rng, c.Cout*c.Cols())
			out, col := make([]float32, c.Cout*c.OutH()*c.OutW()), make([]float32, c.ColSize())
			for b.Loop() {
				Conv2dForward(c, out, inp, w, col)
			}
			reportGFLOPs(b, 2*c.MACs())
		})
	}
}

// BenchmarkConv2dBackward: one sample's weight gradient (overwritten, as GradSign needs it)
// and input gradient.
func BenchmarkConv2dBackward(b *testing.B) {
	for _, c := range benchConvs {
		b.Run(convName(c), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			inp, w := randn32(rng, c.Cin*c.H*c.W), randn32(rng, c.Cout*c.Cols())
			dout := randn32(rng, c.Cout*c.OutH()*c.OutW())
			dinp, dw := make([]float32, len(inp)), make([]float32, len(w))
			col, dcol := make([]float32, c.ColSize()), make([]float32, c.ColSize())
			for b.Loop() {
				Conv2dWeightGrad(c, dw, dout, inp, col, 0)
				Conv2dBackwardData(c, dinp, dout, w, dcol)
			}
			reportGFLOPs(b, 4*c.MACs())
		})
	}
}

func randn32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// BenchmarkBatchNorm: one sample's per-sample BatchNorm forward and backward at NAS-Bench-201's
// first stage (16 channels of 32×32).
func BenchmarkBatchNorm(b *testing.B) {
	const C, HW = 16, 1024
	rng := rand.New(rand.NewPCG(1, 1))
	inp, dout, gamma, beta := randn32(rng, C*HW), randn32(rng, C*HW), randn32(rng, C), randn32(rng, C)
	out, dinp, mean, rstd := make([]float32, C*HW), make([]float32, C*HW), make([]float32, C), make([]float32, C)
	for b.Loop() {
		BatchNormForward(out, mean, rstd, inp, gamma, beta, 1, C, HW, 1, BatchNormEps)
		BatchNormBackward(dinp, nil, nil, dout, inp, mean, rstd, gamma, nil, 1, C, HW, 1)
	}
}
