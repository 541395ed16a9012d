package main

import (
	"context"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/refset"
	"gradsign/engine/stats"
)

func testSession(t *testing.T) *session {
	t.Helper()
	ref := `{"seed":0,"sample_seed":1,"dataset":"cifar10","ns":[16],"archs":[
	{"index":0,"arch":"x","accuracy":[1,2,3],"gradsign":[1]},{"index":1,"arch":"y","accuracy":[1,2,3],"gradsign":[1e12]}]}`
	s, err := newSession("test", assets.CIFAR10Bin, assets.NB201Gz, []byte(ref))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nb names a NAS-Bench-201 architecture.
func nb(arch string) archRef { return archRef{Space: "nb201", Arch: arch} }

const index11 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"

func TestLookup(t *testing.T) {
	s := testSession(t)
	for _, q := range []string{"3.5", "-2", "1e3"} {
		if _, err := s.lookup(nb(q)); err == nil || !strings.Contains(err.Error(), "15624") || strings.Contains(err.Error(), "arch") {
			t.Errorf("lookup(%q): %v, want an index error", q, err)
		}
	}
	byIndex, err := s.lookup(nb("11"))
	if err != nil {
		t.Fatal(err)
	}
	byArch, err := s.lookup(nb(" " + index11))
	if err != nil || !reflect.DeepEqual(byIndex, byArch) {
		t.Fatalf("by index %+v, by arch %+v (%v)", byIndex, byArch, err)
	}
	if byIndex.Arch != index11 || byIndex.Params != 802426 || byIndex.FLOPs != 113951370 || byIndex.Accuracy["cifar10"] != 91.5833 {
		t.Fatalf("index 11: %+v", byIndex)
	}
	for _, bad := range []string{"15625", "-1", "|nor_conv~0|", ""} {
		if _, err := s.lookup(nb(bad)); err == nil {
			t.Errorf("lookup(%q): no error", bad)
		}
	}
}

// TestPartsAddUp: the samples of one score split over workers give the score of all of them
// in one native pass.
func TestPartsAddUp(t *testing.T) {
	s := testSession(t)
	const n = 16
	var parts [][]byte
	for _, r := range [][2]int{{0, 5}, {5, 6}, {6, 16}} {
		p, err := s.accumulate(context.Background(), nb(index11), 3, r[0], r[1], "cpu", nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	res, err := s.finish(nb(index11), 3, n, parts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := nb201.ParseArch(index11)
	net, _ := network.Build[float32](nb201.CIFAR10(a))
	net.Init(3)
	x, labels, _ := cifar.Batch[float32](assets.CIFAR(cifar.CIFAR10), 0, n, nil)
	want, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.GradSign != want.Score || len(res.Layers) != len(want.Layers) || res.Index == nil || *res.Index != 11 {
		t.Fatalf("parts give %v (%d layers, index %d), one pass %v", res.GradSign, len(res.Layers), res.Index, want.Score)
	}
	l := res.Layers[0]
	if math.Abs(l.Agreement-l.Score/float64(l.Weights*n)) > 1e-15 || l.Agreement <= 0 || l.Agreement > 1 {
		t.Fatalf("layer %+v", l)
	}
	// Chance: NAS-Bench-201 has no structural zeros, so every layer's chance is N random signs'.
	above := res.GradSign
	for _, l := range res.Layers {
		if l.Chance != gradsign.Chance(n) {
			t.Fatalf("layer %s: chance %v, want %v", l.Name, l.Chance, gradsign.Chance(n))
		}
		above -= float64(l.Weights*n) * l.Chance
	}
	if res.Chance != gradsign.Chance(n) || math.Abs(res.AboveChance-above) > 1e-6*res.GradSign {
		t.Fatalf("chance %v, above chance %v, want %v and %v", res.Chance, res.AboveChance, gradsign.Chance(n), above)
	}
	// The mean agreement: the layers' agreements weighted by their weights.
	var weighted float64
	for _, l := range res.Layers {
		weighted += l.Agreement * float64(l.Weights)
	}
	if math.Abs(res.Agreement-weighted/float64(res.Weights)) > 1e-12 || res.Agreement <= 0 {
		t.Fatalf("agreement %v, the layers' %v (chance %v)", res.Agreement, weighted/float64(res.Weights), res.Chance)
	}
	if res.Percentile == nil || *res.Percentile != 50 {
		t.Fatalf("percentile %v, want 50 (between the two reference scores)", res.Percentile)
	}
	if _, err := s.finish(nb(index11), 3, n+1, parts); err == nil {
		t.Fatal("parts of 16 samples finished as 17: no error")
	}
	if _, err := s.finish(nb(index11), 3, n, [][]byte{parts[0][:10]}); err == nil {
		t.Fatal("truncated part: no error")
	}
	if _, err := s.accumulate(context.Background(), nb(index11), 3, 990, 1001, "cpu", nil); err == nil {
		t.Fatal("images beyond the set: no error")
	}
}

func TestThumbnailsAndHistoryKey(t *testing.T) {
	s := testSession(t)
	rgba, labels, err := s.thumbnails(2)
	if err != nil || len(rgba) != 2*32*32*4 || labels[0] != 3 || labels[1] != 8 {
		t.Fatalf("thumbnails: %d bytes, labels %v, %v", len(rgba), labels, err)
	}
	img := s.images.Image(1)
	if rgba[4096+0] != img[0] || rgba[4096+1] != img[1024] || rgba[4096+2] != img[2048] || rgba[4096+3] != 255 {
		t.Fatal("thumbnail pixel 0 of image 1 is not R, G, B, 255 of the record")
	}
	key, err := s.historyKey("gradsign", nb(" "+index11), 16, 2, "wasm")
	if err != nil || key != "gradsign|"+index11+"|n=16|seed=2|cifar10-test-0..999|engine=test|backend=wasm" {
		t.Fatalf("key %q, %v", key, err)
	}
	if gpuKey, _ := s.historyKey("gradsign", nb(index11), 16, 2, "webgpu"); gpuKey == key {
		t.Fatal("the same key for the wasm engine and WebGPU")
	}
	if _, err := s.historyKey("gradsign", nb(index11), 16, 2, "cuda"); err == nil {
		t.Fatal("key of an unknown backend: no error")
	}
	if _, err := s.historyKey("gradsign", nb("junk"), 16, 2, "wasm"); err == nil {
		t.Fatal("key of a malformed arch: no error")
	}
}

func TestProxyValues(t *testing.T) {
	s := testSession(t)
	v, err := s.proxyValues(nb(index11), 0, 2, []string{"gradsign", "snip", "synflow"})
	if err != nil || len(v) != 2 || v["snip"] <= 0 || v["synflow"] <= 0 {
		t.Fatalf("proxies %v, %v", v, err)
	}
	for _, c := range []struct {
		n     int
		names []string
		says  string
	}{
		{33, []string{"snip"}, "N at most 32"},
		{17, []string{"grasp"}, "grasp needs"},
		{2, []string{"gradsign"}, "want some of"},
		{2, []string{"nope"}, "want some of"},
	} {
		if _, err := s.proxyValues(nb(index11), 0, c.n, c.names); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v at N=%d: %v, want an error saying %q", c.names, c.n, err, c.says)
		}
	}
}

// TestReferenceView: the page's reference points carry their size, the Spearman figures are
// the engine's statistics on them, and a result's rank counts the set and itself.
func TestReferenceView(t *testing.T) {
	ref, err := os.ReadFile("../assets/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSession("test", assets.CIFAR10Bin, assets.NB201Gz, ref)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.reference(16)
	if err != nil || len(v.Points) == 0 {
		t.Fatal(err)
	}
	score, params, acc := make([]float64, len(v.Points)), make([]float64, len(v.Points)), make([]float64, len(v.Points))
	for i, p := range v.Points {
		if p.Params <= 0 {
			t.Fatalf("point %d has %d params", i, p.Params)
		}
		score[i], params[i], acc[i] = p.Score, float64(p.Params), p.Accuracy
	}
	if math.Abs(v.Spearman["gradsign"]-stats.Spearman(score, acc)) > 1e-12 || math.Abs(v.Spearman["params"]-stats.Spearman(params, acc)) > 1e-12 || v.Spearman["gradsign"] <= 0 {
		t.Fatalf("spearman %v", v.Spearman)
	}
	top := v.Points[len(v.Points)-1]
	r, err := s.rank(16, top.Score+1, 101)
	if err != nil || r.GradSign != 1 || r.Accuracy != 1 || r.Of != len(v.Points)+1 {
		t.Fatalf("rank above all: %+v, %v", r, err)
	}
	r, _ = s.rank(16, -1, -1)
	if r.GradSign != r.Of || r.Accuracy != r.Of {
		t.Fatalf("rank below all: %+v", r)
	}
	if _, err := s.reference(17); err == nil {
		t.Fatal("no reference at N=17: no error")
	}
}

// TestSignSamples: each image's row holds the signs of its own gradient at the chosen weights,
// the same as a GradSign pass over that one image folds; bad sizes are refused.
func TestSignSamples(t *testing.T) {
	s := testSession(t)
	var rows int
	v, err := s.signSamples(context.Background(), nb(index11), 3, 4, 8, func(int, []int8) { rows++ })
	if err != nil || rows != 4 || len(v.Signs) != 4 || len(v.Weights) != 8 || v.Layer != "cells.0.layers.0.op.1" {
		t.Fatalf("view %+v (%d rows), %v", v, rows, err)
	}
	net, _ := s.network(nb(index11), 3)
	layer := -1
	for l, p := range net.Weights() {
		if net.Params[p].Name == v.Layer+".weight" {
			layer = l
		}
	}
	for i := range 4 {
		x, labels, _ := cifar.Batch[float32](s.images, i, 1, nil)
		signs, err := gradsign.Accumulate(context.Background(), net, x, labels, gradsign.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for j, w := range v.Weights {
			if int32(v.Signs[i][j]) != signs.Sum[layer][w] {
				t.Fatalf("image %d weight %d: sign %d, GradSign's fold %d", i, w, v.Signs[i][j], signs.Sum[layer][w])
			}
		}
	}
	// The sums are GradSign's fold of the four images together.
	x, labels, _ := cifar.Batch[float32](s.images, 0, 4, nil)
	all, err := gradsign.Accumulate(context.Background(), net, x, labels, gradsign.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	score := 0
	for j, w := range v.Weights {
		if int32(v.Sums[j]) != all.Sum[layer][w] {
			t.Fatalf("weight %d: sum %d, GradSign's fold %d", w, v.Sums[j], all.Sum[layer][w])
		}
		score += int(max(all.Sum[layer][w], -all.Sum[layer][w]))
	}
	if v.Score != score || v.Agreement != float64(score)/32 || v.Chance != gradsign.Chance(4) {
		t.Fatalf("score %d agreement %v chance %v, want %d, %v, %v", v.Score, v.Agreement, v.Chance, score, float64(score)/32, gradsign.Chance(4))
	}
	if _, err := s.signSamples(context.Background(), nb(index11), 0, 33, 8, nil); err == nil {
		t.Fatal("33 images: no error")
	}
	// Cancelled after its second image, it stops there and says so.
	ctx, cancel := context.WithCancel(context.Background())
	rows = 0
	_, err = s.signSamples(ctx, nb(index11), 3, 8, 8, func(int, []int8) {
		if rows++; rows == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || rows != 2 {
		t.Fatalf("cancelled after 2 images: %d rows, %v", rows, err)
	}
}

// TestCheckBackend runs the start-up self-check with the CPU as the "other" backend (natively
// there is no WebGPU): equal scores pass, an unknown backend is an error.
func TestCheckBackend(t *testing.T) {
	s := testSession(t)
	c, err := s.checkBackend("cpu")
	if err != nil || !c.OK || c.CPU <= 0 || c.RelDiff != 0 {
		t.Fatalf("%+v, %v", c, err)
	}
	if _, err := s.checkBackend("cuda"); err == nil {
		t.Fatal("an unknown backend passed")
	}
}

// TestWholeSpace loads the shipped whole-space asset: its scores, every index's accuracies, and
// Spearman's rho over the scored ones.
func TestWholeSpace(t *testing.T) {
	s := testSession(t)
	if _, err := s.wholeSpace(); err == nil {
		t.Fatal("a whole-space view without the asset")
	}
	data, err := os.ReadFile("../assets/nb201_space.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.loadSpace(data[:100]); err == nil {
		t.Fatal("a cut asset loaded")
	}
	if err := s.loadSpace(data); err != nil {
		t.Fatal(err)
	}
	w, err := s.wholeSpace()
	if err != nil {
		t.Fatal(err)
	}
	if w.N != 128 || w.Scored < 1000 || len(w.Scores) != nb201.NumArchs || len(w.Accuracy[0]) != nb201.NumArchs {
		t.Fatalf("N %d, %d scored, %d scores", w.N, w.Scored, len(w.Scores))
	}
	if w.Accuracy[0][11] != float32(91.5833) {
		t.Errorf("index 11's CIFAR-10 accuracy %v", w.Accuracy[0][11])
	}
	for d, rho := range w.Spearman {
		if !(rho > 0.5 && rho < 1) {
			t.Errorf("%s: rho %v", nb201.Datasets[d], rho)
		}
	}
}

// TestGPUChunk sizes WebGPU chunks: 32 images where the device is roomy, fewer where the
// workspace would pass gpuMemory or the adapter's largest buffer cannot hold the largest
// activation, an error where the accumulators do not fit.
func TestGPUChunk(t *testing.T) {
	const largest = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
	for _, c := range []struct {
		arch      string
		channels  int
		side      int   // input height and width
		maxBuffer int64 // the adapter's largest buffer
		want      int   // the chunk; 0: an error
		reason    string
	}{
		{index11, 16, 32, 128 << 20, 32, "roomy"},
		{largest, 16, 32, 128 << 20, 21, "the largest network: 23.5 MB of workspace an image, 512 MiB in all"},
		{index11, 16, 32, 3194044, 0, "not the accumulators' 3,194,048 bytes"},
		{index11, 4, 128, 5 * 4 * 4 * 128 * 128, 5, "5 images' activation of 4 channels of 128×128"},
	} {
		a, _ := nb201.ParseArch(c.arch)
		net, err := network.Build[float32](nb201.Config{Arch: a, C: c.channels, N: 5, Classes: 10, H: c.side, W: c.side})
		if err != nil {
			t.Fatal(err)
		}
		got, err := gpuChunkFor(net, c.maxBuffer)
		if got != c.want || (err != nil) != (c.want == 0) {
			t.Errorf("%s: chunk %d, %v; want %d", c.reason, got, err, c.want)
		}
	}
}

// TestGemmRateBounded: the kernel's timing takes 1 to 5000 ms (gemmRate(1e9) held the engine
// until the page was reloaded).
func TestGemmRateBounded(t *testing.T) {
	for _, ms := range []float64{1e9, 0, -1, math.NaN()} {
		if _, err := gemmRate(ms); err == nil {
			t.Errorf("gemmRate(%v): no error", ms)
		}
	}
	r, err := gemmRate(1)
	if err != nil || r["gflops"].(float64) <= 0 {
		t.Fatalf("gemmRate(1): %v, %v", r, err)
	}
}

// An ONNX model loaded into the session scores as the CLI does (the PyTorch reference's
// GradSign within 0.1% with the file's weights), its structure listed; --init's weights and
// the file's are different history entries.
func TestModels(t *testing.T) {
	s := testSession(t)
	b, err := os.ReadFile("../testdata/onnx/vgg.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.lookup(archRef{Space: "onnx", Arch: "onnx:1:0000000000000000"}); err == nil || !strings.Contains(err.Error(), "load the ONNX file first") {
		t.Errorf("an unknown model: %v", err)
	}
	info, err := s.loadModel(b, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Nodes) != 24 || info.Nodes[0].Layer != "/features/features.0/Conv" || info.Nodes[0].Shape != "16×32×32" || info.Nodes[0].Params != 432 {
		t.Errorf("nodes %d, first %+v", len(info.Nodes), info.Nodes[0])
	}
	file := archRef{Space: "onnx", Arch: info.ID}
	fresh := archRef{Space: "onnx", Arch: info.ID, Init: true}
	got, err := s.lookup(file)
	if err != nil || got.Params != 138554 || got.Model == nil {
		t.Fatalf("lookup: %+v, %v", got, err)
	}
	score := func(r archRef) float64 {
		part, err := s.accumulate(context.Background(), r, 0, 0, 8, "cpu", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.finish(r, 0, 8, [][]byte{part})
		if err != nil {
			t.Fatal(err)
		}
		if res.Model != nil {
			t.Error("a result carries the model's structure")
		}
		return res.GradSign
	}
	if g := score(file); math.Abs(g-261615) > 1e-3*261615 {
		t.Errorf("the file's weights: GradSign %v, PyTorch 261615", g)
	}
	if score(fresh) == score(file) {
		t.Error("init: the same score as the file's weights")
	}
	k1, _ := s.historyKey("gradsign", file, 8, 0, "wasm")
	k2, _ := s.historyKey("gradsign", fresh, 8, 0, "wasm")
	if k1 == k2 || !strings.Contains(k1, "weights=file") {
		t.Errorf("history keys %q and %q", k1, k2)
	}
	folded, err := os.ReadFile("../testdata/onnx/tiny_folded.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.loadModel(folded, false); err == nil || !strings.Contains(err.Error(), "training mode") {
		t.Errorf("a folded model: %v", err)
	}
	if m, err := s.loadModel(folded, true); err != nil || !m.Folded || len(m.Notes) == 0 {
		t.Errorf("a folded model, allowed: %+v, %v", m, err)
	}
	wide, err := os.ReadFile("../testdata/onnx/wide64_5classes.onnx")
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.loadModel(wide, false)
	if err != nil || len(w.Notes) != 2 || w.Size != [2]int{64, 64} {
		t.Errorf("a 64×64 model of 5 classes: %+v, %v", w, err)
	}
	if g := score(archRef{Space: "onnx", Arch: w.ID}); g != 9123 {
		t.Errorf("the 64×64 model of 5 classes: GradSign %v, PyTorch 9123", g)
	}
	if _, err := s.lookup(archRef{Space: "nb201", Arch: "0", Init: true}); err == nil {
		t.Error("init on nb201: no error")
	}
}

// TestProxyRanks: a NAS-Bench-201 result's proxies ranked among the reference set's at its N;
// proxies the set lacks there, and other spaces, get nothing.
func TestProxyRanks(t *testing.T) {
	ref := `{"seed":0,"sample_seed":1,"dataset":"cifar10","ns":[16],"archs":[
	{"index":0,"arch":"x","accuracy":[1,2,3],"gradsign":[1],"proxies":{"snip":[5]}},{"index":1,"arch":"y","accuracy":[1,2,3],"gradsign":[1e12],"proxies":{"snip":[null]}}]}`
	s, err := newSession("test", assets.CIFAR10Bin, assets.NB201Gz, []byte(ref))
	if err != nil {
		t.Fatal(err)
	}
	got := s.proxyRanks("nb201", 16, map[string]float64{"snip": 3, "synflow": 1})
	if len(got) != 1 || got["snip"] != (refset.ProxyRank{Rank: 2, Of: 3, Percentile: 50}) {
		t.Fatalf("ranks %+v", got)
	}
	if got := s.proxyRanks("nb201", 32, map[string]float64{"snip": 3}); len(got) != 0 {
		t.Fatalf("N=32, which the set lacks: %+v", got)
	}
	if got := s.proxyRanks("darts", 16, map[string]float64{"snip": 3}); len(got) != 0 {
		t.Fatalf("another space: %+v", got)
	}
}
