package matmul

import "gradsign/engine/internal/pool"

// Packed is a left operand made ready once for many products: a layer's weights against each
// sample of a chunk. Where the platform's kernel reads A in place through an index table (the
// AVX-512 kernel), it is only that table; elsewhere op(a) is packed into the kernel's panels
// (packing per sample cost as much as a quarter of the product on the small late layers of a
// network). Release returns its memory to the pool.
type Packed[T Float] struct {
	m, k, mp int
	data     *[]T // packed panels, or nil: read in place
	a        []T
	la       layout // A's index table, when read in place
}

// Pack prepares op(a) (m×k: a stored m×k, or k×m with transA).
func Pack[T Float](transA bool, m, k int, a []T) *Packed[T] {
	if len(a) < m*k {
		panic("matmul: slice shorter than its matrix")
	}
	return pack(m, k, a, dense(transA, m, k))
}

// PackOffsets prepares the m×k matrix whose element (i, p) is a[aoff[p] + i·lda]: a weight
// array read transposed, flipped or in any order of its columns, without being rearranged.
func PackOffsets[T Float](m, k int, a []T, lda int, aoff []int) *Packed[T] {
	if len(aoff) < k || lda < 0 {
		panic("matmul: fewer offsets than the matrix's columns")
	}
	for _, off := range aoff[:k] {
		if m > 0 && (off < 0 || off+(m-1)*lda >= len(a)) {
			panic("matmul: a column of A runs outside its slice")
		}
	}
	return pack(m, k, a, layout{ld: lda, offs: aoff[:k]})
}

func pack[T Float](m, k int, a []T, la layout) *Packed[T] {
	kern := kernelFor[T]()
	p := &Packed[T]{m: m, k: k, mp: (m + kern.mr - 1) / kern.mr * kern.mr}
	if kern.idx != nil {
		p.a, p.la = a, la.aIndexed(k)
		return p
	}
	p.data = pool.Get[T](p.mp * k)
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		packA((*p.data)[p0*p.mp:], a, la, 0, m, p0, kb, kern.mr)
	}
	return p
}

// Release gives the packed values back; p is not used after.
func (p *Packed[T]) Release() {
	if p.data != nil {
		pool.Put(p.data)
		p.data = nil
	}
}

// MulRows computes c = op(a)·B + beta·c with the prepared op(a) (m×k) and the k×n matrix B
// whose row q is b[rows[q] : rows[q]+n] (a convolution's input through its taps), or, with
// rows nil, B stored densely k×n.
func (p *Packed[T]) MulRows(n int, b []T, rows []int, beta T, c []T) {
	if n == 0 || p.m == 0 {
		return
	}
	switch {
	case len(c) < p.m*n:
		panic("matmul: slice shorter than its matrix")
	case rows == nil && len(b) < p.k*n:
		panic("matmul: slice shorter than its matrix")
	case rows != nil && len(rows) < p.k:
		panic("matmul: fewer rows than the prepared operand's columns")
	}
	for _, r := range rows[:min(len(rows), p.k)] {
		if r < 0 || r+n > len(b) {
			panic("matmul: a row of B runs outside its slice")
		}
	}
	if p.k == 0 {
		scale(beta, c[:p.m*n])
		return
	}
	lb := layout{ld: n}
	if rows != nil {
		lb.offs = rows[:p.k]
	}
	switch c := any(c).(type) {
	case []float32:
		mulPrepared(kernel32, any(p).(*Packed[float32]), n, any(b).([]float32), lb, float32(beta), c)
	case []float64:
		mulPrepared(kernel64, any(p).(*Packed[float64]), n, any(b).([]float64), lb, float64(beta), c)
	default:
		panic("matmul: Packed runs float32 and float64")
	}
}

func mulPrepared[T Float](kern microkernel[T], p *Packed[T], n int, b []T, lb layout, beta T, c []T) {
	if p.data == nil {
		gemmInPlace(kern, p.m, n, p.k, p.a, p.la, b, lb.bIndexed(p.k), beta, c)
		return
	}
	gemmBlocks(kern, p.m, n, p.k, func(_ []T, i0, _, p0, kb int) []T {
		return (*p.data)[p0*p.mp+i0*kb:]
	}, b, lb, beta, c)
}

// kernelFor is the microkernel gemm uses for T (the Go kernel's shape for a named type).
func kernelFor[T Float]() microkernel[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(kernel32).(microkernel[T])
	case float64:
		return any(kernel64).(microkernel[T])
	}
	return microkernel[T]{mr: 4, nr: 4, run: kernel4x4[T]}
}
