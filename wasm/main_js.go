//go:build js && wasm

// Command wasm runs the engine in a Web Worker. It defines globalThis.gradsignEngine, whose
// methods return Promises (a Go error or panic becomes a rejection with a readable message),
// then calls globalThis.onGradsignEngine() to say it is ready:
//
//	init({version, cifar: Uint8Array, table: Uint8Array, reference: Uint8Array, space: Uint8Array})
//	addImages(Uint8Array)                      the CIFAR-10 records that follow the ones init had
//	loadSpaces({nb101, nb301, spaceRefs: Uint8Array}) the other spaces' tables and reference scores,
//	                                              before any call about those spaces
//
// An architecture is {space, arch, channels} wherever a call takes arch (space 'nb201' and the
// benchmark's width when left out; archRef in spaces.go says what arch is in each space; space
// 'onnx' names a loaded model by its id, with init: true to draw its weights from the seed):
//
//	loadModel(Uint8Array, {allowFolded}) -> {id, input, size, ops, nodes: [{op, shape, params,
//	                                              layer, detail}], notes, folded}: an ONNX file read
//	lookup(archOrIndex | {space, arch, channels}) -> {space, index, arch, hash, channels, params,
//	                                              flops, accuracy, truth, structuralZeros, memory}
//	accumulate({arch, seed, from, to, backend}, onProgress(done), job) -> Uint8Array (sign accumulators);
//	                                              backend 'webgpu' runs on the GPU, otherwise the wasm engine
//	gpu()                                      -> {adapter, software} of the worker's WebGPU device, or null
//	wholeSpace()                               -> {n, seed, scored, scores: Float32Array (NaN: not yet
//	                                              scored), accuracy: {dataset: Float32Array}, spearman}
//	checkBackend('webgpu')                     -> {ok, cpu, other, relDiff}: a small network scored on both
//	finish({arch, seed, n}, [Uint8Array...])   -> {gradsign, layers, percentile, structural_zeros, ...}
//	thumbnails(n)                              -> {rgba: Uint8Array, labels}
//	reference(n)                               -> {points: [{index, arch, gradsign, params, accuracy}] sorted
//	                                              by score, spearman: {gradsign, params}} (CIFAR-10)
//	spaceReference(space)                      -> {results, network, channels, n, seed, metric, points:
//	                                              [{row, gradsign, params, accuracy}], spearman}
//	proxies({arch, seed, n, names})            -> {name: value} of the mini-batch proxies
//	proxyRanks({space, n, values})             -> {name: {rank, of, percentile}} among the reference
//	                                              set's values at n (NAS-Bench-201 only)
//	facts()                                    -> {ops, edges, proxies: [{name, maxN}], numArchs, images,
//	                                              nChoices, maxSeed, datasets, spaces}: the one source of these
//	check({arch, n, seed, proxies})            -> null, or rejects with what is wrong, before any work
//	cancel(job)                                -> stops accumulate or signSamples number job at its next
//	                                              chunk or image
//	signSamples({arch, seed, n, k}, onRow(image, signs), job) -> {layer, weights, signs, sums, score, agreement,
//	                                              chance}: the signs of each image's gradient at k weights of one layer
//	gemmRate(ms)                               -> {kernel, gflops}: the float32 kernel and its rate on
//	                                              a convolution-shaped product, timed for about ms
//	historyKey({arch, n, seed, proxies, backend}) -> the key of the result in the page's history
//	                                              (ui/history.js keeps the history itself)
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"gradsign/engine/backend/webgpu"
	"gradsign/engine/nb201"
)

var sess *session

