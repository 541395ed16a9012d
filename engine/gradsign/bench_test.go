package gradsign_test

import (
	"context"
	"testing"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
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
