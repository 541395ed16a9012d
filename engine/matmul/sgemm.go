package matmul

import (
	"math"
	"sync"

	"gradsign/engine/internal/pool"
)

// The product is a packed, blocked matrix multiplication in the style of BLIS: panels
// of A (mr rows) and of B (nr columns) are copied into contiguous, k-major buffers, and a
// register-tiled microkernel multiplies one panel pair into an mr×nr tile of C. The kernel is
// chosen for the platform: AVX-512 or AVX2+FMA assembly on amd64 CPUs that have it, a
// WebAssembly SIMD128 module in the browser (kernel_wasm.go), register-tiled Go elsewhere.

// microkernel adds the product of an mr×k panel of A and a k×nr panel of B, both packed
// k-major, to the mr×nr tile at c with row stride ldc. A kernel whose calls are dear (the
// browser's, reached through JavaScript) sets block instead: it runs every tile of a packed
// block, C[mb×nb] += A·B with row stride ldc, in one call; tile is mr·nr scratch.
type microkernel[T Float] struct {
	mr, nr int
	run    func(k int, a, b, c []T, ldc int)
	block  func(kb, mb, nb int, a, b, c, tile []T, ldc int)
	// blockB, where a block kernel has it, is block with B read where it lies: row p of the
	// block is b[boff[p] : boff[p]+nb], which the caller has checked lie inside b; nb is a
	// multiple of nr.
	blockB func(kb, mb, nb int, a, b []T, boff []int32, c, tile []T, ldc int)
	// idx, where a kernel has it, reads both operands in place through index tables: step p
	// takes a[aoff[p] + i·lda] for the tile's rows i and b[boff[p] : boff[p]+nr], which the
	// caller has checked lie inside a and b. Neither operand is then packed, but for a last
	// partial panel of either (gemmInPlace).
	idx func(k int, a []T, lda int, aoff []int, b []T, boff []int, c []T, ldc int)
}

// Block sizes: a kc×nr panel of B and an mc×kc block of A stay in cache.
const (
	kc = 256
	mc = 96
)

// layout says how a stored operand is read. Stored as it is, element (i, p) of A is
// a[i·ld + p] and element (p, j) of B is b[p·ld + j]; transposed, a[p·ld + i] and b[j·ld + p];
// with offs, a[offs[p] + i·ld] (a weight matrix read transposed or flipped) and b[offs[p] + j]
// (a convolution's input through its taps: shifted rows).
type layout struct {
	trans bool
	ld    int
	offs  []int
}

// dense is the layout of a contiguous r×c matrix stored as it is (or c×r, transposed).
func dense(trans bool, r, c int) layout {
	if trans {
		return layout{trans: true, ld: r}
	}
	return layout{ld: c}
}

// aIndexed is A's layout as an index table over k columns: element (i, p) at
// a[offs[p] + i·ld].
func (l layout) aIndexed(k int) layout {
	switch {
	case l.offs != nil:
		return l
	case l.trans:
		return layout{ld: 1, offs: sequence(k, l.ld)}
	}
	return layout{ld: l.ld, offs: sequence(k, 1)}
}

// bIndexed is B's layout (not transposed) as an index table over k rows: element (p, j) at
// b[offs[p] + j].
func (l layout) bIndexed(k int) layout {
	if l.offs != nil {
		return l
	}
	return layout{offs: sequence(k, l.ld)}
}

// sequences holds the tables 0, step, 2·step, ... made so far, by step.
var sequences sync.Map // int → []int

// sequence is the table p·step for p < k, shared and never written.
func sequence(k, step int) []int {
	if s, ok := sequences.Load(step); ok && len(s.([]int)) >= k {
		return s.([]int)[:k]
	}
	s := make([]int, max(k, 1024))
	for p := range s {
		s[p] = p * step
	}
	sequences.Store(step, s)
	return s[:k]
}

// gemmLayout computes c = op(a)·op(b) + beta·c with a microkernel, the operands read as their
// layouts say: in place where the kernel can (B not transposed), else packed.
func gemmLayout[T Float](kern microkernel[T], m, n, k int, a []T, la layout, b []T, lb layout, beta T, c []T) {
	if kern.idx != nil && !lb.trans {
		gemmInPlace(kern, m, n, k, a, la.aIndexed(k), b, lb.bIndexed(k), beta, c)
		return
	}
	gemmBlocks(kern, m, n, k, func(buf []T, i0, mb, p0, kb int) []T {
		packA(buf, a, la, i0, mb, p0, kb, kern.mr)
		return buf
	}, b, lb, beta, c)
}

