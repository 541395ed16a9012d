package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/proxies"
	"gradsign/engine/refset"
	"gradsign/engine/search"
	"gradsign/engine/space"
	"gradsign/engine/stats"
)

// session is what one engine (one Web Worker) holds: the bundled images, the NAS-Bench-201
// table and the reference set, which the page fetches and hands over as bytes so the wasm
// binary stays small. Everything here is plain Go, tested natively; main_js.go only converts
// between it and JavaScript.
type session struct {
	version string // the build: part of every history key
	images  *cifar.Set
	table   *nb201.Table
	ref     *refset.Set
	space   *space.Scores // GradSign over the whole space, as far as the project's run has gone
	// sample is the 1,000-architecture sample's score file (every proxy, N=128) for the
	// proxy explorer, with its column names; loaded on first use (explore.go).
	sample      []sampleRow
	sampleNames []string
	// training is the benchmark's training table for the search race, loaded on first use.
	training *search.Table
	// gpuMaxBuffer is the largest buffer the worker's WebGPU adapter offers, in bytes.
	gpuMaxBuffer int64
	// The other spaces' tables and reference scores (loadSpaces).
	nb101     *nb101.Table
	nb301     *darts.Table
	spaceRefs map[string]*refset.Space
	// resolvedCache keeps resolve's recent answers (calls come from several goroutines).
	resolvedMu    sync.Mutex
	resolvedCache map[archRef]resolveAnswer
	// models are the ONNX models loaded, by id (models.go).
	modelsMu sync.Mutex
	models   map[string]*model
}

// dataName names the images in history keys and exports.
const dataName = "cifar10-test-0..999"

func newSession(version string, cifarBin, tableGz, refJSON []byte) (*session, error) {
	images, err := cifar.Read(cifarBin, cifar.CIFAR10)
	if err != nil {
		return nil, err
	}
	table, err := nb201.ReadTableGzip(tableGz)
	if err != nil {
		return nil, err
	}
	ref, err := refset.Read(refJSON)
	if err != nil {
		return nil, err
	}
	return &session{version: version, images: images, table: table, ref: ref}, nil
}

// loadSpace takes the whole-space scores (assets/nb201_space.bin).
func (s *session) loadSpace(data []byte) error {
	sp, err := space.Read(data)
	if err != nil {
		return err
	}
	s.space = sp
	return nil
}

// wholeSpace is the page's whole-space view: every index's GradSign score (NaN where the run
// has not reached) and its accuracies, with Spearman's rho over the scored ones per dataset.
type wholeSpace struct {
	N, Seed  uint32
	Scored   int
	Scores   []float32
	Accuracy [3][]float32 // by nb201.Datasets
	Spearman [3]float64
}

func (s *session) wholeSpace() (*wholeSpace, error) {
	if s.space == nil {
		return nil, errors.New("no whole-space scores loaded (assets/nb201_space.bin)")
	}
	w := &wholeSpace{N: s.space.N, Seed: s.space.Seed, Scored: s.space.Scored(), Scores: s.space.Values}
	var scored []float64
	accs := [3][]float64{}
	for i, v := range s.space.Values {
		e, err := s.table.At(i)
		if err != nil {
			return nil, err
		}
		for d := range w.Accuracy {
			w.Accuracy[d] = append(w.Accuracy[d], float32(e.Accuracy[d]))
		}
		if math.IsNaN(float64(v)) {
			continue
		}
		scored = append(scored, float64(v))
		for d := range accs {
			accs[d] = append(accs[d], e.Accuracy[d])
		}
	}
	for d := range accs {
		w.Spearman[d] = stats.Spearman(scored, accs[d])
	}
	return w, nil
}

