package network

import (
	"fmt"
	"slices"

	"gradsign/engine/safetensors"
)

// Load sets the parameters from a state dict, such as a NAS-Bench-201 checkpoint or a
// reference file. Every trainable parameter must be there with its shape; BatchNorm running
// statistics are loaded when present (train-mode BatchNorm does not read them). Other tensors
// are ignored. F32 and F64 tensors convert to the network's element type. On error the
// network is left unchanged.
func (n *Network[T]) Load(f *safetensors.File) error {
	values := make([][]T, len(n.Params))
	for i, p := range n.Params {
		t, ok := f.Tensors[p.Name]
		if !ok {
			if !p.Trainable() {
				continue
			}
			return fmt.Errorf("weights lack tensor %q (shape %v): are they for %s?", p.Name, p.Shape, n)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return fmt.Errorf("weights: tensor %q has shape %v, the network needs %v: are they for %s with %d classes?", p.Name, t.Shape, p.Shape, n, n.Classes)
		}
		if t.DType != safetensors.F32 && t.DType != safetensors.F64 {
			return fmt.Errorf("weights: tensor %q has dtype %s, want F32 or F64", p.Name, t.DType)
		}
		switch any(p.Data).(type) {
		case []float32:
			values[i] = any(t.Float32s()).([]T)
		default:
			x := t.Float64s()
			v := make([]T, len(x))
			for k := range x {
				v[k] = T(x[k])
			}
			values[i] = v
		}
	}
	for i, v := range values {
		if v != nil {
			copy(n.Params[i].Data, v)
		}
	}
	return nil
}

// StateDict returns every parameter as a tensor named as the space's reference model names it, F32 for a float32
// network and F64 for a float64 one.
func (n *Network[T]) StateDict() map[string]safetensors.Tensor {
	m := make(map[string]safetensors.Tensor, len(n.Params))
	for _, p := range n.Params {
		switch d := any(p.Data).(type) {
		case []float32:
			m[p.Name] = safetensors.FromFloat32(p.Shape, d)
		default:
			x := make([]float64, len(p.Data))
			for k, v := range p.Data {
				x[k] = float64(v)
			}
			m[p.Name] = safetensors.FromFloat64(p.Shape, x)
		}
	}
	return m
}
