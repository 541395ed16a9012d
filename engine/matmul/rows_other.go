//go:build (!amd64 && !(js && wasm)) || noasm

package matmul

// sumRows32 and dotRows32 are nil here: SumRows and DotRows run in Go.
var sumRows32, dotRows32 func(n int, a, b []float32, offs []int, out []float32)

const rowsMultiple = 1