// archInfo is what lookup tells about an architecture: what its benchmark knows of it and its
// network's size, before anything is computed.
type archInfo struct {
	Space string `json:"space"` // nb201, nb101, darts, nds or onnx
	// Index is its index (nb201) or row in the shipped table (nb101, darts); absent where the
	// table has none.
	Index *int   `json:"index,omitempty"`
	Arch  string `json:"arch"`           // in its space's canonical form (nb101: pruned)
	Hash  string `json:"hash,omitempty"` // nb101's graph hash
	// Genotype is a darts or nds architecture's cells, for the page's editor.
	Genotype *darts.Genotype `json:"genotype,omitempty"`
	// Named is the name of the genotype where it is one of the named ones (darts.Names).
	Named string `json:"named,omitempty"`
	// Channels is the network's width: nb201's C, nb101's stem channels, darts's and nds's C.
	Channels int `json:"channels"`
	Params   int `json:"params"`
	FLOPs    int `json:"flops"` // for one image, as NAS-Bench-201 counts them
	// Accuracy is what the benchmark measured, by name (nb201: cifar10, cifar100, imagenet16;
	// nb101: valid108, valid36, valid12, valid4; darts: nb301), and Truth says it in words.
	Accuracy map[string]float64 `json:"accuracy"`
	Truth    string             `json:"truth,omitempty"`
	// Model describes an ONNX model (space onnx); Init says its weights are drawn from the
	// seed rather than the file's.
	Model *modelInfo `json:"model,omitempty"`
	Init  bool       `json:"init,omitempty"`
	// StructuralZeros counts the weights whose gradient is zero in exact arithmetic
	// (graph.StructuralZeros), known from the graph before any score.
	StructuralZeros int `json:"structuralZeros"`
	// Memory is what one engine needs to score it, in bytes (weights, accumulators, the
	// workspace of one image); Engines how many engines may score it at once within
	// pageMemory (each holds the whole network).
	Memory  int64 `json:"memory"`
	Engines int   `json:"engines"`
}

// lookup describes an architecture (archRef) without computing anything.
func (s *session) lookup(r archRef) (archInfo, error) {
	res, err := s.resolve(r)
	return res.info, err
}

// network builds and initialises the CIFAR network of an architecture, as `gradsign score`
// does.
func (s *session) network(r archRef, seed uint64) (*network.Network[float32], error) {
	res, err := s.resolve(r)
	if err != nil {
		return nil, err
	}
	net, err := network.Build[float32](res.spec)
	if err != nil {
		return nil, err
	}
	net.Init(seed)
	if r.Space == "onnx" && !r.Init {
		m, err := s.modelOf(r.Arch)
		if err != nil {
			return nil, err
		}
		if err := net.Load(m.net.Weights); err != nil {
			return nil, err
		}
	}
	return net, nil
}

// gpuChunk is how many images go through the WebGPU backend together: enough to fill a GPU's
// invocations (each kernel runs one per output value of every image in the chunk); fewer where
// the adapter's largest buffer cannot hold the largest activation of that many, or where their
// workspace would take more than gpuMemory of the device (the largest network takes 23.5 MB an
// image: 21 images).
const (
	gpuChunk  = 32
	gpuMemory = 512 << 20
)

// gpuChunkFor is the chunk of images for net on an adapter whose buffers hold maxBuffer bytes
// at most, or an error where not even the sign accumulators or one image's activation fit.
func gpuChunkFor(net *network.Network[float32], maxBuffer int64) (int, error) {
	var weights int64
	for _, n := range net.WeightSizes() {
		weights += int64(n)
	}
	perImage := 4 * int64(net.LargestValue())
	if 4*weights > maxBuffer || perImage > maxBuffer {
		return 0, fmt.Errorf("this network needs GPU buffers of %d bytes (accumulators) and %d bytes per image; the adapter offers %d: use the wasm backend", 4*weights, perImage, maxBuffer)
	}
	fixed := net.WorkspaceBytes(0, 0, false)
	perImageWorkspace := net.WorkspaceBytes(1, 0, false) - fixed
	return int(max(1, min(gpuChunk, maxBuffer/perImage, (gpuMemory-fixed)/perImageWorkspace))), nil
}

// batch is n bundled images from offset as net takes them: resized to its input, labels
// modulo its outputs (an ONNX model's; cifar.Fit, whose notes the model's info holds).
func (s *session) batch(net *network.Network[float32], offset, n int) ([]float32, []int, error) {
	x, labels, err := cifar.Batch[float32](s.images, offset, n, nil)
	if err != nil {
		return nil, nil, err
	}
	in := net.Graph.Shape(net.Graph.Input)
	x, _ = cifar.Fit(x, labels, cifar.CIFAR10, in.H, in.W, net.Classes)
	return x, labels, nil
}

