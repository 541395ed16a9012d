// Package oracle reads the PyTorch reference files of testdata/oracle (see the README there):
// one NAS-Bench-201 network at initialisation with its inputs, outputs, gradients and scores.
// Tests across the engine check themselves against them.
package oracle

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"gradsign/engine/nb201"
	"gradsign/engine/safetensors"
)

// Reference is one reference file.
type Reference struct {
	Name string
	File *safetensors.File
	// Arch, C (channels), Cells (per stage) and Classes describe the network; inputs are 32x32.
	Arch              nb201.Arch
	C, Cells, Classes int
	// N, Offset: the file holds bundled images Offset..Offset+N-1.
	N, Offset int
	// Params is the parameter count PyTorch reports.
	Params int
	// GradSign is the score from float32 gradients; GradSignF64 from float64 ones.
	GradSign, GradSignF64 float64
	// SignFlips counts the per-sample gradient entries whose sign differs between PyTorch's
	// float32 and float64 runs: the noise floor of the float32 score.
	SignFlips int
	// PerLayer maps each weight layer (its parameter name less ".weight") to its float32 score.
	PerLayer map[string]float64
	// Proxies maps each mini-batch proxy (and name_f64) to its value; NaN where the reference
	// has none.
	Proxies map[string]float64
}

// Dir is the folder of the reference files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "oracle")
}

// All reads every reference file.
func All() ([]*Reference, error) {
	paths, err := filepath.Glob(filepath.Join(Dir(), "*.safetensors"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no reference files in %s", Dir())
	}
	var refs []*Reference
	for _, p := range paths {
		r, err := Read(p)
		if err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// Read reads one reference file.
func Read(path string) (*Reference, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Read(data)
	if err != nil {
		return nil, err
	}
	md := f.Metadata
	r := &Reference{Name: filepath.Base(path), File: f}
	a, err := nb201.ParseArch(md["arch"])
	if err != nil {
		return nil, err
	}
	ints := map[string]*int{"C": &r.C, "N": &r.Cells, "num_classes": &r.Classes,
		"n": &r.N, "offset": &r.Offset, "params": &r.Params, "sign_flips_f32_vs_f64": &r.SignFlips}
	for k, p := range ints {
		if *p, err = strconv.Atoi(md[k]); err != nil {
			return nil, fmt.Errorf("%s: metadata %s: %v", path, k, err)
		}
	}
	r.Arch = a
	if r.GradSign, err = strconv.ParseFloat(md["gradsign_f32"], 64); err != nil {
		return nil, err
	}
	if r.GradSignF64, err = strconv.ParseFloat(md["gradsign_f64"], 64); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(md["gradsign_per_layer_f32"]), &r.PerLayer); err != nil {
		return nil, err
	}
	var proxies map[string]*float64
	if err := json.Unmarshal([]byte(md["proxies"]), &proxies); err != nil {
		return nil, err
	}
	r.Proxies = map[string]float64{}
	for k, v := range proxies {
		r.Proxies[k] = math.NaN()
		if v != nil {
			r.Proxies[k] = *v
		}
	}
	return r, nil
}

// Inputs returns the file's input images [n, 3, 32, 32] as T.
func Inputs[T float32 | float64](r *Reference) []T {
	in := r.File.Tensors["input"].Float64s()
	x := make([]T, len(in))
	for i, v := range in {
		x[i] = T(v)
	}
	return x
}

// Labels returns the file's labels.
func (r *Reference) Labels() []int {
	l64, _ := r.File.Tensors["labels"].Int64s()
	labels := make([]int, len(l64))
	for i, l := range l64 {
		labels[i] = int(l)
	}
	return labels
}
