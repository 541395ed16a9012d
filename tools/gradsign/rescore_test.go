package main

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/matmul"
	"gradsign/internal/scorefile"
)

// TestWholeSpaceRescoresExactly re-scores 50 rows of the committed whole-space run (CIFAR-10
// test images 0..127, N=128, seed 0), spread over its last 4,334 rows, which the build before
// the graph made on this kind of machine (AVX-512), and wants each score exactly: the engine's
// graph must build NAS-Bench-201's networks as that engine did, to the bit. (Earlier rows came
// from earlier builds whose products rounded otherwise: 6 of 50 rows spread over the whole file
// differ by 1 to 7 in millions, the same with the build before the graph.)
func TestWholeSpaceRescoresExactly(t *testing.T) {
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
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for want := range jobs {
				got, err := scoreArch(context.Background(), evalSpaces["nb201"], 0, want.Index, 10, 0, x, labels, []string{"gradsign"}, &sync.Mutex{})
				if err != nil {
					t.Error(err)
					continue
				}
				if got.Arch != want.Arch || got.Values["gradsign"] != want.Values["gradsign"] {
					t.Errorf("index %d (%s): gradsign %v, the whole-space run has %v", want.Index, want.Arch, got.Values["gradsign"], want.Values["gradsign"])
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
}
