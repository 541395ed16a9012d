//go:build js && wasm

package webgpu

import (
	"embed"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"syscall/js"
	"unsafe"

	"gradsign/engine/backend"
	"gradsign/engine/layers"
)

//go:embed wgsl/*.wgsl
var sources embed.FS

func init() {
	backend.Register("webgpu", backend.Factory{
		F32: func(int) (backend.Backend[float32], error) { return New() },
		F64: func(int) (backend.Backend[float64], error) {
			return nil, errors.New("the webgpu backend computes in float32 only (WGSL has no float64); use the cpu backend")
		},
	})
}

// kernel is a WGSL kernel: its bindings after the parameters (r read-only storage, w storage,
// read-write), and the files prepended to it after wgsl/prelude.wgsl.
type kernel struct {
	spec     string
	includes []string
}

// kernels are the WGSL kernels, by the name of their file in wgsl/.
var kernels = map[string]kernel{
	"conv_forward":            {spec: "wrr", includes: []string{"gemm", "conv", "unfold"}},
	"conv_backward_data":      {spec: "wrr", includes: []string{"gemm", "conv"}},
	"conv_weight_grad":        {spec: "rrw", includes: []string{"gemm", "conv", "unfold"}},
	"conv_weight_signs":       {spec: "rrww", includes: []string{"gemm", "conv", "unfold", "fold"}},
	"depthwise_forward":       {spec: "wrr", includes: []string{"depthwise"}},
	"depthwise_backward_data": {spec: "wrr", includes: []string{"depthwise"}},
	"depthwise_weight_grad":   {spec: "rrw", includes: []string{"depthwise", "depthwise_grad"}},
	"depthwise_weight_signs":  {spec: "rrww", includes: []string{"depthwise", "depthwise_grad", "fold"}},
	"avgpool_forward":         {spec: "wr", includes: []string{"pool"}},
	"avgpool_backward":        {spec: "wr", includes: []string{"pool"}},
	"crop":                    {spec: "wr"},
	"linear_forward":          {spec: "wrrr"},
	"linear_backward_data":    {spec: "wrr"},
	"linear_weight_grad":      {spec: "wwrr"},
	"linear_weight_signs":     {spec: "rrww", includes: []string{"fold"}},
	"batchnorm_forward":       {spec: "wwrrr", includes: []string{"batchnorm"}},
	"batchnorm_backward":      {spec: "wwwrrrrw", includes: []string{"batchnorm"}},
	"relu_forward":            {spec: "wr"},
	"activation_forward":      {spec: "wr", includes: []string{"activation"}},
	"bias_forward":            {spec: "wrr"},
	"mul_forward":             {spec: "wrr", includes: []string{"mul"}},
	"mul_backward_a":          {spec: "wrr", includes: []string{"mul"}},
	"mul_backward_b":          {spec: "wrrr", includes: []string{"mul"}},
	"activation_backward":     {spec: "wrr", includes: []string{"activation"}},
	"relu_backward":           {spec: "wrr"},
	"avgpool3x3_forward":      {spec: "wr"},
	"avgpool3x3_backward":     {spec: "wr"},
	"avgpool2x2_forward":      {spec: "wr"},
	"avgpool2x2_backward":     {spec: "wr"},
	"maxpool_forward":         {spec: "wr", includes: []string{"pool", "maxpool"}},
	"maxpool_backward":        {spec: "wrr", includes: []string{"pool", "maxpool"}},
	"copy_channels":           {spec: "wr"},
	"globalavgpool_forward":   {spec: "wr"},
	"globalavgpool_backward":  {spec: "wr"},
	"add":                     {spec: "wrrrr"},
	"add_to":                  {spec: "wr"},
	"softmax_cross_entropy":   {spec: "wwrr"},
}

// Available says whether the page or worker has a WebGPU device ready: ui/webgpu.js loaded and
// its init found an adapter.
func Available() bool {
	gpu := js.Global().Get("gradsignGPU")
	return gpu.Type() == js.TypeObject && gpu.Get("info").Type() == js.TypeObject
}

// Adapter describes the device's adapter, or "" without one.
func Adapter() string {
	if !Available() {
		return ""
	}
	return js.Global().Get("gradsignGPU").Get("info").Get("adapter").String()
}

// Software says whether the adapter is the CPU standing in for a GPU (gradsignGPU's info:
// the browser's fallback adapter or a software rasteriser such as SwiftShader).
func Software() bool {
	return Available() && js.Global().Get("gradsignGPU").Get("info").Get("software").Truthy()
}