// gemmBlocks runs the blocked product of packed panels; panelsA gives the packed panels of
// A's block of rows i0..i0+mb-1 and columns p0..p0+kb-1 (packing them into buf, or finding
// them packed).
func gemmBlocks[T Float](kern microkernel[T], m, n, k int, panelsA func(buf []T, i0, mb, p0, kb int) []T, b []T, lb layout, beta T, c []T) {
	scale(beta, c[:m*n])
	mr, nr := kern.mr, kern.nr
	np := (n + nr - 1) / nr * nr
	bufB := pool.Get[T](kc * np)
	bufA := pool.Get[T](kc * (mc + mr))
	tile := pool.Get[T](mr * nr)
	defer pool.Put(bufB)
	defer pool.Put(bufA)
	defer pool.Put(tile)
	// B read in place by the block kernel: its whole panels through a table of row offsets,
	// a last partial panel packed.
	inPlace := kern.blockB != nil && !lb.trans
	fullN := 0 // B's columns read in place; packB packs the others
	var boff *[]int32
	if inPlace {
		fullN = n / nr * nr
		boff = offsetTables.Get().(*[]int32)
		defer offsetTables.Put(boff)
	}
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		if inPlace {
			rowOffsets(*boff, b, lb, p0, kb, fullN)
		}
		packB(*bufB, b, lb, n, p0, kb, nr, fullN)
		for i0 := 0; i0 < m; i0 += mc {
			mb := min(mc, m-i0)
			pa := panelsA(*bufA, i0, mb, p0, kb)
			if inPlace {
				if fullN > 0 {
					kern.blockB(kb, mb, fullN, pa, b, (*boff)[:kb], c[i0*n:], *tile, n)
				}
				if fullN < n {
					kern.block(kb, mb, n-fullN, pa, *bufB, c[i0*n+fullN:], *tile, n)
				}
				continue
			}
			if kern.block != nil {
				kern.block(kb, mb, n, pa, *bufB, c[i0*n:], *tile, n)
				continue
			}
			for jr := 0; jr < n; jr += nr {
				bp := (*bufB)[jr*kb : (jr+nr)*kb]
				for ir := 0; ir < mb; ir += mr {
					ap := pa[ir*kb : (ir+mr)*kb]
					rows, cols := min(mr, mb-ir), min(nr, n-jr)
					ci := (i0+ir)*n + jr
					if rows == mr && cols == nr {
						kern.run(kb, ap, bp, c[ci:], n)
						continue
					}
					t := *tile
					clear(t)
					kern.run(kb, ap, bp, t, nr)
					addTile(c[ci:], n, t, nr, rows, cols)
				}
			}
		}
	}
}

// gemmInPlace runs the product with the kernel's idx form, both operands read where they lie
// through their index tables (la: element (i, p) at a[offs[p] + i·ld]; lb: element (p, j) at
// b[offs[p] + j]); only a last partial panel of rows of A or of columns of B is packed, then
// read through the tables of a packed panel (p·mr, p·nr).
func gemmInPlace[T Float](kern microkernel[T], m, n, k int, a []T, la layout, b []T, lb layout, beta T, c []T) {
	scale(beta, c[:m*n])
	mr, nr := kern.mr, kern.nr
	bufA, bufB, tile := pool.Get[T](kc*mr), pool.Get[T](kc*nr), pool.Get[T](mr*nr)
	defer pool.Put(bufA)
	defer pool.Put(bufB)
	defer pool.Put(tile)
	packedA, packedB := sequence(kc, mr), sequence(kc, nr)
	fullM, fullN := m/mr*mr, n/nr*nr
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		if fullN < n {
			packB(*bufB, b, lb, n, p0, kb, nr, fullN)
		}
		if fullM < m {
			packA(*bufA, a, la, fullM, m-fullM, p0, kb, mr)
		}
		aoff, boff := la.offs[p0:p0+kb], lb.offs[p0:p0+kb]
		for jr := 0; jr < n; jr += nr {
			cols := min(nr, n-jr)
			bs, bo := b[jr:], boff
			if cols < nr {
				bs, bo = *bufB, packedB[:kb]
			}
			for ir := 0; ir < m; ir += mr {
				rows := min(mr, m-ir)
				as, lda, ao := a[ir*la.ld:], la.ld, aoff
				if rows < mr {
					as, lda, ao = *bufA, 1, packedA[:kb]
				}
				ci := ir*n + jr
				if rows == mr && cols == nr {
					kern.idx(kb, as, lda, ao, bs, bo, c[ci:], n)
					continue
				}
				t := *tile
				clear(t)
				kern.idx(kb, as, lda, ao, bs, bo, t, nr)
				addTile(c[ci:], n, t, nr, rows, cols)
			}
		}
	}
}

// offsetTables keeps the in-place block kernel's tables of row offsets (kc each) for reuse.
var offsetTables = sync.Pool{New: func() any { t := make([]int32, kc); return &t }}

// rowOffsets writes into dst the offsets in b of rows p0..p0+kb-1 of B (not transposed), each
// checked to hold cols values inside b: the table the in-place block kernel reads.
func rowOffsets[T Float](dst []int32, b []T, lb layout, p0, kb, cols int) {
	for p := range kb {
		start := (p0 + p) * lb.ld
		if lb.offs != nil {
			start = lb.offs[p0+p]
		}
		if start < 0 || start+cols > len(b) || start > math.MaxInt32 {
			panic("matmul: a row of B runs outside its slice")
		}
		dst[p] = int32(start)
	}
}

// addTile adds the first rows×cols of a tile (row stride ldt) to c (row stride ldc).
func addTile[T Float](c []T, ldc int, t []T, ldt, rows, cols int) {
	for i := range rows {
		dst := c[i*ldc : i*ldc+cols]
		for j := range dst {
			dst[j] += t[i*ldt+j]
		}
	}
}

// packA copies rows i0..i0+mb-1, columns p0..p0+kb-1 of op(a) into panels of mr rows, each
// k-major: dst[panel][p][i]. Rows past mb are zero.
func packA[T Float](dst, a []T, la layout, i0, mb, p0, kb, mr int) {
	for ip := 0; ip < mb; ip += mr {
		panel := dst[ip*kb : (ip+mr)*kb]
		for i := 0; i < mr; i++ {
			row := i0 + ip + i
			switch {
			case ip+i >= mb:
				for p := 0; p < kb; p++ {
					panel[p*mr+i] = 0
				}
			case la.offs != nil:
				for p, off := range la.offs[p0 : p0+kb] {
					panel[p*mr+i] = a[off+row*la.ld]
				}
			case la.trans: // a is stored k×m
				for p := 0; p < kb; p++ {
					panel[p*mr+i] = a[(p0+p)*la.ld+row]
				}
			default:
				src := a[row*la.ld+p0 : row*la.ld+p0+kb]
				for p, v := range src {
					panel[p*mr+i] = v
				}
			}
		}
	}
}

// packB copies rows p0..p0+kb-1 of op(b) (k×n), from column from (a multiple of nr) on, into
// panels of nr columns, each k-major, the first at dst[0]: dst[panel][p][j]. Columns past n
// are zero.
func packB[T Float](dst, b []T, lb layout, n, p0, kb, nr, from int) {
	for jp := from; jp < n; jp += nr {
		panel := dst[(jp-from)*kb : (jp-from+nr)*kb]
		cols := min(nr, n-jp)
		if lb.trans { // b is stored n×k
			for j := 0; j < nr; j++ {
				if j >= cols {
					for p := 0; p < kb; p++ {
						panel[p*nr+j] = 0
					}
					continue
				}
				src := b[(jp+j)*lb.ld+p0 : (jp+j)*lb.ld+p0+kb]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			continue
		}
		for p := 0; p < kb; p++ {
			start := (p0 + p) * lb.ld
			if lb.offs != nil {
				start = lb.offs[p0+p]
			}
			d := panel[p*nr : p*nr+nr]
			copy(d, b[start+jp:start+jp+cols])
			clear(d[cols:])
		}
	}
}

// kernelGo32 and kernelGo64 are the register-tiled Go microkernel: a 4×4 tile held in 16
// local variables.
var (
	kernelGo32 = microkernel[float32]{mr: 4, nr: 4, run: kernel4x4[float32]}
	kernelGo64 = microkernel[float64]{mr: 4, nr: 4, run: kernel4x4[float64]}
)

func kernel4x4[T Float](k int, a, b, c []T, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	a, b = a[:4*k], b[:4*k]
	for len(a) >= 4 && len(b) >= 4 { // the form the compiler proves in bounds
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a, b = a[4:], b[4:]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r := c[:3*ldc+4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r[ldc] += c10
	r[ldc+1] += c11
	r[ldc+2] += c12
	r[ldc+3] += c13
	r[2*ldc] += c20
	r[2*ldc+1] += c21
	r[2*ldc+2] += c22
	r[2*ldc+3] += c23
	r[3*ldc] += c30
	r[3*ldc+1] += c31
	r[3*ldc+2] += c32
	r[3*ldc+3] += c33
}
