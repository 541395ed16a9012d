// Command benchtable times GradSign at N=128 on the largest NAS-Bench-201 network, index 11 and
// index 0, and on the largest network of each other space the engine builds (NAS-Bench-101's
// row 849 at stem 128, 49 M parameters; NAS-Bench-301's largest genotype at C=32; the official
// models in tools/pyref/official), natively on all cores with the AVX-512 kernel and with AVX2 forced
// (GODEBUG=cpu.avx512f=off, as on an AVX2-only machine), beside the official per-sample loop in
// PyTorch (tools/pyref/gradsign_ref.py, Debian's python3-torch, one thread) and PyTorch's
// strongest way, functorch's vmap(grad) on all cores, on the same weights and images, in one
// run, and prints a Markdown table with each rate as a share of the CPU's nominal float32 peak
// (cores × FMA lanes × 2 units × 2 FLOPs × the clock of /proc/cpuinfo). Each time is the best of
// -repeat runs.
//
//	make bench-table
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// network is one row of the table: the CLI's flags that name it, and the PyTorch peer's.
type network struct {
	name       string
	cli, torch []string
}

func nb201(name, arch string) network {
	return network{name, []string{"--arch", arch}, []string{"--arch", arch}}
}

var networks = []network{
	nb201("all nor_conv_3x3 (largest)", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"),
	nb201("NB201 index 11", "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"),
	nb201("NB201 index 0", "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"),
	// NAS-Bench-101's largest shipped cell at the benchmark's stem of 128 channels (the peer's
	// vmap in chunks of 2 images: 8 took more than the 24 GB here).
	{"NB101 row 849, stem 128 (largest)", []string{"--space", "nb101", "--index", "849"},
		[]string{"--space", "nb101", "--matrix", "0111000001100000010000000100000001000000010000000",
			"--ops", "input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output", "--channels", "128", "--chunk", "2"}},
	// NAS-Bench-301's genotype with the most parameters at C=32, 8 cells.
	{"NB301 row 408, C=32 (largest)", []string{"--space", "darts", "--index", "408"},
		[]string{"--space", "darts", "--genotype", "Genotype(normal=[('sep_conv_5x5', 0), ('dil_conv_3x3', 1), ('sep_conv_3x3', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 2), ('sep_conv_5x5', 0), ('sep_conv_5x5', 4), ('sep_conv_3x3', 3)], normal_concat=[2, 3, 4, 5], reduce=[('dil_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_5x5', 2), ('dil_conv_5x5', 1), ('max_pool_3x3', 3), ('sep_conv_5x5', 0), ('skip_connect', 1), ('sep_conv_5x5', 3)], reduce_concat=[2, 3, 4, 5])", "--channels", "32"}},
}

func main() {
	cli := flag.String("cli", "bin/gradsign", "the gradsign binary")
	python := flag.String("python", "/usr/bin/python3", "a Python with PyTorch")
	n := flag.Int("n", 128, "images")
	repeat := flag.Int("repeat", 3, "runs per measurement (the best counts)")
	torchRepeat := flag.Int("torch-repeat", 2, "runs of the PyTorch loop (the best counts)")
	vmapRepeat := flag.Int("vmap-repeat", 4, "runs of functorch's vmap (the best counts; its first run warms up and its times vary by 2x)")
	flag.String("only", "", "only the networks whose name holds this (e.g. nb201, nb101, nb301, or torchvision for the second table)")
	models := flag.String("torchvision", "resnet18,resnet50,mobilenet_v2,efficientnet_b0,densenet121", "torchvision models of the second table (empty: none)")
	tvN := flag.Int("torchvision-n", 16, "images of the second table")
	tvSize := flag.Int("torchvision-size", 64, "the second table's image size (the 32×32 images resized)")
	flag.Parse()
	log.SetFlags(0)
	dir, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	cores := runtime.NumCPU()
	ghz := clockGHz()
	peak512, peak2 := float64(cores)*64*ghz, float64(cores)*32*ghz
	fmt.Printf("Nominal float32 peak of %d cores at %.2f GHz: %.0f GFLOP/s with AVX-512, %.0f with AVX2 (2 FMA units).\n", cores, ghz, peak512, peak2)
	measured := measuredPeak()
	fmt.Printf("Measured: %.0f GFLOP/s (24 independent AVX-512 FMAs in a loop on every core at once, best of 5); the %% of peak columns are of this.\n\n", measured)
	peak512, peak2 = measured, measured/2
	fmt.Printf("| network | GFLOP | gradsign, all cores, AVX-512 | %% of peak | gradsign, all cores, AVX2 | %% of AVX2 peak | PyTorch loop, 1 thread | functorch vmap, %d threads | ours / loop (AVX-512, AVX2) | ours / vmap (AVX-512, AVX2) | scores (gradsign, loop, vmap) |\n", cores)
	fmt.Printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	only := flag.Lookup("only").Value.String()
	defer func() {
		if *models != "" && (only == "" || strings.Contains("torchvision", strings.ToLower(only))) {
			torchvisionTable(dir, *cli, *python, strings.Split(*models, ","), *tvN, *tvSize, *repeat, *torchRepeat, *vmapRepeat, cores, peak512)
		}
	}()
	for _, a := range networks {
		if only != "" && !strings.Contains(strings.ToLower(a.name), strings.ToLower(only)) {
			continue
		}
		weights := filepath.Join(dir, "w.safetensors")
		var ours struct {
			GradSign float64 `json:"gradsign"`
			FLOPs    float64 `json:"flops"`
			Seconds  float64 `json:"seconds"`
		}
		best := func(env []string) float64 {
			b := math.Inf(1)
			for r := 0; r < *repeat; r++ {
				if err := runJSON(&ours, env, *cli, append([]string{"score", "--n", strconv.Itoa(*n), "--save-weights", weights, "--json"}, a.cli...)...); err != nil {
					log.Fatal(err)
				}
				b = min(b, ours.Seconds)
			}
			return b
		}
		t512, t2 := best(nil), best([]string{"GODEBUG=cpu.avx512f=off"})
		// A peer that fails (functorch's vmap runs out of memory on NAS-Bench-101's largest
		// network) is a NaN in the table, with its error on stderr.
		torch := func(method string, threads, repeat int) (float64, float64) {
			var out struct {
				GradSign float64   `json:"gradsign"`
				Seconds  []float64 `json:"seconds"`
			}
			if err := runJSON(&out, nil, *python, append([]string{"tools/pyref/gradsign_ref.py", weights, "--n", strconv.Itoa(*n),
				"--repeat", strconv.Itoa(repeat), "--method", method, "--threads", strconv.Itoa(threads)}, a.torch...)...); err != nil {
				log.Printf("%s, %s: %v", a.name, method, err)
				return math.NaN(), math.NaN()
			}
			return slices.Min(out.Seconds), out.GradSign
		}
		loop, loopScore := torch("loop", 1, *torchRepeat)
		vmap, vmapScore := torch("vmap", cores, *vmapRepeat)
		gflop := 6 * ours.FLOPs * float64(*n) / 1e9 // forward 2, backward 4 FLOPs per multiply-add
		fmt.Printf("| %s | %.1f | %.2f s (%.1f GFLOP/s) | %.0f%% | %.2f s (%.1f GFLOP/s) | %.0f%% | %.2f s | %.2f s | %.2f, %.2f | %.2f, %.2f | %.0f, %.0f, %.0f |\n",
			a.name, gflop, t512, gflop/t512, 100*gflop/t512/peak512, t2, gflop/t2, 100*gflop/t2/peak2, loop, vmap,
			t512/loop, t2/loop, t512/vmap, t2/vmap, ours.GradSign, loopScore, vmapScore)
	}
}

// torchvisionTable times torchvision models (fresh weights, exported to ONNX in training mode
// by tools/pyref/gradsign_ref.py, which then runs PyTorch's loop on the same weights and
// images): ours with one worker beside the loop on one thread (per core), ours on all cores
// beside functorch's vmap on as many threads.
func torchvisionTable(dir, cli, python string, models []string, n, size, repeat, torchRepeat, vmapRepeat, cores int, peak float64) {
	fmt.Printf("\nTorchvision models (10 classes, fresh weights from seed 0, ONNX exported in training mode), %d×%d images (the bundled 32×32 ones resized bilinearly), N=%d:\n\n", size, size, n)
	fmt.Printf("| model | params | GFLOP | gradsign, 1 worker | PyTorch loop, 1 thread | ours / loop | gradsign, %d workers | %% of peak | functorch vmap, %d threads | ours / vmap | scores (gradsign, loop, vmap) |\n", cores, cores)
	fmt.Printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, m := range models {
		file := filepath.Join(dir, m+".onnx")
		torch := func(method string, threads, repeat int, export bool) (float64, float64) {
			var out struct {
				GradSign float64   `json:"gradsign"`
				Seconds  []float64 `json:"seconds"`
			}
			args := []string{"tools/pyref/gradsign_ref.py", "--space", "torchvision", "--model", m, "--size", strconv.Itoa(size),
				"--n", strconv.Itoa(n), "--repeat", strconv.Itoa(repeat), "--method", method, "--threads", strconv.Itoa(threads)}
			if export {
				args = append(args, "--export", file)
			}
			if err := runJSON(&out, nil, python, args...); err != nil {
				log.Printf("%s, %s: %v", m, method, err)
				return math.NaN(), math.NaN()
			}
			return slices.Min(out.Seconds), out.GradSign
		}
		loop, loopScore := torch("loop", 1, torchRepeat, true)
		var ours struct {
			GradSign float64 `json:"gradsign"`
			FLOPs    float64 `json:"flops"`
			Params   float64 `json:"params"`
			Seconds  float64 `json:"seconds"`
		}
		best := func(workers int) float64 {
			b := math.Inf(1)
			for range repeat {
				if err := runJSON(&ours, nil, cli, "score", "--onnx", file, "--n", strconv.Itoa(n), "--workers", strconv.Itoa(workers), "--json"); err != nil {
					log.Printf("%s: %v", m, err)
					return math.NaN()
				}
				b = min(b, ours.Seconds)
			}
			return b
		}
		one, all := best(1), best(cores)
		vmap, vmapScore := torch("vmap", cores, vmapRepeat, false)
		gflop := 6 * ours.FLOPs * float64(n) / 1e9
		fmt.Printf("| %s | %.0f | %.1f | %.2f s | %.2f s | %.2f | %.2f s (%.1f GFLOP/s) | %.0f%% | %.2f s | %.2f | %.0f, %.0f, %.0f |\n",
			m, ours.Params, gflop, one, loop, one/loop, all, gflop/all, 100*gflop/all/peak, vmap, all/vmap, ours.GradSign, loopScore, vmapScore)
	}
}

// clockGHz reads the CPU's clock from /proc/cpuinfo (2.5 GHz if it cannot).
func clockGHz() float64 {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 2.5
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "cpu MHz"); ok {
			if mhz, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")), 64); err == nil {
				return mhz / 1000
			}
		}
	}
	return 2.5
}

func runJSON(v any, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return json.Unmarshal(out, v)
}