// MaxBuffer is the largest buffer the device takes, in bytes: the smaller of its
// maxStorageBufferBindingSize and maxBufferSize (0 without a device).
func MaxBuffer() int64 {
	if !Available() {
		return 0
	}
	l := js.Global().Get("gradsignGPU").Get("info").Get("limits")
	return int64(min(l.Get("maxStorageBufferBindingSize").Float(), l.Get("maxBufferSize").Float()))
}

// define compiles every kernel on the device, once: each is wgsl/prelude.wgsl, its includes and
// its own file.
var define = sync.OnceValue(func() error {
	gpu := js.Global().Get("gradsignGPU")
	for name, k := range kernels {
		var src strings.Builder
		for _, file := range append(append([]string{"prelude"}, k.includes...), name) {
			code, err := sources.ReadFile("wgsl/" + file + ".wgsl")
			if err != nil {
				return err
			}
			src.Write(code)
			src.WriteString("\n")
		}
		gpu.Call("define", name, src.String(), k.spec)
	}
	return nil
})

// New returns a backend on the device that ui/webgpu.js opened. It fails where there is none.
func New() (*Backend, error) {
	if !Available() {
		return nil, errors.New("webgpu: no WebGPU device (this browser has no navigator.gpu adapter, or gradsignGPU.init() has not run); use the wasm (cpu) backend")
	}
	if err := define(); err != nil {
		return nil, err
	}
	return &Backend{s: js.Global().Get("gradsignGPU").Call("session"), maxBuffer: MaxBuffer()}, nil
}

// Backend runs the seam's operations as WGSL kernels on a WebGPU device, driven through
// ui/webgpu.js. Values stay on the device; Read and AddSigns are its only way back.
type Backend struct {
	s      js.Value  // the ui/webgpu.js session: its buffers and command encoder
	labels *buffer   // the labels of SoftmaxCrossEntropy, as u32
	spare  []*buffer // bound where an operation has no buffer of its own (spareBuffer)
	// maxBuffer is the device's largest buffer in bytes (MaxBuffer), read once.
	maxBuffer int64
}

// buffer is a device buffer of n four-byte values, freed when the Go value is collected or the
// backend is closed.
type buffer struct {
	id, n int
}

func (b *buffer) Len() int { return b.n }

// Name is "webgpu".
func (*Backend) Name() string { return "webgpu" }

// Alloc returns a zeroed device buffer of n values (WebGPU zeroes new buffers).
func (be *Backend) Alloc(n int) backend.Buffer { return be.alloc(n) }

func (be *Backend) alloc(n int) *buffer {
	if int64(4*n) > be.maxBuffer { // callers size their chunks by MaxBuffer: this is a bug
		panic(fmt.Sprintf("webgpu: a buffer of %d bytes, over the adapter's largest (%d)", 4*n, be.maxBuffer))
	}
	b := &buffer{id: be.s.Call("alloc", 4*n).Int(), n: n}
	runtime.AddCleanup(b, func(id int) { be.s.Call("free", id) }, b.id)
	return b
}

// spareBuffer returns a scratch buffer of at least n values bound where an operation has no
// buffer of its own (a nil gradient); slot tells apart two spares of one dispatch, which must
// not be the same writable buffer.
func (be *Backend) spareBuffer(slot, n int) *buffer {
	for len(be.spare) <= slot {
		be.spare = append(be.spare, nil)
	}
	if be.spare[slot] == nil || be.spare[slot].n < n {
		be.spare[slot] = be.alloc(max(n, 1))
	}
	return be.spare[slot]
}

func bytesOf[T any](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}

func (be *Backend) Write(dst backend.Buffer, off int, src []float32) {
	be.write(dst.(*buffer), off, bytesOf(src))
}

func (be *Backend) write(dst *buffer, off int, src []byte) {
	a := js.Global().Get("Uint8Array").New(len(src))
	js.CopyBytesToJS(a, src)
	be.s.Call("write", dst.id, 4*off, a)
}

func (be *Backend) Read(dst []float32, src backend.Buffer, off int) {
	be.read(bytesOf(dst), src.(*buffer), off)
}

// read waits for the device and copies what it read into dst.
func (be *Backend) read(dst []byte, src *buffer, off int) {
	if len(dst) == 0 {
		return
	}
	js.CopyBytesToGo(dst, await(be.s.Call("read", src.id, 4*off, len(dst))))
}

