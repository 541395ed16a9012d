// Package safetensors reads and writes the safetensors format: 8 bytes of little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
// little-endian data. It holds the engine's reference files and network weights.
//
// Only the dtypes the engine uses are supported: F32, F64 and I64. Every header field is
// checked against the data before a tensor is handed out, so a truncated or malformed file
// gets an error, never a panic.
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
)

// DType is a tensor's element type, spelled as in the format.
type DType string

// The supported element types.
const (
	F32 DType = "F32"
	F64 DType = "F64"
	I64 DType = "I64"
)

// size is the byte size of one element, 0 for an unsupported dtype.
func (d DType) size() int {
	switch d {
	case F32:
		return 4
	case F64, I64:
		return 8
	}
	return 0
}

// Tensor is one tensor: its dtype, shape and little-endian data.
type Tensor struct {
	DType DType
	Shape []int
	data  []byte
}

// Len is the number of elements, the product of the shape.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// FromFloat32 makes an F32 tensor. It panics if shape and data disagree.
func FromFloat32(shape []int, x []float32) Tensor {
	t := Tensor{DType: F32, Shape: slices.Clone(shape), data: make([]byte, 4*len(x))}
	for i, v := range x {
		binary.LittleEndian.PutUint32(t.data[4*i:], math.Float32bits(v))
	}
	return t.checked(len(x))
}

// FromFloat64 makes an F64 tensor. It panics if shape and data disagree.
func FromFloat64(shape []int, x []float64) Tensor {
	t := Tensor{DType: F64, Shape: slices.Clone(shape), data: make([]byte, 8*len(x))}
	for i, v := range x {
		binary.LittleEndian.PutUint64(t.data[8*i:], math.Float64bits(v))
	}
	return t.checked(len(x))
}

// FromInt64 makes an I64 tensor. It panics if shape and data disagree.
func FromInt64(shape []int, x []int64) Tensor {
	t := Tensor{DType: I64, Shape: slices.Clone(shape), data: make([]byte, 8*len(x))}
	for i, v := range x {
		binary.LittleEndian.PutUint64(t.data[8*i:], uint64(v))
	}
	return t.checked(len(x))
}

func (t Tensor) checked(n int) Tensor {
	if t.Len() != n {
		panic(fmt.Sprintf("safetensors: shape %v holds %d elements, data has %d", t.Shape, t.Len(), n))
	}
	return t
}

// Float64s returns the elements as float64, converting from any supported dtype.
func (t Tensor) Float64s() []float64 {
	x := make([]float64, t.Len())
	for i := range x {
		switch t.DType {
		case F32:
			x[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.data[4*i:])))
		case F64:
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.data[8*i:]))
		case I64:
			x[i] = float64(int64(binary.LittleEndian.Uint64(t.data[8*i:])))
		}
	}
	return x
}

// Float32s returns the elements as float32, converting from any supported dtype.
func (t Tensor) Float32s() []float32 {
	if t.DType == F32 {
		x := make([]float32, t.Len())
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.data[4*i:]))
		}
		return x
	}
	x64 := t.Float64s()
	x := make([]float32, len(x64))
	for i, v := range x64 {
		x[i] = float32(v)
	}
	return x
}

// Int64s returns the elements of an I64 tensor, or an error for another dtype.
func (t Tensor) Int64s() ([]int64, error) {
	if t.DType != I64 {
		return nil, fmt.Errorf("dtype %s, want I64", t.DType)
	}
	x := make([]int64, t.Len())
	for i := range x {
		x[i] = int64(binary.LittleEndian.Uint64(t.data[8*i:]))
	}
	return x, nil
}

// File is a whole safetensors file: named tensors and string metadata.
type File struct {
	Metadata map[string]string
	Tensors  map[string]Tensor
}

// maxHeader bounds the JSON header, as the reference implementation does (100 MB).
const maxHeader = 100 << 20

type headerEntry struct {
	DType       DType `json:"dtype"`
	Shape       []int `json:"shape"`
	DataOffsets []int `json:"data_offsets"`
}

// Read parses a whole file held in memory. The tensors alias data, which must not change
// while they are in use.
func Read(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short for the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeader || n > uint64(len(data)-8) {
		return nil, fmt.Errorf("safetensors: header length %d does not fit in a file of %d bytes (truncated or not safetensors)", n, len(data))
	}
	raw, err := headerObject(data[8 : 8+n])
	if err != nil {
		return nil, err
	}
	body := data[8+n:]
	type span struct {
		name       string
		begin, end int
	}
	var spans []span
	f := &File{Metadata: map[string]string{}, Tensors: map[string]Tensor{}}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e headerEntry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: malformed header entry: %v", name, err)
		}
		size := e.DType.size()
		if size == 0 {
			return nil, fmt.Errorf("safetensors: tensor %q has dtype %q; supported: F32, F64, I64", name, e.DType)
		}
		count := 1
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > len(body)/d) {
				return nil, fmt.Errorf("safetensors: tensor %q has shape %v, larger than the file", name, e.Shape)
			}
			count *= d
		}
		if len(e.DataOffsets) != 2 {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets must be [begin, end]", name)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || begin > end || end > len(body) {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] outside the %d data bytes (truncated file?)", name, begin, end, len(body))
		}
		if end-begin != count*size {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", name, e.Shape, e.DType, count*size, end-begin)
		}
		if e.Shape == nil {
			e.Shape = []int{}
		}
		f.Tensors[name] = Tensor{DType: e.DType, Shape: e.Shape, data: body[begin:end]}
		spans = append(spans, span{name, begin, end})
	}
	// The data bytes are the tensors', each once, in some order, without holes (as the format
	// requires): overlapping tensors would alias, and a hole is bytes nobody names.
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end)) })
	at := 0
	for _, sp := range spans {
		switch {
		case sp.begin < at:
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] overlap another tensor's bytes (up to %d)", sp.name, sp.begin, sp.end, at)
		case sp.begin > at:
			return nil, fmt.Errorf("safetensors: bytes %d..%d of the data belong to no tensor (a hole before %q): not a valid safetensors file", at, sp.begin, sp.name)
		}
		at = sp.end
	}
	if at != len(body) {
		return nil, fmt.Errorf("safetensors: the last %d data bytes belong to no tensor: not a valid safetensors file", len(body)-at)
	}
	return f, nil
}

// headerObject reads the header's JSON object, refusing a name given twice (a map would keep
// the last silently).
func headerObject(header []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(header))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("safetensors: header is not a JSON object")
	}
	raw := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("safetensors: header is not a JSON object: %v", err)
		}
		name := t.(string) // object keys are strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("safetensors: header is not a JSON object: %v", err)
		}
		if _, dup := raw[name]; dup {
			return nil, fmt.Errorf("safetensors: tensor %q is named twice in the header: which one is meant is undefined", name)
		}
		raw[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("safetensors: header is not a JSON object: %v", err)
	}
	if dec.More() || dec.InputOffset() != int64(len(bytes.TrimRight(header, " "))) {
		return nil, fmt.Errorf("safetensors: header has bytes after its JSON object")
	}
	return raw, nil
}

// ReadFrom reads a whole file from r.
func ReadFrom(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Read(data)
}

// Write writes tensors and metadata in the format, tensors in name order.
func Write(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	off := 0
	for _, n := range names {
		t := tensors[n]
		header[n] = headerEntry{DType: t.DType, Shape: t.Shape, DataOffsets: []int{off, off + len(t.data)}}
		off += len(t.data)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 { // align the data, as the reference writer does
		js = append(js, ' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := w.Write(tensors[n].data); err != nil {
			return err
		}
	}
	return nil
}
