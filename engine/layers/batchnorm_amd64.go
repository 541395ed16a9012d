//go:build !noasm

package layers

import "golang.org/x/sys/cpu"

// hasPlaneKernels says whether BatchNorm's per-plane loops run in AVX-512
// (batchnorm_amd64.s), for float32 planes of a multiple of 16 values.
var hasPlaneKernels = cpu.X86.HasAVX512F

// The AVX-512 loops; n is a multiple of 16 and the callers have checked the slices' lengths.
//
//go:noescape
func sumPlane(x *float32, n int) float64

//go:noescape
func squaresPlane(x *float32, n int, mu float64) float64

//go:noescape
func gradSumsPlane(dy, x *float32, n int, mu float64) (sdy, sdyx float64)

//go:noescape
func affinePlane(out, x *float32, n int, scale, shift float32)

//go:noescape
func backwardPlane(dx, dy, x *float32, n int, k, m, mu, q float64)