func main() {
	api := map[string]func(args []js.Value) (any, error){
		"init":           initSession,
		"lookup":         lookup,
		"spaceReference": func(a []js.Value) (any, error) { return toJS(must().spaceReference(arg(a, 0).String())) },
		"accumulate":     accumulate,
		"finish":         finish,
		"thumbnails":     thumbnails,
		"reference":      reference,
		"proxies":        proxyValues,
		"proxyRanks":     proxyRanks,
		"loadSample": func(a []js.Value) (any, error) {
			return nil, must().loadSample(bytesOf(arg(a, 0)))
		},
		"explore": func(a []js.Value) (any, error) {
			var req exploreRequest
			if err := decodeJS(arg(a, 0), &req); err != nil {
				return nil, fmt.Errorf("explore wants {proxy, dataset, ranks, k}: %v", err)
			}
			return toJS(must().explore(req))
		},
		"gemmRate":     func(a []js.Value) (any, error) { return gemmRate(arg(a, 0).Float()) },
		"facts":        func([]js.Value) (any, error) { return toJS(must().facts(), nil) },
		"check":        check,
		"gpu":          gpu,
		"wholeSpace":   wholeSpaceJS,
		"loadTraining": func(a []js.Value) (any, error) { return nil, must().loadTraining(bytesOf(arg(a, 0))) },
		"race":         race,
		"trainingCost": func(a []js.Value) (any, error) {
			return toJS(must().trainingCost(arg(a, 0).Int()))
		},
		"checkBackend": func(a []js.Value) (any, error) { return toJS(must().checkBackend(arg(a, 0).String())) },
		"cancel":       cancelJob,
		"addImages":    addImages,
		"loadSpaces":   loadSpaces,
		"signSamples":  signSamples,
		"historyKey":   historyKey,
		"loadModel":    loadModel,
	}
	engine := js.Global().Get("Object").New()
	for name, fn := range api {
		engine.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any { return promise(func() (any, error) { return fn(args) }) }))
	}
	js.Global().Set("gradsignEngine", engine)
	if ready := js.Global().Get("onGradsignEngine"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// promise runs fn in a goroutine and settles a Promise with its result; errors and panics
// reject it with an Error whose message says what went wrong.
func promise(fn func() (any, error)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer func() {
				if r := recover(); r != nil {
					reject.Invoke(js.Global().Get("Error").New(fmt.Sprint("gradsign engine: internal error: ", r)))
				}
			}()
			v, err := fn()
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

// decodeJS reads a JavaScript value into v as encoding/json reads its JSON.
func decodeJS(value js.Value, v any) error {
	return json.Unmarshal([]byte(js.Global().Get("JSON").Call("stringify", value).String()), v)
}

// arg returns args[i], or undefined.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

func must() *session {
	if sess == nil {
		panic("init has not been called")
	}
	return sess
}

// toJS hands a Go value to JavaScript through JSON.
func toJS(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return js.Global().Get("JSON").Call("parse", string(data)), nil
}

func bytesOf(v js.Value) []byte {
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func uint8Array(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

func initSession(args []js.Value) (any, error) {
	o := arg(args, 0)
	if o.Type() != js.TypeObject {
		return nil, errors.New("init wants {version, cifar, table, reference}")
	}
	s, err := newSession(o.Get("version").String(), bytesOf(o.Get("cifar")), bytesOf(o.Get("table")), bytesOf(o.Get("reference")))
	if err != nil {
		return nil, err
	}
	if sp := o.Get("space"); sp.Type() == js.TypeObject {
		if err := s.loadSpace(bytesOf(sp)); err != nil {
			return nil, err
		}
	}
	s.gpuMaxBuffer = webgpu.MaxBuffer()
	sess = s
	return nil, nil
}

// addImages appends CIFAR-10 records to the session's images (the page loads the first 128 at
// start, the rest when a request asks for more).
func addImages(args []js.Value) (any, error) {
	more, err := must().images.Append(bytesOf(arg(args, 0)))
	if err != nil {
		return nil, err
	}
	must().images = more
	return nil, nil
}

func loadSpaces(args []js.Value) (any, error) {
	o := arg(args, 0)
	if o.Type() != js.TypeObject {
		return nil, errors.New("loadSpaces wants {nb101, nb301, spaceRefs}")
	}
	return nil, must().loadSpaces(bytesOf(o.Get("nb101")), bytesOf(o.Get("nb301")), bytesOf(o.Get("spaceRefs")))
}

// wholeSpaceJS hands the whole-space view over as typed arrays: {n, seed, scored, scores,
// accuracy: {cifar10, cifar100, imagenet16}, spearman: {...}}.
func wholeSpaceJS([]js.Value) (any, error) {
	w, err := must().wholeSpace()
	if err != nil {
		return nil, err
	}
	f32 := func(v []float32) js.Value {
		raw := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
		}
		return js.Global().Get("Float32Array").New(uint8Array(raw).Get("buffer"))
	}
	o := js.Global().Get("Object").New()
	o.Set("n", w.N)
	o.Set("seed", w.Seed)
	o.Set("scored", w.Scored)
	o.Set("scores", f32(w.Scores))
	acc, rho := js.Global().Get("Object").New(), js.Global().Get("Object").New()
	for d, name := range nb201.Datasets {
		acc.Set(name, f32(w.Accuracy[d]))
		rho.Set(name, w.Spearman[d])
	}
	o.Set("accuracy", acc)
	o.Set("spearman", rho)
	return o, nil
}

// request reads the {space, arch, channels, seed, ...} object most calls take.
func request(v js.Value) (arch archRef, seed uint64, err error) {
	if arch, err = archOf(v); err != nil {
		return archRef{}, 0, err
	}
	if s := v.Get("seed"); s.Type() != js.TypeUndefined {
		if s.Type() != js.TypeNumber {
			return archRef{}, 0, fmt.Errorf("seed %s: want a whole number from 0 to %d", s.Type(), int64(maxSeed))
		}
		if seed, err = checkSeed(s.Float()); err != nil {
			return archRef{}, 0, err
		}
	}
	return arch, seed, nil
}

// loadModel takes an ONNX file's bytes (a Uint8Array) and {allowFolded}.
func loadModel(args []js.Value) (any, error) {
	b := arg(args, 0)
	if !b.InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, errors.New("loadModel: want the file's bytes as a Uint8Array")
	}
	opt := arg(args, 1)
	return toJS(must().loadModel(bytesOf(b), opt.Type() == js.TypeObject && opt.Get("allowFolded").Truthy()))
}

// archOf reads {space, arch, channels}: space and channels may be left out (NAS-Bench-201,
// the benchmark's width).
func archOf(v js.Value) (archRef, error) {
	if v.Type() != js.TypeObject || v.Get("arch").Type() != js.TypeString {
		return archRef{}, errors.New("want an object with an arch string")
	}
	r := archRef{Space: "nb201", Arch: v.Get("arch").String()}
	switch sp := v.Get("space"); sp.Type() {
	case js.TypeUndefined:
	case js.TypeString:
		r.Space = sp.String()
	default:
		return archRef{}, fmt.Errorf("space %s: want nb201, nb101, darts, nds or onnx", js.Global().Get("String").Invoke(sp).String())
	}
	switch i := v.Get("init"); i.Type() {
	case js.TypeUndefined, js.TypeNull:
	case js.TypeBoolean:
		r.Init = i.Bool()
	default:
		return archRef{}, fmt.Errorf("init %s: want true or false", js.Global().Get("String").Invoke(i).String())
	}
	switch c := v.Get("channels"); c.Type() {
	case js.TypeUndefined:
	case js.TypeNumber:
		if f := c.Float(); f != math.Trunc(f) || f < 0 || f > maxChannels {
			return archRef{}, fmt.Errorf("channels %v: want a whole number from 1 to %d, or 0 for the benchmark's own network", f, maxChannels)
		}
		r.Channels = c.Int()
	default:
		return archRef{}, fmt.Errorf("channels %s: want a whole number", js.Global().Get("String").Invoke(c).String())
	}
	return r, nil
}

// jobs holds the cancel function of each running accumulate or signSamples, by the job id the
// worker gave; early holds the ids cancelled before their call started (the cancel message
// can be handled before the call's goroutine runs).
var (
	jobsMu sync.Mutex
	jobs   = map[int]context.CancelFunc{}
	early  = map[int]bool{}
)

// startJob returns a context that cancel(job) stops, job being the call's message id (a number;
// anything else gives a context nothing stops), and the function that forgets the job.
func startJob(job js.Value) (context.Context, func()) {
	ctx, stop := context.WithCancel(context.Background())
	if job.Type() != js.TypeNumber {
		return ctx, stop
	}
	id := job.Int()
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if early[id] {
		delete(early, id)
		stop()
	}
	jobs[id] = stop
	return ctx, func() {
		jobsMu.Lock()
		delete(jobs, id)
		jobsMu.Unlock()
		stop()
	}
}

// accumulate({arch, seed, from, to}, onProgress, job): after each chunk it reports progress and
// sleeps a millisecond, which hands the worker's event loop a turn, so a cancel(job) message
// can stop it between chunks.
func accumulate(args []js.Value) (any, error) {
	arch, seed, err := request(arg(args, 0))
	if err != nil {
		return nil, err
	}
	ctx, done := startJob(arg(args, 2))
	defer done()
	onProgress := arg(args, 1)
	progress := func(done int) {
		if onProgress.Type() == js.TypeFunction {
			onProgress.Invoke(done)
		}
		time.Sleep(time.Millisecond)
	}
	o := arg(args, 0)
	be := "cpu"
	if o.Get("backend").String() == "webgpu" {
		be = "webgpu"
	}
	data, err := must().accumulate(ctx, arch, seed, o.Get("from").Int(), o.Get("to").Int(), be, progress)
	if err != nil {
		return nil, err
	}
	return uint8Array(data), nil
}

func finish(args []js.Value) (any, error) {
	arch, seed, err := request(arg(args, 0))
	if err != nil {
		return nil, err
	}
	list := arg(args, 1)
	parts := make([][]byte, list.Length())
	for i := range parts {
		parts[i] = bytesOf(list.Index(i))
	}
	return toJS(must().finish(arch, seed, arg(args, 0).Get("n").Int(), parts))
}

func thumbnails(args []js.Value) (any, error) {
	rgba, labels, err := must().thumbnails(arg(args, 0).Int())
	if err != nil {
		return nil, err
	}
	o := js.Global().Get("Object").New()
	o.Set("rgba", uint8Array(rgba))
	l, _ := toJS(labels, nil)
	o.Set("labels", l)
	return o, nil
}

func reference(args []js.Value) (any, error) {
	return toJS(must().reference(arg(args, 0).Int()))
}

func historyKey(args []js.Value) (any, error) {
	arch, seed, err := request(arg(args, 0))
	if err != nil {
		return nil, err
	}
	list, err := nameList(arg(args, 0).Get("proxies"), "proxies")
	if err != nil {
		return nil, err
	}
	names := "gradsign"
	if len(list) > 0 {
		names = strings.Join(list, "+")
	}
	be := "wasm"
	if b := arg(args, 0).Get("backend"); b.Type() == js.TypeString {
		be = b.String()
	}
	return must().historyKey(names, arch, arg(args, 0).Get("n").Int(), seed, be)
}

func proxyValues(args []js.Value) (any, error) {
	arch, seed, err := request(arg(args, 0))
	if err != nil {
		return nil, err
	}
	o := arg(args, 0)
	names, err := nameList(o.Get("names"), "names")
	if err != nil {
		return nil, err
	}
	return toJS(must().proxyValues(arch, seed, o.Get("n").Int(), names))
}

// proxyRanks takes {space, n, values: {name: value}}.
func proxyRanks(args []js.Value) (any, error) {
	o := arg(args, 0)
	var values map[string]float64
	if err := decodeJS(o.Get("values"), &values); err != nil {
		return nil, fmt.Errorf("proxyRanks wants {space, n, values: {name: number}}: %v", err)
	}
	return toJS(must().proxyRanks(o.Get("space").String(), o.Get("n").Int(), values), nil)
}

// lookup takes {space, arch, channels}, or an arch string or index of NAS-Bench-201.
func lookup(args []js.Value) (any, error) {
	q := arg(args, 0)
	if q.Type() == js.TypeString || q.Type() == js.TypeNumber {
		return toJS(must().lookup(archRef{Space: "nb201", Arch: js.Global().Get("String").Invoke(q).String()}))
	}
	r, err := archOf(q)
	if err != nil {
		return nil, err
	}
	return toJS(must().lookup(r))
}

func check(args []js.Value) (any, error) {
	o := arg(args, 0)
	arch, err := archOf(o)
	if err != nil {
		return nil, errors.New("want {space, arch, n, seed, proxies} with an arch string")
	}
	n, seed := o.Get("n"), o.Get("seed")
	if n.Type() != js.TypeNumber || n.Float() != math.Trunc(n.Float()) {
		return nil, fmt.Errorf("image count %s: want a whole number", js.Global().Get("String").Invoke(n).String())
	}
	s := 0.0
	if seed.Type() == js.TypeNumber {
		s = seed.Float()
	} else if seed.Type() != js.TypeUndefined {
		return nil, fmt.Errorf("seed %s: want a whole number from 0 to %d", js.Global().Get("String").Invoke(seed).String(), int64(maxSeed))
	}
	names, err := nameList(o.Get("proxies"), "proxies")
	if err != nil {
		return nil, err
	}
	return nil, must().check(arch, n.Int(), s, names)
}

// maxNames bounds a list of proxy names: there are ten proxies; a list of more is a mistake,
// and a huge array-like one would hold the engine for minutes.
const maxNames = 32

// nameList reads an array of at most maxNames strings (absent: none).
func nameList(v js.Value, what string) ([]string, error) {
	if v.Type() == js.TypeUndefined || v.Type() == js.TypeNull {
		return nil, nil
	}
	if !js.Global().Get("Array").Call("isArray", v).Bool() || v.Length() > maxNames {
		return nil, fmt.Errorf("%s: want an array of at most %d proxy names (facts().proxies)", what, maxNames)
	}
	names := make([]string, v.Length())
	for i := range names {
		if e := v.Index(i); e.Type() != js.TypeString {
			return nil, fmt.Errorf("%s: entry %d is not a proxy name (a string)", what, i)
		} else {
			names[i] = e.String()
		}
	}
	return names, nil
}

// gpu describes the worker's WebGPU device (ui/webgpu.js opened it before the engine started),
// or is null where it has none.
func gpu([]js.Value) (any, error) {
	if !webgpu.Available() {
		return nil, nil
	}
	return toJS(map[string]any{"adapter": webgpu.Adapter(), "software": webgpu.Software()}, nil)
}

func race(args []js.Value) (any, error) {
	var req raceRequest
	if err := decodeJS(arg(args, 0), &req); err != nil {
		return nil, fmt.Errorf("race wants {algo, runs, seed, budget, candidates, chargeScoring}: %v", err)
	}
	onRun := arg(args, 1)
	return nil, must().race(req, func(r raceRun) {
		if onRun.Type() == js.TypeFunction {
			v, _ := toJS(r, nil)
			onRun.Invoke(v)
		}
		time.Sleep(time.Millisecond) // let the worker pass the run on now
	})
}

func cancelJob(args []js.Value) (any, error) {
	id := arg(args, 0).Int()
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if stop, ok := jobs[id]; ok {
		stop()
	} else {
		early[id] = true // the page cancels only calls it has not seen settle (one that settled meanwhile leaves its id here)
	}
	return nil, nil
}

func signSamples(args []js.Value) (any, error) {
	arch, seed, err := request(arg(args, 0))
	if err != nil {
		return nil, err
	}
	ctx, done := startJob(arg(args, 2))
	defer done()
	o, onRow := arg(args, 0), arg(args, 1)
	row := func(image int, signs []int8) {
		if onRow.Type() == js.TypeFunction {
			list := make([]any, len(signs))
			for i, v := range signs {
				list[i] = int(v)
			}
			onRow.Invoke(image, list)
		}
		time.Sleep(time.Millisecond) // let the worker pass the row on, and a cancel message in, now
	}
	return toJS(must().signSamples(ctx, arch, seed, o.Get("n").Int(), o.Get("k").Int(), row))
}
