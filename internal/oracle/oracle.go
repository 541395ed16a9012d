// Package oracle reads the PyTorch reference files of testdata/oracle (see the README there):
// one network at initialisation (NAS-Bench-201, or another space's: the metadata key "space")
// with its inputs, outputs, gradients and scores. Tests across the engine check themselves
// against them.
package oracle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"gradsign/engine/darts"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
	"gradsign/engine/onnx"
	"gradsign/engine/safetensors"
)

// Spaces are the search spaces whose reference files the engine builds ("onnx": models read
// from ONNX files, testdata/onnx).
var Spaces = []string{"nb201", "nb101", "darts", "nds", "onnx"}

// Reference is one reference file.
type Reference struct {
	Name string
	File *safetensors.File
	// Space is the file's search space ("nb201", "nb101", ...); Spec its network.
	Space string
	Spec  graph.Spec
	// For NAS-Bench-201 files: Arch, C (channels) and Cells (per stage). Classes is the
	// output count; inputs are 32x32.
	Arch              nb201.Arch
	C, Cells, Classes int
	// N, Offset: the file holds bundled images Offset..Offset+N-1.
	N, Offset int
	// Params is the parameter count PyTorch reports.
	Params int
	// GradSign is the score an implementation must match: PyTorch's from float32 gradients,
	// or for the spaces with structural zeros (darts, nds) and the ONNX models with exact zeros
	// that depend on the data (gradsign_exact_f64) the float64 score with those as zeros, the
	// raw float32 one counting rounding noise; GradSignF64 is from float64 gradients.
	GradSign, GradSignF64 float64
	// StructuralZeros maps each weight layer to its gradient entries (over the file's n
	// samples) whose float64 value is at most 1e-13, where the file counts them: the
	// structural zeros and the entries that happen to be exactly zero (ExactZeros counts
	// those of the whole network, as float64 computed them).
	StructuralZeros map[string]int
	ExactZeros      int
	// NoiseTensors are the grad0 tensors whose every entry is a structural zero (or, in an
	// ONNX reference with exact zeros, zero in exact arithmetic): rounding noise (|g| ≤ 2.5e-7
	// in PyTorch's float32), where any implementation's are noise too.
	NoiseTensors map[string]bool
	// SignFlips counts the per-sample gradient entries whose sign differs between PyTorch's
	// float32 and float64 runs: the noise floor of the float32 score.
	SignFlips int
	// PerLayer maps each weight layer (its parameter name less ".weight") to its float32 score;
	// PerLayerF64 to its float64 score with structural zeros as zeros, in the files that have
	// it (the other spaces').
	PerLayer, PerLayerF64 map[string]float64
	// Proxies maps each mini-batch proxy (and name_f64) to its value; NaN where the reference
	// has none.
	Proxies map[string]float64
}

// Dir is the folder of the reference files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "oracle")
}

// ONNXDir is the folder of the ONNX models and their reference files (tools/onnxref).
func ONNXDir() string { return filepath.Join(Dir(), "..", "onnx") }

// All reads every reference file of the spaces the engine builds (Spaces).
func All() ([]*Reference, error) { return Of(Spaces...) }

// NB201 reads the NAS-Bench-201 reference files.
func NB201() ([]*Reference, error) { return Of("nb201") }