// accumulate scores images from..to-1 on a backend ("cpu", the wasm engine, or "webgpu") and
// returns their encoded sign accumulators.
func (s *session) accumulate(ctx context.Context, arch archRef, seed uint64, from, to int, be string, progress func(done int)) ([]byte, error) {
	if from < 0 || to > s.images.Len() || from >= to {
		return nil, fmt.Errorf("images %d..%d requested, the bundled set holds 0..%d", from, to-1, s.images.Len()-1)
	}
	net, err := s.network(arch, seed)
	if err != nil {
		return nil, err
	}
	x, labels, err := s.batch(net, from, to-from)
	if err != nil {
		return nil, err
	}
	opt := gradsign.Options{Workers: 1, Progress: progress, Backend: be}
	if be == "webgpu" {
		if opt.Chunk, err = gpuChunkFor(net, s.gpuMaxBuffer); err != nil {
			return nil, err
		}
	}
	signs, err := gradsign.Accumulate(ctx, net, x, labels, opt)
	if err != nil {
		return nil, err
	}
	return signs.MarshalBinary()
}

// backendCheck is the start-up self-check of a second backend against the wasm engine's.
type backendCheck struct {
	OK      bool    `json:"ok"`
	CPU     float64 `json:"cpu"`     // GradSign of the check network on the wasm engine
	Other   float64 `json:"other"`   // and on the backend checked
	RelDiff float64 `json:"relDiff"` // |other - cpu| / cpu
}

// checkBackend scores a small network with every kind of operation (convolutions 3×3 and
// 1×1, both poolings, skip and none edges, reduction blocks, the classifier) on 8 images with
// the backend and with the wasm engine: the backend passes if the scores agree within 0.1%.
func (s *session) checkBackend(be string) (backendCheck, error) {
	a, err := nb201.ParseArch("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
	if err != nil {
		return backendCheck{}, err
	}
	net, err := network.Build[float32](nb201.Config{Arch: a, C: 4, N: 1, Classes: 10, H: 32, W: 32})
	if err != nil {
		return backendCheck{}, err
	}
	net.Init(1)
	const n = 8
	x, labels, err := cifar.Batch[float32](s.images, 0, n, nil)
	if err != nil {
		return backendCheck{}, err
	}
	score := func(name string) (float64, error) {
		r, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{Workers: 1, Chunk: n, Backend: name})
		return r.Score, err
	}
	var c backendCheck
	if c.CPU, err = score("cpu"); err != nil {
		return c, err
	}
	if c.Other, err = score(be); err != nil {
		return c, err
	}
	c.RelDiff = math.Abs(c.Other-c.CPU) / c.CPU
	c.OK = c.CPU > 0 && c.RelDiff <= 1e-3
	return c, nil
}

// maxProxyN and maxGraspN bound the images of the mini-batch proxies in the browser: they
// hold the whole batch's activations at once (about 18 MB per image for the largest network;
// grasp's float64 pass with its tangents about 95 MB per image), and a wasm engine has 4 GB
// at most.
const (
	maxProxyN = 32
	maxGraspN = 16
)

// maxSeed is the largest seed the page takes: JavaScript's numbers hold every integer up to
// 2^53 - 1 exactly, and no integer above it for sure.
const maxSeed = 1<<53 - 1

// nChoices are the image counts the page offers.
var nChoices = []int{16, 32, 64, 128}

// proxyFact is one proxy as the page sees it: its name and the most images it takes here.
type proxyFact struct {
	Name string `json:"name"`
	MaxN int    `json:"maxN"`
}

// facts are the engine's facts the page needs, in one place: the operations and edges of a
// cell, the proxies and their limits, the index range, the image counts and the seed range.
type facts struct {
	Ops      []string    `json:"ops"`
	Edges    [][2]int    `json:"edges"` // [to, from] of each edge, in arch-string order
	Proxies  []proxyFact `json:"proxies"`
	NumArchs int         `json:"numArchs"`
	Images   int         `json:"images"`
	NChoices []int       `json:"nChoices"`
	MaxSeed  int64       `json:"maxSeed"`
	Datasets []string    `json:"datasets"`
	Spaces   []spaceFact `json:"spaces"`
}

func (s *session) facts() facts {
	f := facts{NumArchs: nb201.NumArchs, Images: s.images.Len(), NChoices: nChoices, MaxSeed: maxSeed, Datasets: nb201.Datasets[:], Spaces: s.spaceFacts()}
	for o := nb201.Op(0); o < nb201.NumOps; o++ {
		f.Ops = append(f.Ops, o.String())
	}
	for j := 1; j <= 3; j++ {
		for i := 0; i < j; i++ {
			f.Edges = append(f.Edges, [2]int{j, i})
		}
	}
	for _, name := range proxyList() {
		f.Proxies = append(f.Proxies, proxyFact{name, s.maxN(name)})
	}
	return f
}

