package layers

import (
	"math"

	"gradsign/engine/matmul"
)

// BatchNormEps is PyTorch's default epsilon, which NAS-Bench-201 uses (BatchNorm2d's eps; an
// ONNX model may give another, e.g. torchvision's MobileNetV3 0.001).
const BatchNormEps = 1e-5

// BatchNormForward normalises in train mode, as PyTorch does: each channel by the mean and the
// biased variance (divided by the count) of a group of samples, then scaled by gamma and shifted
// by beta. Groups are `group` consecutive samples: group 1 is per-sample statistics (what
// PyTorch computes for a batch of one, and what GradSign needs), group B is mini-batch
// statistics. B must be a multiple of group. mean and rstd (1/sqrt(var+eps)) are saved for
// the backward pass; eps is added to the variance (BatchNormEps: PyTorch's default). Statistics
// are accumulated in float64.
//
//	out, inp [B, C, HW], gamma, beta [C], mean, rstd [B/group, C]
func BatchNormForward[T matmul.Float](out, mean, rstd, inp, gamma, beta []T, B, C, HW, group int, eps float64) {
	if B%group != 0 {
		panic("layers: batch is not a multiple of the BatchNorm group")
	}
	count := float64(group * HW)
	for g := 0; g < B/group; g++ {
		for c := 0; c < C; c++ {
			var sum float64
			for b := g * group; b < (g+1)*group; b++ {
				sum += sum64(inp[(b*C+c)*HW : (b*C+c+1)*HW])
			}
			mu := sum / count
			var ss float64
			for b := g * group; b < (g+1)*group; b++ {
				ss += squares64(inp[(b*C+c)*HW:(b*C+c+1)*HW], mu)
			}
			rs := 1 / math.Sqrt(ss/count+eps)
			mean[g*C+c], rstd[g*C+c] = T(mu), T(rs)
			scale, shift := T(rs)*gamma[c], beta[c]-T(mu*rs)*gamma[c]
			for b := g * group; b < (g+1)*group; b++ {
				affine(out[(b*C+c)*HW:(b*C+c+1)*HW], inp[(b*C+c)*HW:(b*C+c+1)*HW], scale, shift)
			}
		}
	}
}

// BatchNormBackward adds the gradients of BatchNormForward with the same grouping to dinp,
// dgamma and dbeta (either may be nil when not wanted).
//
// flat, when not nil (per-sample statistics, group 1), applies the BatchNorm-backward
// identity exactly: a sample's channel whose output gradient is the same nonzero value at every
// position has an input gradient of exactly zero (dy − mean(dy) is zero, and so is mean(dy·x̂),
// x̂ having mean zero), where float arithmetic would leave rounding noise with random signs;
// nothing is added to dinp there, and 1 is added to flat at that sample and channel.
//
//	dinp, dout, inp [B, C, HW], gamma, dgamma, dbeta [C], mean, rstd [B/group, C], flat [B, C]
func BatchNormBackward[T matmul.Float](dinp, dgamma, dbeta, dout, inp, mean, rstd, gamma, flat []T, B, C, HW, group int) {
	if flat != nil && group != 1 {
		panic("layers: the exact zero of a flat gradient needs per-sample BatchNorm")
	}
	count := float64(group * HW)
	for g := 0; g < B/group; g++ {
		for c := 0; c < C; c++ {
			mu, rs := float64(mean[g*C+c]), float64(rstd[g*C+c])
			// sum(dy) and sum(dy·xhat) over the group.
			var sdy, sdyx float64
			for b := g * group; b < (g+1)*group; b++ {
				s, sx := gradSums64(dout[(b*C+c)*HW:(b*C+c+1)*HW], inp[(b*C+c)*HW:(b*C+c+1)*HW], mu)
				sdy += s
				sdyx += sx * rs
			}
			if dgamma != nil {
				dgamma[c] += T(sdyx)
			}
			if dbeta != nil {
				dbeta[c] += T(sdy)
			}
			if flat != nil && constant(dout[(g*C+c)*HW:(g*C+c+1)*HW]) {
				flat[g*C+c]++
				continue
			}
			// dx = gamma·rstd·(dy - mean(dy) - xhat·mean(dy·xhat)), xhat = (x - mean)·rstd.
			k := float64(gamma[c]) * rs
			mdy, mdyx := sdy/count, sdyx/count
			for b := g * group; b < (g+1)*group; b++ {
				p := (b*C + c) * HW
				addBackward(dinp[p:p+HW], dout[p:p+HW], inp[p:p+HW], k, mdy, mu, rs*mdyx)
			}
		}
	}
}