// Of reads the reference files of the given spaces.
func Of(spaces ...string) ([]*Reference, error) {
	paths, err := filepath.Glob(filepath.Join(Dir(), "*.safetensors"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no reference files in %s", Dir())
	}
	models, err := filepath.Glob(filepath.Join(ONNXDir(), "*.safetensors"))
	if err != nil || len(models) == 0 {
		return nil, fmt.Errorf("no reference files in %s", ONNXDir())
	}
	paths = append(paths, models...)
	var refs []*Reference
	for _, p := range paths {
		r, err := Read(p)
		if err != nil {
			return nil, err
		}
		if slices.Contains(spaces, r.Space) {
			refs = append(refs, r)
		}
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
	r := &Reference{Name: filepath.Base(path), File: f, Space: md["space"]}
	if r.Space == "" {
		r.Space = "nb201"
	}
	ints := map[string]*int{"num_classes": &r.Classes,
		"n": &r.N, "offset": &r.Offset, "params": &r.Params, "sign_flips_f32_vs_f64": &r.SignFlips}
	for k, p := range ints {
		if *p, err = strconv.Atoi(md[k]); err != nil {
			return nil, fmt.Errorf("%s: metadata %s: %v", path, k, err)
		}
	}
	if err := r.readSpec(md, filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if r.GradSign, err = strconv.ParseFloat(md["gradsign_f32"], 64); err != nil {
		return nil, err
	}
	if r.GradSignF64, err = strconv.ParseFloat(md["gradsign_f64"], 64); err != nil {
		return nil, err
	}
	if exact, ok := md["gradsign_exact_f64"]; ok {
		// A model whose exact zeros depend on the data (an ONNX reference): the reference is
		// the float64 score with them at sign 0, per layer too; the float32 score counts noise.
		if r.GradSign, err = strconv.ParseFloat(exact, 64); err != nil {
			return nil, err
		}
		r.GradSignF64 = r.GradSign
		if err := json.Unmarshal([]byte(md["gradsign_per_layer_exact_f64"]), &r.PerLayer); err != nil {
			return nil, err
		}
		var noise []string
		if err := json.Unmarshal([]byte(md["noise_tensors"]), &noise); err != nil {
			return nil, err
		}
		r.NoiseTensors = map[string]bool{}
		for _, name := range noise {
			r.NoiseTensors[name] = true
		}
	} else if err := json.Unmarshal([]byte(md["gradsign_per_layer_f32"]), &r.PerLayer); err != nil {
		return nil, err
	}
	if f64, ok := md["gradsign_per_layer_f64_structural_zeros_as_0"]; ok {
		if err := json.Unmarshal([]byte(f64), &r.PerLayerF64); err != nil {
			return nil, err
		}
	}
	if z, ok := md["structural_zeros_per_layer"]; ok {
		var perLayer map[string]float64
		if err := json.Unmarshal([]byte(z), &perLayer); err != nil {
			return nil, err
		}
		if r.ExactZeros, err = strconv.Atoi(md["exact_zero_entries_f64"]); err != nil {
			return nil, fmt.Errorf("%s: metadata exact_zero_entries_f64: %v", path, err)
		}
		r.StructuralZeros = map[string]int{}
		r.NoiseTensors = map[string]bool{}
		for k, v := range perLayer {
			r.StructuralZeros[k] = int(v)
			if t, ok := f.Tensors["grad0."+k+".weight"]; ok && int(v) == r.N*len(t.Float32s()) {
				r.NoiseTensors["grad0."+k+".weight"] = true
			}
		}
	}
	if r.Space == "darts" || r.Space == "nds" {
		// The raw float32 scores count the structural zeros' rounding noise: the reference
		// is the float64 score with them as zeros, per layer too.
		if r.GradSign, err = strconv.ParseFloat(md["gradsign_f64_structural_zeros_as_0"], 64); err != nil {
			return nil, err
		}
		r.GradSignF64 = r.GradSign
		r.PerLayer, r.PerLayerF64 = r.PerLayerF64, nil
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

// PerLayerNoise is how far PyTorch's own float32 per-layer scores are from its float64 ones
// (the sum of the layers' differences): the noise a float32 implementation's per-layer
// scores may carry. Zero where the file has no float64 per-layer scores.
func (r *Reference) PerLayerNoise() float64 {
	var l1 float64
	for name, v := range r.PerLayerF64 {
		l1 += math.Abs(r.PerLayer[name] - v)
	}
	return l1
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

// readSpec reads the network's description from the metadata of its space (for an ONNX
// model, the model file in dir, whose weights join the file's tensors); a space the engine
// does not build yet leaves Spec nil.
func (r *Reference) readSpec(md map[string]string, dir string) error {
	var err error
	switch r.Space {
	case "onnx":
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(md["onnx"])))
		if err != nil {
			return err
		}
		net, err := onnx.Read(b, onnx.Options{})
		if err != nil {
			return err
		}
		for name, t := range net.Weights.Tensors {
			r.File.Tensors[name] = t
		}
		r.Spec = net.Graph
	case "nb201":
		if r.Arch, err = nb201.ParseArch(md["arch"]); err != nil {
			return err
		}
		if r.C, err = strconv.Atoi(md["C"]); err != nil {
			return fmt.Errorf("metadata C: %v", err)
		}
		if r.Cells, err = strconv.Atoi(md["N"]); err != nil {
			return fmt.Errorf("metadata N: %v", err)
		}
		r.Spec = nb201.Config{Arch: r.Arch, C: r.C, N: r.Cells, Classes: r.Classes, H: 32, W: 32}
	case "nb101":
		var ops []string
		if err := json.Unmarshal([]byte(md["ops"]), &ops); err != nil {
			return fmt.Errorf("metadata ops: %v", err)
		}
		cell, err := nb101.ParseCell(md["adjacency"], ops)
		if err != nil {
			return err
		}
		if h := cell.Hash(); h != md["nb101_hash"] {
			return fmt.Errorf("the cell hashes to %s, the file says %s", h, md["nb101_hash"])
		}
		cfg := nb101.Config{Cell: cell, Classes: r.Classes, H: 32, W: 32}
		for k, p := range map[string]*int{"stem_channels": &cfg.Stem, "stacks": &cfg.Stacks, "cells_per_stack": &cfg.CellsPerStack} {
			if *p, err = strconv.Atoi(md[k]); err != nil {
				return fmt.Errorf("metadata %s: %v", k, err)
			}
		}
		r.Spec = cfg
	case "darts", "nds":
		gt, err := darts.ParseGenotype(md["genotype"])
		if err != nil {
			return err
		}
		cfg := darts.Config{Genotype: gt, Classes: r.Classes, H: 32, W: 32, NDS: r.Space == "nds"}
		if cfg.C, err = strconv.Atoi(md["C"]); err != nil {
			return fmt.Errorf("metadata C: %v", err)
		}
		if cfg.Layers, err = strconv.Atoi(md["layers"]); err != nil {
			return fmt.Errorf("metadata layers: %v", err)
		}
		r.Spec = cfg
	}
	return nil
}

// Grad0F64 returns PyTorch's float64 gradients of sample 0 for a file whose float32 ones are
// chaotic (testdata/oracle/grad0_f64, by weight name), or nil where there is none.
func Grad0F64(r *Reference) (map[string][]float32, error) {
	data, err := os.ReadFile(filepath.Join(Dir(), "grad0_f64", r.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Read(data)
	if err != nil {
		return nil, err
	}
	g := map[string][]float32{}
	for name, t := range f.Tensors {
		g[strings.TrimPrefix(name, "grad0_f64.")] = t.Float32s()
	}
	return g, nil
}
