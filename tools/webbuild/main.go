// Command webbuild lays out the web app in one folder for a static server: the ui/ files,
// Go's wasm_exec.js, the assets the page fetches, uPlot from node_modules, a gzip -9 copy of
// the wasm (and of the other large files), version.json (a hash of the whole build) and the
// service worker with that version and its list of files. Run it after building
// OUT/gradsign.wasm (make web does both).
//
//	go run ./tools/webbuild -out build/web -goroot "$(go env GOROOT)"
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	out := flag.String("out", "build/web", "the folder to fill (holding gradsign.wasm already)")
	goroot := flag.String("goroot", "", "Go's root, for lib/wasm/wasm_exec.js")
	kernel := flag.String("kernel", "build/kernel", "the folder of the SIMD kernel modules (make kernel)")
	ui := flag.String("ui", "ui", "the folder of the page's files")
	flag.Parse()
	log.SetFlags(0)
	if err := build(*out, *goroot, *kernel, *ui); err != nil {
		log.Fatal("webbuild: ", err)
	}
}

// copies maps each file of the build (relative to out) to its source.
func copies(goroot, kernel, ui string) (map[string]string, error) {
	m := map[string]string{
		"sgemm-simd.wasm":              filepath.Join(kernel, "sgemm-simd.wasm"),
		"sgemm-relaxed.wasm":           filepath.Join(kernel, "sgemm-relaxed.wasm"),
		"wasm_exec.js":                 filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"),
		"assets/nb201.csv.gz":          "assets/nb201.csv.gz",
		"assets/reference.json":        "assets/reference.json",
		"assets/nb201_space.bin":       "assets/nb201_space.bin",
		"assets/nb201_training.csv.gz": "assets/nb201_training.csv.gz",
		"assets/nb101_1000.csv.gz":     "assets/nb101/nb101_1000.csv.gz",
		"assets/nb301_1218.csv.gz":     "assets/nb301/nb301_1218.csv.gz",
		"assets/reference_spaces.json": "assets/reference_spaces.json",
		"assets/proxy_rankings.json":   "assets/proxy_rankings.json",
		"assets/sample1000.csv":        "results/eval_cifar10_sample1000_n128_seed0.csv",
		// The page's example ONNX models: the test models of tools/onnxref, with their
		// PyTorch reference files beside them in testdata/onnx.
		"assets/models/resnet20.onnx":    "testdata/onnx/resnet20.onnx",
		"assets/models/vgg.onnx":         "testdata/onnx/vgg.onnx",
		"assets/models/mobilenetv2.onnx": "testdata/onnx/mobilenetv2.onnx",
		"vendor/uPlot.esm.js":            "node_modules/uplot/dist/uPlot.esm.js",
		"vendor/uPlot.min.css":           "node_modules/uplot/dist/uPlot.min.css",
	}
	entries, err := os.ReadDir(ui)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			m[e.Name()] = filepath.Join(ui, e.Name())
		}
	}
	return m, nil
}

func build(out, goroot, kernel, ui string) error {
	if goroot == "" {
		return fmt.Errorf("-goroot is required (go env GOROOT)")
	}
	wasm, err := os.ReadFile(filepath.Join(out, "gradsign.wasm"))
	if err != nil {
		return fmt.Errorf("%v: build the wasm first (make web)", err)
	}
	files, err := copies(goroot, kernel, ui)
	if err != nil {
		return err
	}
	contents := map[string][]byte{"gradsign.wasm": wasm}
	for dst, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		contents[dst] = data
	}
	// The CIFAR-10 test images in two parts: the first 128, every N the page offers, fetched at
	// load; the other 872 when a request asks for more (ui/gradsign.js).
	images, err := os.ReadFile("assets/cifar10_test_first1000.bin")
	if err != nil {
		return err
	}
	const firstImages = 128 * 3073 // CIFAR-10 records: a label byte and 3×32×32 pixels
	if len(images) != 1000*3073 {
		return fmt.Errorf("assets/cifar10_test_first1000.bin: %d bytes, want 1,000 CIFAR-10 records", len(images))
	}
	contents["assets/cifar10_test_first128.bin"] = images[:firstImages]
	contents["assets/cifar10_test_rest872.bin"] = images[firstImages:]
	names := make([]string, 0, len(contents))
	for name := range contents {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		if name == "sw.js" {
			continue
		}
		fmt.Fprintf(h, "%s %d\n", name, len(contents[name]))
		h.Write(contents[name])
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	contents["version.json"], _ = json.Marshal(map[string]string{"version": version})

	// The service worker's list: every file but itself with its SHA-256 ("./" is index.html).
	cached := [][2]string{{"./", sha256Hex(contents["index.html"])}}
	for _, name := range append(names, "version.json") {
		if name != "sw.js" {
			cached = append(cached, [2]string{name, sha256Hex(contents[name])})
		}
	}
	list, _ := json.Marshal(cached)
	sw := string(contents["sw.js"])
	if !strings.Contains(sw, "'__VERSION__'") || !strings.Contains(sw, "__FILES__") {
		return fmt.Errorf("ui/sw.js lacks the __VERSION__ and __FILES__ placeholders")
	}
	sw = strings.Replace(sw, "__VERSION__", version, 1)
	contents["sw.js"] = []byte(strings.Replace(sw, "__FILES__", string(list), 1))

	if err := os.RemoveAll(filepath.Join(out, "assets")); err != nil {
		return err
	}
	for name, data := range contents {
		if err := write(filepath.Join(out, name), data); err != nil {
			return err
		}
		// Files over 4 KiB that compress also get a .gz beside them, which the server sends to
		// browsers that accept gzip.
		if len(data) > 4<<10 && !strings.HasSuffix(name, ".gz") {
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			zw.Write(data)
			zw.Close()
			if gz.Len() < len(data)*9/10 {
				if err := write(filepath.Join(out, name+".gz"), gz.Bytes()); err != nil {
					return err
				}
			}
		}
	}
	fmt.Printf("web app in %s: version %s, gradsign.wasm %d bytes\n", out, version, len(wasm))
	return nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
