package main

import (
	"fmt"
	"math"
	"time"

	"gradsign/engine/matmul"
)

// gemmRate times the float32 product of the first stage's 3×3 convolution (16×1024×144) for
// about ms milliseconds and returns the kernel's name and its rate in GFLOP/s: what the page
// reports, and what it can estimate a score's time from. The rate is the fastest of the
// timing's runs of rateBurst products: other work on the device (workers still starting, the
// page loading its data) only slows a run, and 200 ms timed whole read 0.1–1.7 GFLOP/s on a
// machine whose kernel runs at 2.2. ms is 1 to maxRateMillis: the engine does nothing else
// meanwhile (history, lookups and scores wait).
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
	best := time.Duration(math.MaxInt64)
	for time.Since(start).Seconds()*1000 < ms || best == math.MaxInt64 {
		t := time.Now()
		for range rateBurst {
			matmul.Gemm(false, false, m, n, k, a, b, 0, c)
		}
		best = min(best, time.Since(t))
	}
	return map[string]any{"kernel": matmul.KernelName(), "gflops": float64(2*m*n*k*rateBurst) / best.Seconds() / 1e9}, nil
}

// rateBurst is the products gemmRate times together (about 20 ms at 2 GFLOP/s).
const rateBurst = 8

// maxRateMillis bounds gemmRate's timing.
const maxRateMillis = 5000
