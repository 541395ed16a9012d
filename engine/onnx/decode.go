// Package onnx reads ONNX models (the ModelProto of onnx.proto) into the engine's network graph
// (package graph), with their weights: the front-end for "score my own network". Decoding uses
// protowire alone (no generated binding, which would double the wasm binary): only the fields
// a convolutional network's graph needs are read, every other field is skipped, and every
// length is checked against the bytes that remain, so a truncated or hostile file gets an
// error, never a panic or an allocation larger than the file.
package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Model is the part of a ModelProto the engine reads.
type Model struct {
	IRVersion int64
	// Opset is the default ("" or "ai.onnx") domain's operator set version; 0 when absent.
	Opset    int64
	Producer string
	Graph    Graph
}

// Graph is a GraphProto: nodes in the file's order (topological, as ONNX requires), the
// initialisers (the weights and constants), and the graph's inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []*Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is a NodeProto.
type Node struct {
	Name, OpType, Domain string
	Inputs, Outputs      []string
	Attrs                []Attr
}

// Attr is an AttributeProto of the kinds the engine reads (others keep their Type, empty).
type Attr struct {
	Name   string
	Type   int32
	F      float32
	I      int64
	S      string
	T      *Tensor
	Floats []float32
	Ints   []int64
}

// The AttributeProto types the engine reads.
const (
	AttrFloat  = 1
	AttrInt    = 2
	AttrString = 3
	AttrTensor = 4
	AttrFloats = 6
	AttrInts   = 7
)

// ValueInfo is a ValueInfoProto of a tensor type: its name, element type and dimensions (a
// dimension without a value, such as a named batch size, is -1).
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []int64
}

// Tensor is a TensorProto. Floating-point data of any width is held as Float (float16,
// bfloat16 and float64 converted); integer data as Int.
type Tensor struct {
	Name     string
	Dims     []int64
	DataType int32
	Float    []float32
	Int      []int64
	// External says the data lives in another file (data_location EXTERNAL), which the engine
	// does not read.
	External bool
}

// The TensorProto data types the engine reads.
const (
	TypeFloat    = 1
	TypeUint8    = 2
	TypeInt8     = 3
	TypeInt32    = 6
	TypeInt64    = 7
	TypeBool     = 9
	TypeFloat16  = 10
	TypeDouble   = 11
	TypeBFloat16 = 16
)

// Len is the number of elements, the product of the dimensions.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Dims {
		n *= int(d)
	}
	return n
}

// errTruncated is what a field that runs past its message says.
var errTruncated = errors.New("the file is truncated or is not an ONNX model (a protobuf field runs past its end)")

// Decode reads a serialised ModelProto.
func Decode(b []byte) (*Model, error) {
	m := &Model{}
	haveGraph := false
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			m.IRVersion = int64(x)
		case num == 2 && typ == protowire.BytesType:
			m.Producer = string(v)
		case num == 7 && typ == protowire.BytesType:
			haveGraph = true
			return decodeGraph(v, &m.Graph)
		case num == 8 && typ == protowire.BytesType:
			var domain string
			var version int64
			err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				switch {
				case num == 1 && typ == protowire.BytesType:
					domain = string(v)
				case num == 2 && typ == protowire.VarintType:
					version = int64(x)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if domain == "" || domain == "ai.onnx" {
				m.Opset = version
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !haveGraph {
		return nil, errors.New("the file holds no graph: is it an ONNX model (.onnx)?")
	}
	return m, nil
}

// CheckHead looks at the first bytes of a file (any prefix) and says whether it can begin a
// ModelProto: each top-level field's tag is valid and its value, where it ends inside the
// prefix, well formed. A reader checks it before reading a whole file, so that /dev/zero (a
// field number 0) or a text file is refused at once, not after a gigabyte.
func CheckHead(head []byte) error {
	for len(head) > 0 {
		num, typ, n := protowire.ConsumeTag(head)
		if n < 0 {
			if len(head) < 10 && protowire.ParseError(n) == io.ErrUnexpectedEOF {
				return nil // a tag cut by the prefix's end
			}
			return errors.New("the file is not an ONNX model (it does not begin as a protobuf message)")
		}
		if num < 1 || num > 32 || typ == protowire.StartGroupType || typ == protowire.EndGroupType {
			return fmt.Errorf("the file is not an ONNX model (it begins with protobuf field %d of wire type %d, which a ModelProto does not have)", num, typ)
		}
		m := protowire.ConsumeFieldValue(num, typ, head[n:])
		if m < 0 {
			return nil // a value that runs past the prefix: the rest of the file decides
		}
		head = head[n+m:]
	}
	return nil
}

// fields calls f for each field of a message: v is a length-delimited field's bytes, x a
// varint's or fixed field's value. Groups are refused (ONNX has none).
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(b)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			return errTruncated
		}
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func decodeGraph(b []byte, g *Graph) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n, err := decodeNode(v)
			if err != nil {
				return err
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name = string(v)
		case 5:
			t, err := decodeTensor(v)
			if err != nil {
				return err
			}
			g.Initializers = append(g.Initializers, t)
		case 11, 12:
			vi, err := decodeValueInfo(v)
			if err != nil {
				return err
			}
			if num == 11 {
				g.Inputs = append(g.Inputs, vi)
			} else {
				g.Outputs = append(g.Outputs, vi)
			}
		case 15:
			return errors.New("the model has sparse initialisers, which the engine does not read: export it with dense weights")
		}
		return nil
	})
}