// Close frees every buffer of the backend on the device at once (io.Closer; gradsign.Accumulate
// calls it when done): a score's workspace takes hundreds of megabytes there, which Go's
// collector, seeing only small handles, would free late. The backend is not used after.
func (be *Backend) Close() error {
	be.s.Call("destroy")
	return nil
}

// Sync returns when the device has run everything recorded so far (backend.Syncer).
func (be *Backend) Sync() { await(be.s.Call("sync")) }

// await blocks the calling goroutine, while the JavaScript event loop runs, until a Promise
// settles; it returns the value, or panics with a backend.DeviceError that gives the
// rejection's message (a lost device, a device error).
func await(p js.Value) js.Value {
	type result struct {
		v   js.Value
		err string
	}
	done := make(chan result, 1)
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any { done <- result{v: args[0]}; return nil })
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		reason := args[0]
		if m := reason.Get("message"); m.Type() == js.TypeString {
			reason = m
		}
		done <- result{err: js.Global().Get("String").Invoke(reason).String()}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	r := <-done
	if r.err != "" {
		panic(backend.DeviceError{Reason: r.err})
	}
	return r.v
}

func (be *Backend) Zero(b backend.Buffer, n int) { be.s.Call("clear", b.(*buffer).id, 0, 4*n) }

func (be *Backend) Copy(dst, src backend.Buffer, n int) {
	be.s.Call("copy", dst.(*buffer).id, src.(*buffer).id, 4*n)
}

// run dispatches kernel name over `threads` invocations, 64 to a workgroup, on a grid of up to
// 65535 workgroups in x (the WebGPU minimum of maxComputeWorkgroupsPerDimension) and as many
// rows as it takes.
func (be *Backend) run(name string, threads int, params []uint32, bufs ...*buffer) {
	if threads == 0 {
		return
	}
	groups := (threads + 63) / 64
	x := min(groups, 65535)
	be.dispatch(name, [3]int{x, (groups + x - 1) / x, 1}, params, nil, bufs...)
}

// dispatch records one dispatch of a grid of workgroups; floats marks the parameters that are
// float32 bits.
func (be *Backend) dispatch(name string, grid [3]int, params []uint32, floats []bool, bufs ...*buffer) {
	p := make([]any, len(params))
	f := make([]any, len(params))
	for i, v := range params {
		p[i] = v
		f[i] = i < len(floats) && floats[i]
		if f[i].(bool) {
			p[i] = float64(math.Float32frombits(v))
		}
	}
	ids := make([]any, len(bufs))
	for i, b := range bufs {
		ids[i] = b.id
	}
	be.s.Call("dispatch", name, p, f, ids, grid[0], grid[1], grid[2])
}

func u(v ...int) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = uint32(x)
	}
	return out
}

// convParams are conv.wgsl's P: the geometry, the layer's first accumulator, and the kernel,
// stride and padding along the width.
func convParams(g layers.Conv2d, n, off int) []uint32 {
	kw, sw, pw := g.Width()
	return u(n, g.Cin, g.H, g.W, g.Cout, g.K, g.Stride, g.Pad, g.OutH(), g.OutW(), off, kw, sw, pw)
}

func buf(b backend.Buffer) *buffer { return b.(*buffer) }

// gemm dispatches a convolution kernel built on wgsl/gemm.wgsl: 32×32 tiles of an M×N product
// for each of batch samples (the grid's z).
func (be *Backend) gemm(name string, m, n, batch int, params []uint32, bufs ...*buffer) {
	if m == 0 || n == 0 || batch == 0 {
		return
	}
	be.dispatch(name, [3]int{(n + 31) / 32, (m + 31) / 32, batch}, params, nil, bufs...)
}

func (be *Backend) Conv2dForward(g layers.Conv2d, n int, out, inp, w backend.Buffer) {
	be.gemm("conv_forward", g.Cout, g.OutH()*g.OutW(), n, convParams(g, n, 0), buf(out), buf(inp), buf(w))
}

func (be *Backend) Conv2dBackwardData(g layers.Conv2d, n int, dinp, dout, w backend.Buffer) {
	be.gemm("conv_backward_data", g.Cin, g.H*g.W, n, convParams(g, n, 0), buf(dinp), buf(dout), buf(w))
}

