package proxies

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
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
	values, work := make([]float64, n), make([]float64, 1)
	impl := gonum.Implementation{}
	impl.Dsyev(lapack.EVNone, blas.Upper, n, c, n, values, work, -1)
	work = make([]float64, int(work[0]))
	if !impl.Dsyev(lapack.EVNone, blas.Upper, n, c, n, values, work, len(work)) {
		return math.NaN(), nil
	}
	const k = 1e-5
	var score float64
	for _, v := range values {
		score += math.Log(v+k) + 1/(v+k)
	}
	return -score, nil
}