func decodeNode(b []byte) (Node, error) {
	var n Node
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n.Inputs = append(n.Inputs, string(v))
		case 2:
			n.Outputs = append(n.Outputs, string(v))
		case 3:
			n.Name = string(v)
		case 4:
			n.OpType = string(v)
		case 7:
			n.Domain = string(v)
		case 5:
			a, err := decodeAttr(v)
			if err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		}
		return nil
	})
	return n, err
}

func decodeAttr(b []byte) (Attr, error) {
	var a Attr
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			a.Name = string(v)
		case num == 20 && typ == protowire.VarintType:
			a.Type = int32(x)
		case num == 2 && typ == protowire.Fixed32Type:
			a.F = math.Float32frombits(uint32(x))
		case num == 3 && typ == protowire.VarintType:
			a.I = int64(x)
		case num == 4 && typ == protowire.BytesType:
			a.S = string(v)
		case num == 5 && typ == protowire.BytesType:
			t, err := decodeTensor(v)
			if err != nil {
				return err
			}
			a.T = t
		case num == 7:
			return appendFloats(&a.Floats, typ, v, x)
		case num == 8:
			return appendVarints(&a.Ints, typ, v, x)
		}
		return nil
	})
	return a, err
}

func decodeValueInfo(b []byte) (ValueInfo, error) {
	var vi ValueInfo
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			vi.Name = string(v)
		case 2: // TypeProto
			return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num != 1 || typ != protowire.BytesType {
					return nil
				}
				// TypeProto.Tensor: elem_type 1, shape 2
				return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
					switch {
					case num == 1 && typ == protowire.VarintType:
						vi.ElemType = int32(x)
					case num == 2 && typ == protowire.BytesType:
						vi.Dims = []int64{}
						return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
							if num != 1 || typ != protowire.BytesType {
								return nil
							}
							dim := int64(-1)
							err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
								if num == 1 && typ == protowire.VarintType {
									dim = int64(x)
								}
								return nil
							})
							vi.Dims = append(vi.Dims, dim)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}