func (be *Backend) Conv2dWeightGrad(g layers.Conv2d, n int, dw, dout, inp backend.Buffer) {
	be.gemm("conv_weight_grad", g.Cout, g.Cols(), 1, convParams(g, n, 0), buf(dout), buf(inp), buf(dw))
}

func (be *Backend) Conv2dWeightSigns(g layers.Conv2d, n int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	s := sg.(*signs)
	be.gemm("conv_weight_signs", g.Cout, g.Cols(), n, convParams(g, n, s.offsets[layer]), buf(dout), buf(inp), s.sum, s.nan)
}

func (be *Backend) LinearForward(n, in, outs int, out, inp, w, bias backend.Buffer) {
	b, has := be.orSpare(bias, 0, outs)
	be.run("linear_forward", n*outs, u(n, in, outs, has), buf(out), buf(inp), buf(w), b)
}

func (be *Backend) LinearBackwardData(n, in, outs int, dinp, dout, w backend.Buffer) {
	be.run("linear_backward_data", n*in, u(n, in, outs), buf(dinp), buf(dout), buf(w))
}

func (be *Backend) LinearWeightGrad(n, in, outs int, dw, dbias, dout, inp backend.Buffer) {
	w, hasW := be.orSpare(dw, 0, in*outs)
	b, hasB := be.orSpare(dbias, 1, outs)
	be.run("linear_weight_grad", in*outs, u(n, in, outs, hasW, hasB), w, b, buf(dout), buf(inp))
}

func (be *Backend) LinearWeightSigns(n, in, outs int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	s := sg.(*signs)
	be.run("linear_weight_signs", n*in*outs, u(n, in, outs, s.offsets[layer]), buf(dout), buf(inp), s.sum, s.nan)
}

// orSpare returns b and 1, or for a nil b a spare buffer of n values and 0.
func (be *Backend) orSpare(b backend.Buffer, slot, n int) (*buffer, int) {
	if b == nil {
		return be.spareBuffer(slot, n), 0
	}
	return buf(b), 1
}

func (be *Backend) BatchNormForward(n, c, hw, group int, eps float64, out, stats, inp, gamma, beta backend.Buffer) {
	params := append(u(c, hw, group, stats.Len()/2, n/group, 0, 0), math.Float32bits(float32(eps)))
	be.dispatch("batchnorm_forward", [3]int{c, n / group, 1}, params, []bool{7: true},
		buf(out), buf(stats), buf(inp), buf(gamma), buf(beta))
}

// BatchNormBackward takes one workgroup per channel and group, or, when the affine gradients
// are wanted, one per channel that walks its groups (they add to the same dgamma and dbeta).
func (be *Backend) BatchNormBackward(n, c, hw, group int, dinp, dgamma, dbeta, dout, inp, stats, gamma, flat backend.Buffer) {
	if flat != nil && group != 1 {
		panic("webgpu: the exact zero of a flat gradient needs per-sample BatchNorm")
	}
	dg, hasG := be.orSpare(dgamma, 0, c)
	db, hasB := be.orSpare(dbeta, 1, c)
	fl, hasFlat := be.orSpare(flat, 2, 1)
	affine, rows := 0, n/group
	if hasG+hasB > 0 {
		affine, rows = 1, 1
	}
	be.dispatch("batchnorm_backward", [3]int{c, rows, 1}, u(c, hw, group, stats.Len()/2, n/group, affine, hasFlat, 0), nil,
		buf(dinp), dg, db, buf(dout), buf(inp), buf(stats), buf(gamma), fl)
}

func (be *Backend) ReLUForward(count int, out, inp backend.Buffer) {
	be.run("relu_forward", count, u(count), buf(out), buf(inp))
}

func (be *Backend) ReLUBackward(count int, dinp, dout, inp backend.Buffer) {
	be.run("relu_backward", count, u(count), buf(dinp), buf(dout), buf(inp))
}

func (be *Backend) ActivationForward(f layers.Activation, count int, out, inp backend.Buffer) {
	be.run("activation_forward", count, actParams(f, count), buf(out), buf(inp))
}

func (be *Backend) ActivationBackward(f layers.Activation, count int, dinp, dout, inp backend.Buffer) {
	be.run("activation_backward", count, actParams(f, count), buf(dinp), buf(dout), buf(inp))
}

func (be *Backend) BiasForward(n, c, hw int, out, inp, bias backend.Buffer) {
	be.run("bias_forward", n*c*hw, u(n*c*hw, c, hw), buf(out), buf(inp), buf(bias))
}

