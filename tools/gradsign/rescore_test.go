package main

import (
	"context"
	"math"
	"runtime"
	"sync"
	"testing"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/matmul"
	"gradsign/internal/scorefile"
)

// TestWholeSpaceRescores re-scores 50 rows of the committed whole-space run (CIFAR-10 test
// images 0..127, N=128, seed 0), spread over its last 4,334 rows, which the build before the
// graph made on this kind of machine (AVX-512), and wants each score within float32 rounding
// of the row: the engine must build NAS-Bench-201's networks as that engine did. Since the
// stride-1 convolutions run on shifted rows (no im2col, no col2im), the input and weight
// gradients sum their terms in another order than that build did, which moves a score by a few
// units in millions (sign flips of gradients within rounding of zero, each ±2); a wrong network
// or a wrong gradient moves it by far more. (Earlier rows of the file came from earlier builds
// that rounded otherwise too.)
// rescoreTolerance bounds a re-scored row's distance from the file's, relative: float32
// rounding moved the 50 rows by at most 3.5 in a million when the sums were reordered.
const rescoreTolerance = 2e-5

func TestWholeSpaceRescores(t *testing.T) {
	if k := matmul.KernelName(); k != "avx512" {
		t.Skipf("the run's rows were computed with the avx512 kernel; this machine runs %s, whose sums round otherwise", k)
	}
	rows, _, err := scorefile.Read("../../results/gradsign_nb201_all_cifar10_n128_seed0.csv")
	if err != nil {
		t.Fatal(err)
	}
	x, labels, err := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, 128, nil)
	if err != nil {
		t.Fatal(err)
	}
	const picks = 50
	jobs := make(chan scorefile.Row)
	var mu sync.Mutex
	worst := 0.0
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for want := range jobs {
				got, err := scoreArch(context.Background(), evalSpaces["nb201"], 0, want.Index, cifar.CIFAR10, 0, x, labels, []string{"gradsign"}, &sync.Mutex{})
				if err != nil {
					t.Error(err)
					continue
				}
				g, w := got.Values["gradsign"], want.Values["gradsign"]
				mu.Lock()
				worst = max(worst, math.Abs(g-w)/max(w, 1))
				mu.Unlock()
				if got.Arch != want.Arch || math.Abs(g-w) > rescoreTolerance*max(w, 1) {
					t.Errorf("index %d (%s): gradsign %v, the whole-space run has %v (%.1f in a million)", want.Index, want.Arch, g, w, 1e6*math.Abs(g-w)/max(w, 1))
				}
			}
		})
	}
	last := rows[len(rows)-4334:]
	for i := range picks {
		jobs <- last[i*len(last)/picks]
	}
	close(jobs)
	wg.Wait()
	t.Logf("the largest distance from a row: %.2f in a million", 1e6*worst)
}
