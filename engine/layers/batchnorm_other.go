//go:build !amd64 || noasm

package layers

// hasPlaneKernels is false here: BatchNorm's per-plane loops run in Go.
const hasPlaneKernels = false

func sumPlane(x *float32, n int) float64                 { panic("layers: no plane kernels") }
func squaresPlane(x *float32, n int, mu float64) float64 { panic("layers: no plane kernels") }
func gradSumsPlane(dy, x *float32, n int, mu float64) (s, sx float64) {
	panic("layers: no plane kernels")
}
func affinePlane(out, x *float32, n int, scale, shift float32)     { panic("layers: no plane kernels") }
func backwardPlane(dx, dy, x *float32, n int, k, m, mu, q float64) { panic("layers: no plane kernels") }
