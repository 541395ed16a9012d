package main

import (
	"fmt"
	"time"

	"gradsign/engine/matmul"
)

// gemmRate times the float32 product of the first stage's 3×3 convolution (16×1024×144) for
// about ms milliseconds and returns the kernel's name and its rate in GFLOP/s: what the page
// reports, and what it can estimate a score's time from. ms is 1 to maxRateMillis: the engine
// does nothing else meanwhile (history, lookups and scores wait).
func gemmRate(ms float64) (map[string]any, error) {
	if !(ms >= 1 && ms <= maxRateMillis) {
		return nil, fmt.Errorf("gemmRate(%v): want 1 to %d milliseconds (the engine answers nothing else while it times)", ms, maxRateMillis)
	}
	const m, n, k = 16, 1024, 144
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	start := time.Now()
	reps := 0
	for reps == 0 || time.Since(start).Seconds()*1000 < ms {
		matmul.Gemm(false, false, m, n, k, a, b, 0, c)
		reps++
	}
	seconds := time.Since(start).Seconds()
	return map[string]any{"kernel": matmul.KernelName(), "gflops": float64(2*m*n*k*reps) / seconds / 1e9}, nil
}

// maxRateMillis bounds gemmRate's timing.
const maxRateMillis = 5000
