//go:build amd64

package main

import (
	"runtime"
	"sync"
	"time"
)

// measuredPeak times the FMA loop on every core at once and returns the float32 rate of the
// whole machine in GFLOP/s: what its vector units really do here (their clock under AVX-512
// load included), the ceiling each row is a share of. The best of five rounds counts.
func measuredPeak() float64 {
	const rounds = 20_000_000 // 15.4 GFLOP per core, a few tenths of a second
	cores := runtime.NumCPU()
	best := 0.0
	for range 5 {
		var wg sync.WaitGroup
		start := time.Now()
		for range cores {
			wg.Go(func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				fmaLoop512(rounds)
			})
		}
		wg.Wait()
		best = max(best, float64(cores)*768*rounds/time.Since(start).Seconds()/1e9)
	}
	return best
}

// fmaLoop512 is in fma_amd64.s.
func fmaLoop512(n int)