func (be *Backend) MulForward(n, c, hw, bhw int, out, a, b backend.Buffer) {
	be.run("mul_forward", n*c*hw, u(n*c*hw, hw, bhw, 0, 0), buf(out), buf(a), buf(b))
}

func (be *Backend) MulBackward(n, c, hw, bhw int, da, db, dout, a, b, aMean backend.Buffer) {
	if da != nil {
		be.run("mul_backward_a", n*c*hw, u(n*c*hw, hw, bhw, 0, 0), buf(da), buf(dout), buf(b))
	}
	if db != nil {
		m, known := be.orSpare(aMean, 0, 1)
		be.run("mul_backward_b", n*c*bhw, u(n*c*bhw, hw, bhw, c, known), buf(db), buf(dout), buf(a), m)
	}
}

// actParams are activation.wgsl's P: the count, the function and its two parameters.
func actParams(f layers.Activation, count int) []uint32 {
	return []uint32{uint32(count), uint32(f.Fn), math.Float32bits(f.A), math.Float32bits(f.B)}
}

func (be *Backend) AvgPool3x3Forward(planes, h, w int, out, inp backend.Buffer) {
	be.run("avgpool3x3_forward", planes*h*w, u(planes, h, w), buf(out), buf(inp))
}

func (be *Backend) AvgPool3x3Backward(planes, h, w int, dinp, dout backend.Buffer) {
	be.run("avgpool3x3_backward", planes*h*w, u(planes, h, w), buf(dinp), buf(dout))
}

func (be *Backend) AvgPool2x2Forward(planes, h, w int, out, inp backend.Buffer) {
	be.run("avgpool2x2_forward", planes*(h/2)*(w/2), u(planes, h, w), buf(out), buf(inp))
}

func (be *Backend) AvgPool2x2Backward(planes, h, w int, dinp, dout backend.Buffer) {
	be.run("avgpool2x2_backward", planes*h*w, u(planes, h, w), buf(dinp), buf(dout))
}

func (be *Backend) MaxPoolForward(g layers.Pool2d, planes int, out, inp backend.Buffer) {
	be.run("maxpool_forward", planes*g.OutH()*g.OutW(), poolParams(g, planes), buf(out), buf(inp))
}

func (be *Backend) MaxPoolBackward(g layers.Pool2d, planes int, dinp, dout, inp backend.Buffer) {
	be.run("maxpool_backward", planes*g.H*g.W, poolParams(g, planes), buf(dinp), buf(dout), buf(inp))
}

func poolParams(g layers.Pool2d, planes int) []uint32 {
	return u(planes, g.H, g.W, g.K, g.Stride, g.Pad, g.OutH(), g.OutW())
}

func depthwiseParams(g layers.Depthwise, n, off int) []uint32 {
	return u(n, g.C, g.H, g.W, g.K, g.Stride, g.Pad, g.Dilate, g.OutH(), g.OutW(), off)
}

func (be *Backend) DepthwiseForward(g layers.Depthwise, n int, out, inp, w backend.Buffer) {
	be.run("depthwise_forward", n*g.C*g.OutH()*g.OutW(), depthwiseParams(g, n, 0), buf(out), buf(inp), buf(w))
}

func (be *Backend) DepthwiseBackwardData(g layers.Depthwise, n int, dinp, dout, w backend.Buffer) {
	be.run("depthwise_backward_data", n*g.C*g.H*g.W, depthwiseParams(g, n, 0), buf(dinp), buf(dout), buf(w))
}

func (be *Backend) DepthwiseWeightGrad(g layers.Depthwise, n int, dw, dout, inp backend.Buffer) {
	be.run("depthwise_weight_grad", g.C*g.K*g.K, depthwiseParams(g, n, 0), buf(dout), buf(inp), buf(dw))
}

func (be *Backend) DepthwiseWeightSigns(g layers.Depthwise, n int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	s := sg.(*signs)
	be.run("depthwise_weight_signs", n*g.C*g.K*g.K, depthwiseParams(g, n, s.offsets[layer]), buf(dout), buf(inp), s.sum, s.nan)
}

func (be *Backend) AvgPoolForward(g layers.Pool2d, planes int, out, inp backend.Buffer) {
	be.run("avgpool_forward", planes*g.OutH()*g.OutW(), poolParams(g, planes), buf(out), buf(inp))
}

