package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gradsign/engine/gradsign"
	"gradsign/engine/safetensors"
	"gradsign/internal/oracle"
)

func runCLI(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// TestReproducesReferences is the acceptance check: the CLI, given a reference file's
// weights, arch, n, offset and network size, prints that file's float32 GradSign within 0.1%.
func TestReproducesReferences(t *testing.T) {
	refs, err := oracle.NB201()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		path := filepath.Join(oracle.Dir(), ref.Name)
		out, errOut, code := runCLI("score", "--weights", path, "--arch", ref.Arch.String(),
			"--n", strconv.Itoa(ref.N), "--offset", strconv.Itoa(ref.Offset),
			"--channels", strconv.Itoa(ref.C), "--cells", strconv.Itoa(ref.Cells), "--json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ref.Name, code, errOut)
		}
		var got scoreOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v in %q", ref.Name, err, out)
		}
		if d := math.Abs(*got.GradSign - ref.GradSign); d > 1e-3*ref.GradSign {
			t.Errorf("%s: gradsign %v, PyTorch %v", ref.Name, *got.GradSign, ref.GradSign)
		}
		if got.Params != ref.Params || got.Arch != ref.Arch.String() || got.N != ref.N {
			t.Errorf("%s: params %d arch %s n %d", ref.Name, got.Params, got.Arch, got.N)
		}
		for _, key := range []string{`"arch"`, `"gradsign"`, `"params"`, `"flops"`, `"n"`, `"seed"`, `"seconds"`} {
			if !strings.Contains(out, key) {
				t.Errorf("%s: JSON lacks %s", ref.Name, key)
			}
		}
	}
}

