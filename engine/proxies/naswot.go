package proxies

import (
	"math"
	"math/bits"

	"gonum.org/v1/gonum/lapack/gonum"

	"gradsign/engine/matmul"
)

// naswot is log|det K| of NASWOT's kernel (Mellor et al., 2021) over every ReLU's binary codes,
// -Inf if K is singular. K_ij = c_i·c_j + (1-c_i)·(1-c_j) summed over ReLUs is the number of
// units on which samples i and j agree, counted here with bitsets: units minus the popcount
// of c_i XOR c_j.
func naswot[T matmul.Float](b *batch[T]) (float64, error) {
	n := len(b.labels)
	codes := make([][]uint64, n)
	units := 0
	b.ws.ReLUInputs(func(x []T, per int) {
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
	k := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			differ := 0
			for w := range codes[i] {
				differ += bits.OnesCount64(codes[i][w] ^ codes[j][w])
			}
			k[i*n+j] = float64(units - differ)
			k[j*n+i] = k[i*n+j]
		}
	}
	// log|det K| from K's LU factors: the sum of log|u_ii|, -Inf at a zero pivot.
	gonum.Implementation{}.Dgetrf(n, n, k, n, make([]int, n))
	var logDet float64
	for i := 0; i < n; i++ {
		logDet += math.Log(math.Abs(k[i*n+i]))
	}
	return logDet, nil
}