// maxN is the most images a proxy takes in the browser.
func (s *session) maxN(name string) int {
	switch name {
	case "gradsign":
		return s.images.Len()
	case "grasp":
		return maxGraspN
	}
	return maxProxyN
}

// check refuses a request before any work: its architecture (and whether an engine can hold
// its network), image count, seed and proxies (each within its image limit and the engine's
// memory), with one message about the first thing wrong.
func (s *session) check(arch archRef, n int, seed float64, names []string) error {
	res, err := s.resolve(arch)
	if err != nil {
		return err
	}
	info := res.info
	if info.Memory > engineMemory {
		return fmt.Errorf("this network (%s parameters) needs %s in each engine to score, more than the %s a browser engine can hold: score it with the CLI (gradsign score --space %s), or choose a narrower network", thousands(info.Params), mib(info.Memory), mib(engineMemory), info.Space)
	}
	if n < 1 || n > s.images.Len() {
		return fmt.Errorf("image count %d: want a whole number from 1 to %d (the bundled set)", n, s.images.Len())
	}
	if _, err := checkSeed(seed); err != nil {
		return err
	}
	for _, name := range names {
		if !slices.Contains(proxyList(), name) {
			return fmt.Errorf("unknown proxy %s: want some of %s", nb201.Quote(name), strings.Join(proxyList(), ", "))
		}
		if limit := s.maxN(name); n > limit {
			return fmt.Errorf("%s needs the whole batch in memory at once: in the browser, N at most %d (the CLI has no such limit)", name, limit)
		}
	}
	if others := slices.DeleteFunc(slices.Clone(names), func(p string) bool { return p == "gradsign" }); len(others) > 0 {
		need, err := proxies.MemoryBytes(res.plan, n, others, gradsign.Options{Workers: 1})
		if err != nil {
			return err
		}
		if need > engineMemory {
			return fmt.Errorf("%s on %d images of this network need %s at once, more than the %s a browser engine can hold: ask for fewer images, or use the CLI", strings.Join(others, ", "), n, mib(need), mib(engineMemory))
		}
	}
	return nil
}

// mib writes a byte count in MiB.
func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// thousands writes a count with thousands separators.
func thousands(v int) string {
	s := strconv.Itoa(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// proxyList is every proxy the page offers: all but params and FLOPs, which it shows for every
// architecture anyway, and GradSign's raw score and zero counts, which its result shows.
func proxyList() []string {
	return slices.DeleteFunc(slices.Clone(proxies.Names), func(s string) bool {
		return slices.Contains([]string{"params", "flops", "gradsign_raw", "structural_zeros", "zero_fraction"}, s)
	})
}

// checkSeed takes a seed from JavaScript: a whole number from 0 to 2^53 - 1.
func checkSeed(v float64) (uint64, error) {
	if !(v >= 0 && v <= maxSeed && v == math.Trunc(v)) {
		return 0, fmt.Errorf("seed %v: want a whole number from 0 to %d", v, int64(maxSeed))
	}
	return uint64(v), nil
}

// proxyValues computes the mini-batch proxies (every proxy but gradsign) on images 0..n-1;
// non-finite values are left out (the page shows them as having none).
func (s *session) proxyValues(arch archRef, seed uint64, n int, names []string) (map[string]float64, error) {
	var list []string
	for _, name := range names {
		if name != "gradsign" {
			list = append(list, name)
		}
	}
	if _, err := proxies.Parse(strings.Join(list, ",")); err != nil || len(list) == 0 {
		return nil, fmt.Errorf("proxies %v: want some of %s", names, strings.Join(proxies.Names, ", "))
	}
	if err := s.check(arch, n, float64(seed), list); err != nil {
		return nil, err
	}
	net, err := s.network(arch, seed)
	if err != nil {
		return nil, err
	}
	x, labels, err := s.batch(net, 0, n)
	if err != nil {
		return nil, err
	}
	v, err := proxies.Compute(context.Background(), net, x, labels, list, gradsign.Options{Workers: 1})
	if err != nil {
		return nil, err
	}
	for k, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			delete(v, k)
		}
	}
	return v, nil
}

