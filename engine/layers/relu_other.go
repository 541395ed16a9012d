//go:build !(js && wasm) || noasm

package layers

// reluSIMD and reluBackSIMD run in the browser's SIMD module only; here Go's loops do.
func reluSIMD(out, inp []float32) bool { return false }

func reluBackSIMD(dinp, dout, inp []float32) bool { return false }