// BatchNormForwardTangent is the directional derivative of BatchNormForward's output along an
// input direction (gamma and beta held fixed), from the statistics BatchNormForward saved:
// with xc = x - mean, ẋc = ẋ - mean(ẋ), ṙ = -rstd³·mean(xc·ẋc):
// ẏ = gamma·(ẋc·rstd + xc·ṙ).
//
//	outDot, inp, inpDot [B, C, HW], gamma [C], mean, rstd [B/group, C]
func BatchNormForwardTangent[T matmul.Float](outDot, inp, inpDot, mean, rstd, gamma []T, B, C, HW, group int) {
	for g := 0; g < B/group; g++ {
		for c := 0; c < C; c++ {
			mu, rs := float64(mean[g*C+c]), float64(rstd[g*C+c])
			mdot, rdot := statsTangent(inp, inpDot, mu, rs, g, c, C, HW, group)
			k := float64(gamma[c])
			for b := g * group; b < (g+1)*group; b++ {
				xd := inpDot[(b*C+c)*HW : (b*C+c+1)*HW]
				o := outDot[(b*C+c)*HW : (b*C+c+1)*HW]
				for i, x := range inp[(b*C+c)*HW : (b*C+c+1)*HW] {
					o[i] = T(k * ((float64(xd[i])-mdot)*rs + (float64(x)-mu)*rdot))
				}
			}
		}
	}
}

// BatchNormBackwardTangent adds to dinpDot the directional derivative of BatchNormBackward's
// input gradient, given the tangents of the input (inpDot) and of the output gradient
// (doutDot). With k = gamma·rstd, A = mean(dy), B = mean(dy·xhat):
// dx = k·(dy - A - xhat·B), so d(dx) = k̇·(dy - A - xhat·B) + k·(ḋy - Ȧ - ẋhat·B - xhat·Ḃ).
//
//	dinpDot, doutDot, dout, inp, inpDot [B, C, HW], gamma [C], mean, rstd [B/group, C]
func BatchNormBackwardTangent[T matmul.Float](dinpDot, doutDot, dout, inp, inpDot, mean, rstd, gamma []T, B, C, HW, group int) {
	count := float64(group * HW)
	for g := 0; g < B/group; g++ {
		for c := 0; c < C; c++ {
			mu, rs := float64(mean[g*C+c]), float64(rstd[g*C+c])
			mdot, rdot := statsTangent(inp, inpDot, mu, rs, g, c, C, HW, group)
			xhatDot := func(x, xd T) float64 { return (float64(xd)-mdot)*rs + (float64(x)-mu)*rdot }
			var sdy, sdyx, sddy, sdot2 float64
			for b := g * group; b < (g+1)*group; b++ {
				d := dout[(b*C+c)*HW : (b*C+c+1)*HW]
				dd := doutDot[(b*C+c)*HW : (b*C+c+1)*HW]
				xd := inpDot[(b*C+c)*HW : (b*C+c+1)*HW]
				for i, x := range inp[(b*C+c)*HW : (b*C+c+1)*HW] {
					xhat := (float64(x) - mu) * rs
					sdy += float64(d[i])
					sdyx += float64(d[i]) * xhat
					sddy += float64(dd[i])
					sdot2 += float64(dd[i])*xhat + float64(d[i])*xhatDot(x, xd[i])
				}
			}
			gm := float64(gamma[c])
			k, kdot := gm*rs, gm*rdot
			A, Bm, Adot, Bdot := sdy/count, sdyx/count, sddy/count, sdot2/count
			for b := g * group; b < (g+1)*group; b++ {
				d := dout[(b*C+c)*HW : (b*C+c+1)*HW]
				dd := doutDot[(b*C+c)*HW : (b*C+c+1)*HW]
				xd := inpDot[(b*C+c)*HW : (b*C+c+1)*HW]
				di := dinpDot[(b*C+c)*HW : (b*C+c+1)*HW]
				for i, x := range inp[(b*C+c)*HW : (b*C+c+1)*HW] {
					xhat := (float64(x) - mu) * rs
					di[i] += T(kdot*(float64(d[i])-A-xhat*Bm) + k*(float64(dd[i])-Adot-xhatDot(x, xd[i])*Bm-xhat*Bdot))
				}
			}
		}
	}
}

