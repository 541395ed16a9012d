package proxies

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack/gonum"

	"gradsign/engine/matmul"
)

// jacobCov is the Jacobian covariance score (Mellor et al., 2020, as zero-cost-nas has it):
// J [n, D] holds the per-sample input gradients of the summed logits; from the eigenvalues v
// of their correlation matrix, -sum(log(v + 1e-5) + 1/(v + 1e-5)). NaN when a sample's
// gradient is constant (its correlations are undefined, as in numpy).
func jacobCov[T matmul.Float](b *batch[T]) (float64, error) {
	j, n := b.ws.InputGradient(), len(b.labels)
	d := len(j) / n
	c := make([]float64, n*n) // upper triangle, row-major
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
			c[a*n+b] = cov(a, b) / (norm[a] * norm[b])
		}
	}
	// With A = C + kI = LLᵀ (Cholesky), the sum over C's eigenvalues v of log(v+k) + 1/(v+k) is
	// log det A + trace(A⁻¹) = 2·sum log L_ii + |L⁻¹|²_F: no eigenvalues needed (LAPACK's
	// symmetric eigensolver adds 60 KB to the web app's wasm after gzip).
	const k = 1e-5
	for i := 0; i < n; i++ {
		c[i*n+i] += k
	}
	impl := gonum.Implementation{}
	if slices.ContainsFunc(c, math.IsNaN) || !impl.Dpotrf(blas.Upper, n, c, n) || !impl.Dtrtri(blas.Upper, blas.NonUnit, n, c, n) {
		return math.NaN(), nil // a NaN correlation, or C + kI not positive definite
	}
	var score float64
	for i := 0; i < n; i++ {
		score -= 2 * math.Log(c[i*n+i]) // the inverse's diagonal is 1/U_ii
		for j := i; j < n; j++ {
			score += c[i*n+j] * c[i*n+j]
		}
	}
	return -score, nil
}