// referenceView is the reference set at n images, as the page plots and explains it: every
// point (with its size), and how well GradSign and the parameter count rank CIFAR-10 accuracy
// there (Spearman's rho, computed natively by tools/mkreference).
type referenceView struct {
	Points   []refset.Point     `json:"points"`
	Spearman map[string]float64 `json:"spearman"`
}

func (s *session) reference(n int) (referenceView, error) {
	pts, err := s.ref.Points(n, 0)
	if err != nil {
		return referenceView{}, err
	}
	sp, err := s.ref.SpearmanAt(n)
	return referenceView{Points: pts, Spearman: sp}, err
}

// proxyRanks places a NAS-Bench-201 result's baseline proxies among the reference set's at its
// N (refset.Set.RankProxy): only the proxies the set has at that N, nothing for other spaces
// (their networks are not the reference set's).
func (s *session) proxyRanks(space string, n int, values map[string]float64) map[string]refset.ProxyRank {
	out := map[string]refset.ProxyRank{}
	if space != "nb201" && space != "" {
		return out
	}
	for name, v := range values {
		if r, err := s.ref.RankProxy(n, name, v); err == nil {
			out[name] = r
		}
	}
	return out
}

// rank is where a result stands among the reference set at its N: its GradSign's place and its
// benchmark accuracy's place (CIFAR-10 for NAS-Bench-201), 1 the highest, among the set and itself (Of).
type rank struct {
	GradSign int `json:"gradsign"`
	Accuracy int `json:"accuracy"`
	Of       int `json:"of"`
}

func (s *session) rank(n int, score, accuracy float64) (*rank, error) {
	pts, err := s.ref.Points(n, 0)
	if err != nil {
		return nil, err
	}
	return rankAmong(score, accuracy, len(pts), func(i int) (float64, float64) { return pts[i].Score, pts[i].Accuracy }), nil
}

// rankAmong places a score and an accuracy among k points (point i's score and accuracy).
func rankAmong(score, accuracy float64, k int, point func(i int) (score, accuracy float64)) *rank {
	r := &rank{GradSign: 1, Accuracy: 1, Of: k + 1}
	for i := range k {
		s, a := point(i)
		if s > score {
			r.GradSign++
		}
		if a > accuracy {
			r.Accuracy++
		}
	}
	return r
}

// layerView is one layer of a result, with agreement: its score per weight per sample, 1 when
// every sample's gradient has the same sign at every weight; chance: the agreement random
// signs would give it (gradsign.Chance, its structural zeros counting 0); excess: agreement
// less chance.
type layerView struct {
	gradsign.Layer
	Agreement float64 `json:"agreement"`
	Chance    float64 `json:"chance"`
	Excess    float64 `json:"excess"`
}

// scoreResult is a finished score as the page shows it.
type scoreResult struct {
	archInfo
	GradSign   float64     `json:"gradsign"`
	N          int         `json:"n"`
	Seed       uint64      `json:"seed"`
	Data       string      `json:"data"`
	Layers     []layerView `json:"layers"`
	Percentile *float64    `json:"percentile"` // among the reference set at this N; null if it has no N
	Rank       *rank       `json:"rank"`       // likewise (Accuracy 0 where the benchmark does not know it)
	// StructuralZeroWeights counts the weights given sign 0 because their gradient is zero in
	// exact arithmetic (also per layer).
	StructuralZeroWeights int `json:"structural_zeros"`
	// DataZeros counts the (sample, weight) pairs given sign 0 because on that sample's data
	// their gradient is exactly zero (gradsign.Result.DataZeros; also per layer).
	DataZeros int64 `json:"data_zeros"`
	// Weights counts the weights GradSign reads (every Conv2d and Linear weight).
	Weights int `json:"weights"`
	// Chance is the agreement of N random signs (gradsign.Chance), ChanceScore the score they
	// would give every layer, AboveChance the score less that (gradsign.Result.AboveChance).
	Chance      float64 `json:"chance"`
	ChanceScore float64 `json:"chance_score"`
	AboveChance float64 `json:"above_chance"`
	// Agreement is GradSign per weight and image, GradSign / (N · Weights): the network's mean
	// agreement, which GradSign multiplies by its size.
	Agreement float64 `json:"agreement"`
}

