//go:build (!amd64 && !(js && wasm)) || noasm

package cpu

// foldSigns32 adds sign(grad[i]) to acc[i] (0 for zero and NaN) and reports whether grad holds
// a NaN.
func foldSigns32(acc []int32, grad []float32) bool { return foldSignsGo(acc, grad) }
