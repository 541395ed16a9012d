package proxies

import (
	"math"
	"math/bits"

	"gonum.org/v1/gonum/mat"

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
		return math.Inf(-1), nil
	}
	return logDet, nil
}