// finish adds up the encoded accumulators of disjoint image ranges into the score of images
// 0..n-1.
func (s *session) finish(arch archRef, seed uint64, n int, parts [][]byte) (scoreResult, error) {
	info, err := s.lookup(arch)
	if err != nil {
		return scoreResult{}, err
	}
	net, err := s.network(arch, seed)
	if err != nil {
		return scoreResult{}, err
	}
	sizes := net.WeightSizes()
	total := gradsign.NewSigns(sizes)
	for _, p := range parts {
		signs := gradsign.NewSigns(sizes)
		if err := signs.UnmarshalBinary(p); err != nil {
			return scoreResult{}, err
		}
		total.Merge(signs)
	}
	if total.Samples != n {
		return scoreResult{}, fmt.Errorf("the parts hold %d samples, want %d", total.Samples, n)
	}
	r := total.Result(net)
	res := scoreResult{archInfo: info, GradSign: r.Score, N: n, Seed: seed, Data: dataName, StructuralZeroWeights: r.StructuralZeros, DataZeros: r.DataZeros, Weights: r.Weights,
		Chance: gradsign.Chance(n), ChanceScore: r.Score - r.AboveChance(), AboveChance: r.AboveChance()}
	if r.Weights > 0 {
		res.Agreement = r.Score / float64(n*r.Weights)
	}
	res.Model = nil // an ONNX model's structure is the page's to keep (results go into history)
	for _, l := range r.Layers {
		perWeight := float64(l.Weights * n)
		v := layerView{Layer: l, Agreement: l.Score / perWeight, Chance: l.ChanceScore(n) / perWeight}
		v.Excess = v.Agreement - v.Chance
		res.Layers = append(res.Layers, v)
	}
	if info.Space == "nb201" {
		if p, err := s.ref.Percentile(n, r.Score); err == nil {
			res.Percentile = &p
			res.Rank, _ = s.rank(n, r.Score, info.Accuracy["cifar10"])
		}
	} else if ref := s.spaceRefs[info.Space]; ref != nil && ref.N == n && ref.Channels == info.Channels {
		p := ref.Percentile(r.Score)
		res.Percentile = &p
		acc, known := headline(info)
		res.Rank = rankAmong(r.Score, acc, len(ref.Points), func(i int) (float64, float64) { return ref.Points[i].Score, ref.Points[i].Accuracy })
		if !known {
			res.Rank.Accuracy = 0
		}
	}
	return res, nil
}

// headline is the accuracy a space's reference plots (nb101: after 108 epochs; darts:
// NAS-Bench-301's), and whether the benchmark knows it.
func headline(info archInfo) (float64, bool) {
	for _, k := range []string{"cifar10", "valid108", "nb301"} {
		if v, ok := info.Accuracy[k]; ok {
			return v, true
		}
	}
	return 0, false
}

// thumbnails returns images 0..n-1 as RGBA pixels (n × 32 × 32 × 4) and their labels.
func (s *session) thumbnails(n int) ([]byte, []int, error) {
	if n < 1 || n > s.images.Len() {
		return nil, nil, fmt.Errorf("%d thumbnails requested, the bundled set holds %d", n, s.images.Len())
	}
	const px = cifar.Side * cifar.Side
	rgba := make([]byte, 0, n*px*4)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		img := s.images.Image(i)
		for p := 0; p < px; p++ {
			rgba = append(rgba, img[p], img[px+p], img[2*px+p], 255)
		}
		labels[i] = s.images.Label(i)
	}
	return rgba, labels, nil
}

// historyKey names a result by everything that determines it; proxy is the proxies asked
// for, joined with "+".
// NAS-Bench-201's keys are as before the other spaces; theirs name the space and the width.
func (s *session) historyKey(proxy string, arch archRef, n int, seed uint64, be string) (string, error) {
	res, err := s.resolve(arch)
	if err != nil {
		return "", err
	}
	info := res.info
	if be != "wasm" && be != "webgpu" {
		return "", fmt.Errorf("backend %q: want wasm or webgpu", be)
	}
	name := info.Arch
	switch info.Space {
	case "nb201":
	case "onnx":
		weights := "file"
		if arch.Init {
			weights = "init"
		}
		name = fmt.Sprintf("space=onnx|weights=%s|%s", weights, info.Arch)
	default:
		name = fmt.Sprintf("space=%s|channels=%d|%s", info.Space, info.Channels, info.Arch)
	}
	return fmt.Sprintf("%s|%s|n=%d|seed=%d|%s|engine=%s|backend=%s", proxy, name, n, seed, dataName, s.version, be), nil
}
