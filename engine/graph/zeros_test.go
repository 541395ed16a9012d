package graph_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"gradsign/engine/gradsign"
	"gradsign/engine/graph"
	"gradsign/engine/network"
)

// A BatchNorm over one value per channel (a 1×1 map: ResNet-18's last stage on 32×32 images)
// outputs its bias exactly and passes back exactly zero, whatever reaches it: every weight
// behind it is a structural zero, and so is a classifier weight whose input is then the
// ReLU of a zero bias. The convolution beside it, on a 2×2 map, is not.
func TestBatchNormOfOneValue(t *testing.T) {
	g := graph.New("one value", graph.Shape{C: 3, H: 4, W: 4})
	x := g.ReLU(g.BatchNorm("bn0", g.Conv("conv0", g.Input, 4, 3, 2, 1))) // 4×2×2
	one := g.ReLU(g.BatchNorm("bn1", g.Conv("conv1", x, 6, 3, 2, 1)))     // 6×1×1
	two := g.ReLU(g.BatchNorm("bn2", g.Conv("conv2", x, 5, 1, 1, 0)))     // 5×2×2
	feat := g.Concat(g.GlobalAvgPool(one), g.GlobalAvgPool(two))
	g.Finish(g.Linear("fc", feat, 10))

	net, err := network.Build[float32](g)
	if err != nil {
		t.Fatal(err)
	}
	net.Init(1)
	zeros := net.StructuralZeros()
	count := func(z []bool) (k int) {
		for _, b := range z {
			if b {
				k++
			}
		}
		return k
	}
	// conv0 feeds both branches; conv1 only the 1×1 BatchNorm; the classifier's 60 weights
	// on the 1×1 branch see ReLU(0) = 0.
	for l, want := range []int{0, 6 * 4 * 9, 0, 10 * 6} {
		if got := count(zeros[l]); got != want {
			t.Errorf("layer %d: %d structural zeros, want %d", l, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 8
	img := make([]float32, n*3*4*4)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	labels := []int{0, 1, 2, 3, 4, 5, 6, 7}
	r, err := gradsign.Score(context.Background(), net, img, labels, gradsign.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Layers[1].Score != 0 || r.Layers[1].StructuralZeros != r.Layers[1].Weights || r.Layers[0].Score == 0 {
		t.Errorf("layers %+v: conv1 behind the 1×1 BatchNorm must score 0 with every weight a structural zero", r.Layers)
	}
}