func TestDefaultScore(t *testing.T) {
	out, errOut, code := runCLI("score", "--n", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got scoreOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Index == nil || *got.Index != 0 || got.Params != 129306 || got.FLOPs != 15647370 || got.GradSign == nil || *got.GradSign <= 0 {
		t.Fatalf("default score: %+v", got)
	}
	if math.Abs(got.Accuracy["cifar10"]-85.8633) > 1e-9 {
		t.Fatalf("index 0 CIFAR-10 accuracy %v", got.Accuracy["cifar10"])
	}
	// The same seed gives the same score; the text output carries the same facts.
	again, _, _ := runCLI("score", "--n", "4", "--json", "--workers", "1", "--chunk", "3")
	var g2 scoreOutput
	json.Unmarshal([]byte(again), &g2)
	if *g2.GradSign != *got.GradSign {
		t.Fatalf("same seed, other chunking: %v vs %v", *g2.GradSign, *got.GradSign)
	}
	// Above chance: the score less N·Chance(N) per weight (NAS-Bench-201 has no structural zeros).
	withLayers, _, _ := runCLI("score", "--n", "4", "--json", "--layers")
	var g3 scoreOutput
	json.Unmarshal([]byte(withLayers), &g3)
	weights := 0
	for _, l := range g3.Layers {
		weights += l.Weights
	}
	if want := *g3.GradSign - 4*gradsign.Chance(4)*float64(weights); g3.AboveChance == nil || math.Abs(*g3.AboveChance-want) > 1e-6 {
		t.Fatalf("above chance %v, want %v", g3.AboveChance, want)
	}
	text, _, code := runCLI("score", "--n", "4", "--layers")
	if code != 0 || !strings.Contains(text, "agreement 0.375 at N=4") || !strings.Contains(text, "stem.0") || !strings.Contains(text, strconv.FormatFloat(*got.GradSign, 'g', 6, 64)) {
		t.Fatalf("text output:\n%s", text)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(oracle.Dir(), "c8n1_all_none.safetensors")
	data, _ := os.ReadFile(ref)
	truncated := filepath.Join(dir, "truncated.safetensors")
	os.WriteFile(truncated, data[:len(data)/2], 0o644)
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte("not a cifar batch"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"score", "--arch", "|nor_conv_3x3~0|+|bogus~0|none~1|+|none~0|none~1|none~2|"}, 2, `unknown operation "bogus"`},
		{[]string{"score", "--index", "15625"}, 2, "out of range: want 0..15624"},
		{[]string{"score", "--index", "3", "--arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, 2, "not both"},
		{[]string{"score", "--n", "1001"}, 2, "the data holds 1000"},
		{[]string{"score", "--n", "10", "--offset", "995"}, 2, "the data holds 1000"},
		{[]string{"score", "--n", "0"}, 2, "at least 1"},
		{[]string{"score", "--dataset", "imagenet"}, 2, "unknown dataset"},
		{[]string{"score", "--dataset", "cifar100", "--n", "101"}, 2, "the data holds 100"},
		{[]string{"score", "--channels", "0"}, 2, "channels"},
		{[]string{"score", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"score", "extra"}, 2, "unexpected argument"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"score", "--weights", filepath.Join(dir, "missing.safetensors")}, 1, "no such file"},
		{[]string{"score", "--weights", truncated}, 1, "truncated"},
		{[]string{"score", "--weights", ref, "--n", "4", "--channels", "8", "--cells", "1"}, 1, `lack tensor "cells.0.layers.1.op.1.weight"`},
		{[]string{"score", "--weights", ref, "--n", "4"}, 1, "has shape [8 3 3 3], the network needs [16 3 3 3]"},
		{[]string{"score", "--data", junk}, 1, "whole number"},
		{[]string{"score", "--index", "-5"}, 2, "out of range: want 0..15624"},
		{[]string{"score", "--arch", ""}, 2, "empty arch string"},
		{[]string{"score", "--arch", "|none~0|+|none~0|none~1|+|" + strings.Repeat("x", 120_000) + "|"}, 2, "(120027 bytes)"},
		{[]string{"score", "--offset", "9223372036854775806"}, 2, "the data holds 1000"},
		{[]string{"score", "--n", "9223372036854775807"}, 2, "the data holds 1000"},
		{[]string{"score", "--offset", "-1"}, 2, "want 0 or more"},
		{[]string{"score", "--data", "/dev/zero"}, 1, "too large for a CIFAR binary batch"},
		{[]string{"score", "--weights", "/dev/zero"}, 1, "too large for the weights"},
		{[]string{"score", "--channels", "4096"}, 1, "needs about"},
		{[]string{"score", "--proxies", "grasp", "--n", "1000"}, 1, "needs about"},
		{[]string{"score", "--proxies", "snip", "--n", "8", "--max-memory", "1MiB"}, 1, "more than the 1 MiB allowed"},
		{[]string{"score", "--workers", "-2"}, 2, "want 0"},
	} {
		out, errOut, code := runCLI(c.args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != c.code || !strings.Contains(errOut, c.says) || len(lines) != 1 || out != "" || len(errOut) > 600 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and one line saying %q", c.args, code, errOut, out, c.code, c.says)
		}
	}
}

// TestNaNWeightsHaveNoScore: weights of NaN give GradSign no finite value (not 0), as the other
// proxies say.
func TestNaNWeightsHaveNoScore(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.safetensors")
	arch := "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	if _, e, c := runCLI("score", "--arch", arch, "--channels", "4", "--cells", "1", "--n", "2", "--save-weights", w); c != 0 {
		t.Fatal(e)
	}
	f, err := safetensors.Read(mustRead(t, w))
	if err != nil {
		t.Fatal(err)
	}
	nan := map[string]safetensors.Tensor{}
	for name, tensor := range f.Tensors {
		v := tensor.Float32s()
		for i := range v {
			v[i] = float32(math.NaN())
		}
		nan[name] = safetensors.FromFloat32(tensor.Shape, v)
	}
	bad := filepath.Join(dir, "nan.safetensors")
	out, _ := os.Create(bad)
	if err := safetensors.Write(out, nan, nil); err != nil {
		t.Fatal(err)
	}
	out.Close()
	text, e, c := runCLI("score", "--arch", arch, "--channels", "4", "--cells", "1", "--n", "2", "--weights", bad)
	if c != 0 || !strings.Contains(text, "gradsign  no finite value") {
		t.Fatalf("NaN weights: exit %d, %q, %q", c, text, e)
	}
}

// TestOutputErrorsFail: text output that cannot be written (a full disk) ends in an error.
func TestOutputErrorsFail(t *testing.T) {
	var e bytes.Buffer
	if code := run([]string{"score", "--index", "0", "--n", "2"}, failingWriter{}, &e); code == 0 || !strings.Contains(e.String(), "writing the output") {
		t.Fatalf("score: exit %d, %q", code, e.String())
	}
	e.Reset()
	if code := run([]string{"eval", "--sample", "3", "--n", "2", "--proxies", "params"}, failingWriter{}, &e); code == 0 || !strings.Contains(e.String(), "writing the output") {
		t.Fatalf("eval: exit %d, %q", code, e.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }
