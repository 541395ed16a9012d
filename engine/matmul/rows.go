package matmul

// Shifted rows of one plane: a depthwise convolution of one channel over its padded plane is
// a row vector of taps times a matrix whose rows are the plane shifted by each tap (SumRows),
// and its weight gradient that matrix times the output gradient (DotRows).

// SumRows sets out[j] = Σ_p w[p]·b[offs[p]+j] for j < n.
//
// SumRows panics if a row runs outside b or out is shorter than n.
func SumRows[T Float](n int, w, b []T, offs []int, out []T) {
	checkRows(n, len(w), b, offs)
	out = out[:n]
	if o32, ok := any(out).([]float32); ok && sumRows32 != nil && n%rowsMultiple == 0 && len(w) > 0 {
		sumRows32(n, any(w).([]float32), any(b).([]float32), offs, o32)
		return
	}
	clear(out)
	for p, wp := range w {
		row := b[offs[p] : offs[p]+n]
		for j, v := range row {
			out[j] += wp * v
		}
	}
}

// DotRows sets out[p] = Σ_j a[j]·b[offs[p]+j] over j < n, for each row p < len(out).
//
// DotRows panics if a row runs outside b or a is shorter than n.
func DotRows[T Float](n int, a, b []T, offs []int, out []T) {
	checkRows(n, len(out), b, offs)
	a = a[:n]
	if a32, ok := any(a).([]float32); ok && dotRows32 != nil && n%rowsMultiple == 0 && len(out) > 0 {
		dotRows32(n, a32, any(b).([]float32), offs, any(out).([]float32))
		return
	}
	for p := range out {
		var s T
		for j, v := range b[offs[p] : offs[p]+n] {
			s += a[j] * v
		}
		out[p] = s
	}
}

func checkRows[T Float](n, rows int, b []T, offs []int) {
	if len(offs) < rows {
		panic("matmul: fewer offsets than rows")
	}
	for _, off := range offs[:rows] {
		if off < 0 || off+n > len(b) {
			panic("matmul: a row runs outside its slice")
		}
	}
}
