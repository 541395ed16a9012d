package matmul

// Packed is a left operand op(a) packed once into the kernel's panels, for many products with
// it: a layer's weights against each sample of a chunk (packing them per sample cost as much
// as a quarter of the product on the small late layers of a network). Release returns its
// memory to the pool.
type Packed[T Float] struct {
	m, k, mp int
	data     *[]T
}

// Pack packs op(a) (m×k: a stored m×k, or k×m with transA) for the platform's kernel.
func Pack[T Float](transA bool, m, k int, a []T) *Packed[T] {
	if len(a) < m*k {
		panic("matmul: slice shorter than its matrix")
	}
	mr := kernelFor[T]().mr
	p := &Packed[T]{m: m, k: k, mp: (m + mr - 1) / mr * mr}
	p.data = getBuf[T](p.mp * k)
	la := dense(transA, m, k)
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		packA((*p.data)[p0*p.mp:], a, la, 0, m, p0, kb, mr)
	}
	return p
}

// Release gives the packed values back; p is not used after.
func (p *Packed[T]) Release() {
	putBuf(p.data)
	p.data = nil
}

// MulRows computes c = op(a)·B + beta·c with the packed op(a) (m×k) and the k×n matrix B
// whose row q is b[rows[q] : rows[q]+n] (GemmRows), or, with rows nil, B stored densely k×n.
func (p *Packed[T]) MulRows(n int, b []T, rows []int, beta T, c []T) {
	if n == 0 || p.m == 0 {
		return
	}
	lb := layout{ld: n, rows: rows}
	switch {
	case len(c) < p.m*n:
		panic("matmul: slice shorter than its matrix")
	case rows == nil && len(b) < p.k*n:
		panic("matmul: slice shorter than its matrix")
	case rows != nil && len(rows) < p.k:
		panic("matmul: fewer rows than the packed operand's columns")
	}
	for _, r := range rows {
		if r < 0 || r+n > len(b) {
			panic("matmul: a row of B runs outside its slice")
		}
	}
	if p.k == 0 {
		scale(beta, c[:p.m*n])
		return
	}
	switch c := any(c).(type) {
	case []float32:
		gemmWith(kernel32, p.m, n, p.k, any(p).(*Packed[float32]), any(b).([]float32), lb, float32(beta), c)
	case []float64:
		gemmWith(kernel64, p.m, n, p.k, any(p).(*Packed[float64]), any(b).([]float64), lb, float64(beta), c)
	default:
		panic("matmul: Packed runs float32 and float64")
	}
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
