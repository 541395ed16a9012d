package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := map[string]Tensor{
		"a.weight": FromFloat32([]int{2, 3}, []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 6}),
		"b":        FromFloat64([]int{2}, []float64{math.Pi, -1e300}),
		"labels":   FromInt64([]int{3}, []int64{3, -8, 1 << 40}),
		"scalar":   FromFloat32([]int{}, []float32{7}),
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"arch": "x", "n": "8"}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["arch"] != "x" || f.Metadata["n"] != "8" || len(f.Tensors) != 4 {
		t.Fatalf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	a := f.Tensors["a.weight"]
	if !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Float32s(), []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 6}) {
		t.Fatalf("a = %v %v", a.Shape, a.Float32s())
	}
	if b := f.Tensors["b"].Float64s(); b[0] != math.Pi || b[1] != -1e300 {
		t.Fatalf("b = %v", b)
	}
	if l, err := f.Tensors["labels"].Int64s(); err != nil || !slices.Equal(l, []int64{3, -8, 1 << 40}) {
		t.Fatalf("labels = %v, %v", l, err)
	}
	if _, err := f.Tensors["b"].Int64s(); err == nil {
		t.Fatal("Int64s of an F64 tensor: no error")
	}
	if s := f.Tensors["scalar"]; s.Len() != 1 || s.Float64s()[0] != 7 {
		t.Fatalf("scalar = %v", s.Float64s())
	}
}

func TestReadsReferenceFile(t *testing.T) {
	data, err := os.ReadFile("../../testdata/oracle/c8n1_all_none.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	in := f.Tensors["input"]
	if in.DType != F32 || !slices.Equal(in.Shape, []int{16, 3, 32, 32}) || f.Metadata["arch"] == "" {
		t.Fatalf("input %s %v, metadata %v", in.DType, in.Shape, f.Metadata)
	}
	// Every prefix of the file is truncated: each must fail cleanly.
	for _, n := range []int{0, 7, 8, 100, len(data) / 2, len(data) - 1} {
		if _, err := Read(data[:n]); err == nil {
			t.Errorf("file truncated to %d bytes: no error", n)
		}
	}
}

func header(js string, body int) []byte {
	b := make([]byte, 8, 8+len(js)+body)
	binary.LittleEndian.PutUint64(b, uint64(len(js)))
	b = append(b, js...)
	return append(b, make([]byte, body)...)
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		name, says string
		data       []byte
	}{
		{"short", "too short", []byte{1, 2}},
		{"huge header", "does not fit", header("{}", 0)[:8]},
		{"not json", "not a JSON object", header("[1,2", 0)},
		{"bad dtype", `dtype "BF16"`, header(`{"x":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, 2)},
		{"size mismatch", "needs 8 bytes", header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4)},
		{"past end", "outside the", header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4)},
		{"negative", "outside the", header(`{"x":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}`, 4)},
		{"negative dim", "shape", header(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4)},
		{"overflow", "shape", header(`{"x":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`, 0)},
		{"offsets", "data_offsets must be", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, 4)},
		{"metadata", "__metadata__", header(`{"__metadata__":{"a":1}}`, 0)},
		{"unknown field", "malformed", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}`, 4)},
		{"named twice", "named twice", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"overlap", "overlap", header(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8)},
		{"hole", "belong to no tensor", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 12)},
		{"tail", "belong to no tensor", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8)},
		{"trailing", "after its JSON", header(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}{}`, 4)},
	} {
		_, err := Read(c.data)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.says)
		}
	}
}

// FuzzRead checks that no input makes Read panic, and that whatever it accepts converts
// without panicking.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, map[string]Tensor{"w": FromFloat32([]int{2}, []float32{1, 2}), "l": FromInt64([]int{1}, []int64{5})}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add(header(`{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(data)
		if err != nil {
			return
		}
		for _, tensor := range file.Tensors {
			tensor.Float32s()
			tensor.Float64s()
			tensor.Int64s()
		}
	})
}