// statsTangent returns the tangents of the mean and of rstd of channel c of group g along the
// input direction inpDot: mean(ẋ) and -rstd³·mean((x - mean)·ẋ).
func statsTangent[T matmul.Float](inp, inpDot []T, mu, rs float64, g, c, C, HW, group int) (mdot, rdot float64) {
	var sdot, sxd float64
	for b := g * group; b < (g+1)*group; b++ {
		xd := inpDot[(b*C+c)*HW : (b*C+c+1)*HW]
		for i, x := range inp[(b*C+c)*HW : (b*C+c+1)*HW] {
			sdot += float64(xd[i])
			sxd += (float64(x) - mu) * float64(xd[i])
		}
	}
	count := float64(group * HW)
	return sdot / count, -rs * rs * rs * sxd / count
}

// The statistics' sums run four (two) at a time in separate float64 accumulators: one chain of
// dependent additions waited the adder's latency at every value (a sum of float32 values in
// float64 is exact or nearly so in any order). A float32 plane of a multiple of 16 values runs
// in AVX-512 where the machine has it (batchnorm_amd64.s), 16 values a step.

// planeKernels returns x as float32 where the AVX-512 loops take it.
func planeKernels[T matmul.Float](x []T) ([]float32, bool) {
	x32, ok := any(x).([]float32)
	return x32, ok && hasPlaneKernels && len(x) > 0 && len(x)%16 == 0
}

// affine writes x·scale + shift to out.
func affine[T matmul.Float](out, x []T, scale, shift T) {
	if x32, ok := planeKernels(x); ok {
		o32 := any(out).([]float32)[:len(x32)]
		affinePlane(&o32[0], &x32[0], len(x32), float32(scale), float32(shift))
		return
	}
	out = out[:len(x)]
	for i, v := range x {
		out[i] = v*scale + shift
	}
}

// addBackward adds k·((dy − m) − (x − mu)·q) to dx, the bracket in float64: BatchNorm's input
// gradient is a small difference of larger terms where the output gradient is nearly flat.
func addBackward[T matmul.Float](dx, dy, x []T, k, m, mu, q float64) {
	if x32, ok := planeKernels(x); ok {
		dx32, dy32 := any(dx).([]float32)[:len(x32)], any(dy).([]float32)[:len(x32)]
		backwardPlane(&dx32[0], &dy32[0], &x32[0], len(x32), k, m, mu, q)
		return
	}
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		dx[i] += T(k * ((float64(dy[i]) - m) - (float64(v)-mu)*q))
	}
}

// sum64 is Σ x in float64.
func sum64[T matmul.Float](x []T) float64 {
	if x32, ok := planeKernels(x); ok {
		return sumPlane(&x32[0], len(x32))
	}
	var s0, s1, s2, s3 float64
	for ; len(x) >= 4; x = x[4:] {
		s0 += float64(x[0])
		s1 += float64(x[1])
		s2 += float64(x[2])
		s3 += float64(x[3])
	}
	for _, v := range x {
		s0 += float64(v)
	}
	return (s0 + s1) + (s2 + s3)
}

// squares64 is Σ (x − mu)² in float64.
func squares64[T matmul.Float](x []T, mu float64) float64 {
	if x32, ok := planeKernels(x); ok {
		return squaresPlane(&x32[0], len(x32), mu)
	}
	var s0, s1, s2, s3 float64
	for ; len(x) >= 4; x = x[4:] {
		d0, d1, d2, d3 := float64(x[0])-mu, float64(x[1])-mu, float64(x[2])-mu, float64(x[3])-mu
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for _, v := range x {
		d := float64(v) - mu
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// gradSums64 is Σ dy and Σ dy·(x − mu) in float64.
func gradSums64[T matmul.Float](dy, x []T, mu float64) (sdy, sdyx float64) {
	if x32, ok := planeKernels(x); ok {
		dy32 := any(dy).([]float32)[:len(x32)]
		return gradSumsPlane(&dy32[0], &x32[0], len(x32), mu)
	}
	var a0, a1, b0, b1 float64
	dy = dy[:len(x)]
	for ; len(x) >= 2; x, dy = x[2:], dy[2:] {
		d0, d1 := float64(dy[0]), float64(dy[1])
		a0 += d0
		a1 += d1
		b0 += d0 * (float64(x[0]) - mu)
		b1 += d1 * (float64(x[1]) - mu)
	}
	for i, v := range x {
		a0 += float64(dy[i])
		b0 += float64(dy[i]) * (float64(v) - mu)
	}
	return a0 + a1, b0 + b1
}

// constant says whether x holds one nonzero value at every position.
func constant[T matmul.Float](x []T) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return x[0] != 0
}