func (be *Backend) AvgPoolBackward(g layers.Pool2d, planes int, dinp, dout backend.Buffer) {
	be.run("avgpool_backward", planes*g.H*g.W, poolParams(g, planes), buf(dinp), buf(dout))
}

func (be *Backend) CropForward(planes, h, w, top, left, oh, ow int, out, inp backend.Buffer) {
	be.run("crop", planes*h*w, u(planes, h, w, top, left, oh, ow, 0), buf(out), buf(inp))
}

func (be *Backend) CropBackward(planes, h, w, top, left, oh, ow int, dinp, dout backend.Buffer) {
	be.run("crop", planes*h*w, u(planes, h, w, top, left, oh, ow, 1), buf(dinp), buf(dout))
}

func (be *Backend) CopyChannels(n, hw, count int, dst backend.Buffer, dstC, dstOff int, src backend.Buffer, srcC, srcOff int, add bool) {
	a := 0
	if add {
		a = 1
	}
	be.run("copy_channels", n*count*hw, u(n, hw, count, dstC, dstOff, srcC, srcOff, a), buf(dst), buf(src))
}

func (be *Backend) GlobalAvgPoolForward(planes, hw int, out, inp backend.Buffer) {
	be.run("globalavgpool_forward", planes, u(planes, hw), buf(out), buf(inp))
}

func (be *Backend) GlobalAvgPoolBackward(planes, hw int, dinp, dout backend.Buffer) {
	be.run("globalavgpool_backward", planes*hw, u(planes, hw), buf(dinp), buf(dout))
}

// Add sums up to four inputs in one dispatch, more in several.
func (be *Backend) Add(count int, out backend.Buffer, ins ...backend.Buffer) {
	o := buf(out)
	if len(ins) == 0 {
		be.Zero(o, count)
		return
	}
	bufs := []*buffer{o}
	for i := range 4 {
		if i < len(ins) {
			bufs = append(bufs, buf(ins[i]))
		} else {
			bufs = append(bufs, bufs[1]) // bound, not read
		}
	}
	be.run("add", count, u(count, min(len(ins), 4)), bufs...)
	for _, in := range ins[min(len(ins), 4):] {
		be.run("add_to", count, u(count), o, buf(in))
	}
}

func (be *Backend) AddTo(count int, dout backend.Buffer, dins ...backend.Buffer) {
	for _, d := range dins {
		be.run("add_to", count, u(count), buf(d), buf(dout))
	}
}

func (be *Backend) SoftmaxCrossEntropy(n, classes int, scale float32, losses, dlogits, logits backend.Buffer, labels []int) {
	l := make([]uint32, n)
	for i, v := range labels[:n] {
		l[i] = uint32(v)
	}
	if be.labels == nil || be.labels.n < n {
		be.labels = be.alloc(n)
	}
	be.write(be.labels, 0, bytesOf(l))
	be.dispatch("softmax_cross_entropy", [3]int{(n + 63) / 64, 1, 1}, []uint32{uint32(n), uint32(classes), math.Float32bits(scale)}, []bool{false, false, true},
		buf(losses), buf(dlogits), buf(logits), be.labels)
}

// signs are GradSign's accumulators on the device: every layer's int32 sums in one buffer and
// their NaN flags in another, layer l from offsets[l].
type signs struct {
	sizes, offsets []int
	sum, nan       *buffer
}

func (s *signs) Layers() []int { return s.sizes }

func (be *Backend) NewSigns(sizes []int) backend.Signs {
	s := &signs{sizes: sizes, offsets: make([]int, len(sizes))}
	total := 0
	for l, n := range sizes {
		s.offsets[l] = total
		total += n
	}
	s.sum, s.nan = be.alloc(total), be.alloc(total)
	return s
}

func (be *Backend) AddSigns(sg backend.Signs, into *backend.Sums) {
	s := sg.(*signs)
	sum, nan := make([]int32, s.sum.n), make([]uint32, s.nan.n)
	be.read(bytesOf(sum), s.sum, 0)
	be.read(bytesOf(nan), s.nan, 0)
	part := backend.NewSums(s.sizes)
	for l, off := range s.offsets {
		copy(part.Sum[l], sum[off:off+s.sizes[l]])
		for k, v := range nan[off : off+s.sizes[l]] {
			if v != 0 {
				if part.NaN[l] == nil {
					part.NaN[l] = make([]bool, s.sizes[l])
				}
				part.NaN[l][k] = true
			}
		}
	}
	into.Add(part)
}