func decodeTensor(b []byte) (*Tensor, error) {
	t := &Tensor{}
	var raw []byte
	var int32s, int64s []int64
	var floats []float32
	var doubles []float64
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			return appendVarints(&t.Dims, typ, v, x)
		case 2:
			t.DataType = int32(x)
		case 4:
			return appendFloats(&floats, typ, v, x)
		case 5:
			return appendVarints(&int32s, typ, v, x)
		case 7:
			return appendVarints(&int64s, typ, v, x)
		case 8:
			if typ == protowire.BytesType {
				t.Name = string(v)
			}
		case 9:
			if typ == protowire.BytesType {
				raw = v
			}
		case 10:
			return appendDoubles(&doubles, typ, v, x)
		case 13:
			t.External = true
		case 14:
			t.External = t.External || x == 1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t.External {
		return t, nil
	}
	for _, d := range t.Dims {
		if d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("tensor %q has a dimension of %d", t.Name, d)
		}
	}
	// Every value takes at least a byte in any encoding: a count past the message's length is
	// a lie, refused before anything is allocated (and before the product can overflow).
	count := 1
	for _, d := range t.Dims {
		if d > 0 && count > len(b)/int(d) {
			return nil, fmt.Errorf("tensor %q of shape %v holds more values than its %d bytes", t.Name, t.Dims, len(b))
		}
		count *= int(d)
	}
	switch t.DataType {
	case TypeFloat, TypeFloat16, TypeBFloat16, TypeDouble:
		switch {
		case raw != nil:
			t.Float, err = rawFloats(raw, t.DataType, count)
		case t.DataType == TypeFloat:
			t.Float = floats
		case t.DataType == TypeDouble:
			t.Float = make([]float32, len(doubles))
			for i, d := range doubles {
				t.Float[i] = float32(d)
			}
		default: // float16 and bfloat16 are stored in int32_data, one per value
			t.Float = make([]float32, len(int32s))
			for i, h := range int32s {
				t.Float[i] = halfToFloat(uint16(h), t.DataType)
			}
		}
		if err == nil && len(t.Float) != count {
			err = fmt.Errorf("tensor %q of shape %v holds %d values", t.Name, t.Dims, len(t.Float))
		}
	case TypeInt64, TypeInt32, TypeInt8, TypeUint8, TypeBool:
		switch {
		case raw != nil:
			t.Int, err = rawInts(raw, t.DataType, count)
		case t.DataType == TypeInt64:
			t.Int = int64s
		default:
			t.Int = int32s
		}
		if err == nil && len(t.Int) != count {
			err = fmt.Errorf("tensor %q of shape %v holds %d values", t.Name, t.Dims, len(t.Int))
		}
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func rawFloats(raw []byte, dtype int32, count int) ([]float32, error) {
	width := map[int32]int{TypeFloat: 4, TypeFloat16: 2, TypeBFloat16: 2, TypeDouble: 8}[dtype]
	if len(raw) != width*count {
		return nil, fmt.Errorf("raw data of %d bytes for %d values of %d bytes", len(raw), count, width)
	}
	out := make([]float32, count)
	for i := range out {
		switch dtype {
		case TypeFloat:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		case TypeDouble:
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		default:
			out[i] = halfToFloat(binary.LittleEndian.Uint16(raw[2*i:]), dtype)
		}
	}
	return out, nil
}

func rawInts(raw []byte, dtype int32, count int) ([]int64, error) {
	width := map[int32]int{TypeInt64: 8, TypeInt32: 4, TypeInt8: 1, TypeUint8: 1, TypeBool: 1}[dtype]
	if len(raw) != width*count {
		return nil, fmt.Errorf("raw data of %d bytes for %d values of %d bytes", len(raw), count, width)
	}
	out := make([]int64, count)
	for i := range out {
		switch dtype {
		case TypeInt64:
			out[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		case TypeInt32:
			out[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
		case TypeInt8:
			out[i] = int64(int8(raw[i]))
		default:
			out[i] = int64(raw[i])
		}
	}
	return out, nil
}

// halfToFloat widens an IEEE float16 or a bfloat16.
func halfToFloat(h uint16, dtype int32) float32 {
	if dtype == TypeBFloat16 {
		return math.Float32frombits(uint32(h) << 16)
	}
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac · 2^-24
		f := float32(frac) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// appendVarints appends a repeated varint field, packed or not.
func appendVarints(dst *[]int64, typ protowire.Type, v []byte, x uint64) error {
	if typ == protowire.VarintType {
		*dst = append(*dst, int64(x))
		return nil
	}
	if typ != protowire.BytesType {
		return nil
	}
	for len(v) > 0 {
		y, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return errTruncated
		}
		*dst = append(*dst, int64(y))
		v = v[n:]
	}
	return nil
}

// appendFloats appends a repeated float field, packed or not.
func appendFloats(dst *[]float32, typ protowire.Type, v []byte, x uint64) error {
	if typ == protowire.Fixed32Type {
		*dst = append(*dst, math.Float32frombits(uint32(x)))
		return nil
	}
	if typ != protowire.BytesType {
		return nil
	}
	if len(v)%4 != 0 {
		return errTruncated
	}
	for i := 0; i < len(v); i += 4 {
		*dst = append(*dst, math.Float32frombits(binary.LittleEndian.Uint32(v[i:])))
	}
	return nil
}

// appendDoubles appends a repeated double field, packed or not.
func appendDoubles(dst *[]float64, typ protowire.Type, v []byte, x uint64) error {
	if typ == protowire.Fixed64Type {
		*dst = append(*dst, math.Float64frombits(x))
		return nil
	}
	if typ != protowire.BytesType {
		return nil
	}
	if len(v)%8 != 0 {
		return errTruncated
	}
	for i := 0; i < len(v); i += 8 {
		*dst = append(*dst, math.Float64frombits(binary.LittleEndian.Uint64(v[i:])))
	}
	return nil
}
