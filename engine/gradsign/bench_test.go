package gradsign_test

import (
	"context"
	"testing"

	"gradsign/assets"
	nb101assets "gradsign/assets/nb101"
	nb301assets "gradsign/assets/nb301"
	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/gradsign"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
)

// benchArchs are the networks of the speed comparison: the largest NAS-Bench-201 network,
// index 11 and index 0.
var benchArchs = []struct{ name, arch string }{
	{"all_conv3x3", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"},
	{"index11", "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"},
	{"index0", "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"},
}

// BenchmarkScore times a whole GradSign score at the official setting, N=128 bundled CIFAR-10
// images, with all cores. It reports the arithmetic rate: forward and backward of a per-sample
// pass cost about 3 times the forward multiply-adds, 6 FLOPs per MAC.
func BenchmarkScore(b *testing.B) {
	const n = 128
	x, labels, err := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, n, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range benchArchs {
		b.Run(a.name+"/N=128", func(b *testing.B) {
			arch, _ := nb201.ParseArch(a.arch)
			net, err := network.Build[float32](nb201.CIFAR10(arch))
			if err != nil {
				b.Fatal(err)
			}
			net.Init(0)
			for b.Loop() {
				if _, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(6*net.FLOPs()*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkScoreSpaces times the largest network of each other space the engine builds (by
// FLOPs): NAS-Bench-101's largest shipped cell at full size (stem 128; 7.2 GFLOP an image, so
// N=8), NAS-Bench-301's largest shipped genotype (C=32, 8 cells) and the NDS AmoebaNet cell
// (C=16, 8 cells) at N=32.
func BenchmarkScoreSpaces(b *testing.B) {
	var biggest101 nb101.Cell
	best := 0
	for i := range nb101assets.Table().Len() {
		e, _ := nb101assets.Table().At(i)
		if p, _ := network.Plan[float32](nb101.CIFAR10(e.Cell)); p.FLOPs() > best {
			best, biggest101 = p.FLOPs(), e.Cell
		}
	}
	var biggest301 darts.Genotype
	best = 0
	for i := range nb301assets.Table().Len() {
		e, _ := nb301assets.Table().At(i)
		if p, _ := network.Plan[float32](darts.NB301(e.Genotype)); p.FLOPs() > best {
			best, biggest301 = p.FLOPs(), e.Genotype
		}
	}
	amoeba, _ := darts.Named("amoeba")
	for _, c := range []struct {
		name string
		spec graph.Spec
		n    int
	}{
		{"nb101_largest/N=8", nb101.CIFAR10(biggest101), 8},
		{"nb301_largest/N=32", darts.NB301(biggest301), 32},
		{"nds_amoeba/N=32", darts.Config{Genotype: amoeba, C: 16, Layers: 8, Classes: 10, H: 32, W: 32, NDS: true}, 32},
	} {
		b.Run(c.name, func(b *testing.B) {
			x, labels, err := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, c.n, nil)
			if err != nil {
				b.Fatal(err)
			}
			net, err := network.Build[float32](c.spec)
			if err != nil {
				b.Fatal(err)
			}
			net.Init(0)
			for b.Loop() {
				if _, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(6*net.FLOPs()*c.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
