// Command mkassets builds the data files of assets/ from the project's shared source data
// (see its PROVENANCE.md): the CIFAR samples in the official binary format and the
// NAS-Bench-201 ground-truth table. The outputs are committed; run it only to rebuild them.
//
//	go run ./tools/mkassets -src ../shared/data -dst assets
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gradsign/engine/cifar"
	"gradsign/engine/nb201"
)

// coarseOf maps each CIFAR-100 fine label to its coarse label (the dataset's 20 superclasses);
// the official binary format stores both.
var coarseOf = [100]byte{
	4, 1, 14, 8, 0, 6, 7, 7, 18, 3, 3, 14, 9, 18, 7, 11, 3, 9, 7, 11,
	6, 11, 5, 10, 7, 6, 13, 15, 3, 15, 0, 11, 1, 10, 12, 14, 16, 9, 11, 5,
	5, 19, 8, 8, 15, 13, 14, 17, 18, 10, 16, 4, 17, 4, 2, 0, 17, 4, 18, 17,
	10, 3, 2, 12, 12, 16, 12, 1, 9, 19, 2, 10, 0, 1, 16, 12, 9, 13, 15, 13,
	16, 19, 2, 4, 6, 19, 5, 5, 8, 19, 18, 1, 2, 15, 6, 0, 17, 8, 14, 13,
}

func main() {
	src := flag.String("src", "../shared/data", "folder of the source data")
	dst := flag.String("dst", "assets", "folder to write the assets to")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*src, *dst); err != nil {
		log.Fatal("mkassets: ", err)
	}
}

func run(src, dst string) error {
	c10, err := cifarBinary(filepath.Join(src, "cifar10_test_first1000.png"), filepath.Join(src, "cifar10_test_first1000_labels.txt"), nil)
	if err != nil {
		return err
	}
	// The shared data also holds the first 100 images in the official format: they must agree.
	first100, err := os.ReadFile(filepath.Join(src, "cifar10_test_first100.bin"))
	if err != nil {
		return err
	}
	if !bytes.Equal(c10[:len(first100)], first100) {
		return fmt.Errorf("the PNG's first 100 images differ from cifar10_test_first100.bin")
	}
	c100, err := cifarBinary(filepath.Join(src, "cifar100_sample100.png"), filepath.Join(src, "cifar100_sample100_fine_labels.txt"), coarseOf[:])
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dst, "cifar10_test_first1000.bin"), c10, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dst, "cifar100_sample100.bin"), c100, 0o644); err != nil {
		return err
	}
	// ImageNet16-120: one 16×16 image per class, copied as it is after checking that its
	// records hold labels 0..119 in order (PROVENANCE.md, file 19).
	in16, err := os.ReadFile(filepath.Join(src, "imagenet16_120_sample120.bin"))
	if err != nil {
		return err
	}
	if len(in16) != 120*769 {
		return fmt.Errorf("imagenet16_120_sample120.bin: %d bytes, want 120 records of 769", len(in16))
	}
	for i := range 120 {
		if int(in16[i*769]) != i {
			return fmt.Errorf("imagenet16_120_sample120.bin: record %d has label %d, want %d", i, in16[i*769], i)
		}
	}
	if err := os.WriteFile(filepath.Join(dst, "imagenet16_120_sample120.bin"), in16, 0o644); err != nil {
		return err
	}
	// 194 CIFAR-100 images for N=128 scores on CIFAR-100: the 94 test images in the official
	// format, then the 100 sampled ones (not embedded: --data assets/cifar100_194.bin).
	test94, err := os.ReadFile(filepath.Join(src, "cifar100_test_94.bin"))
	if err != nil {
		return err
	}
	if len(test94) != 94*3074 || test94[0] != 10 || test94[1] != 49 { // PROVENANCE.md: the mountain of test image 0
		return fmt.Errorf("cifar100_test_94.bin: %d bytes starting %d %d; want 94 records starting coarse 10, fine 49", len(test94), test94[0], test94[1])
	}
	if err := os.WriteFile(filepath.Join(dst, "cifar100_194.bin"), append(test94, c100...), 0o644); err != nil {
		return err
	}
	// CIFAR-10 training images 0..999 (the official GradSign code scores a training batch): the
	// first PNG of the shared training sample, with the first 1,000 of its 4,000 labels.
	trainLabels, err := readLabels(filepath.Join(src, "cifar10_train_first4000_labels.txt"))
	if err != nil {
		return err
	}
	if len(trainLabels) < 1000 {
		return fmt.Errorf("%d training labels, want 4,000", len(trainLabels))
	}
	train, err := cifarRecords(filepath.Join(src, "cifar10_train_batch0.png"), trainLabels[:1000], nil)
	if err != nil {
		return err
	}
	if train[0] != 6 || train[1] != 59 || train[1+1024] != 62 || train[1+2048] != 63 { // PROVENANCE.md: the frog of data_batch_1
		return fmt.Errorf("training image 0 starts label %d, R %d G %d B %d; want 6 and 59 62 63", train[0], train[1], train[1+1024], train[1+2048])
	}
	if err := os.WriteFile(filepath.Join(dst, "cifar10_train_first1000.bin"), train, 0o644); err != nil {
		return err
	}
	if err := table(filepath.Join(src, "nb201_test_acc_200ep_natsbench.csv"), filepath.Join(dst, "nb201.csv.gz")); err != nil {
		return err
	}
	return trainingTable(filepath.Join(src, "nb201_acc_12ep_minibench.csv"), filepath.Join(src, "nb201_cifar10valid_200ep_natsbench.csv"),
		filepath.Join(dst, "nb201_training.csv.gz"))
}

// trainingTable writes what simulated NAS charges and returns per architecture, on
// cifar10-valid: index, valid12 (12-epoch validation accuracy, NAS-Bench-201's search reward),
// seconds12 (12 epochs of training and one validation pass, approximated from the 200-epoch
// times as train·12/200 + valid/200: the tables have no 12-epoch times), valid200 and seconds200
// (train + valid/200).
func trainingTable(acc12Path, times200Path, dstPath string) error {
	acc12, err := readCSV(acc12Path)
	if err != nil {
		return err
	}
	times, err := readCSV(times200Path)
	if err != nil {
		return err
	}
	col := func(rows [][]string, name string) (int, error) {
		for i, h := range rows[0] {
			if h == name {
				return i, nil
			}
		}
		return 0, fmt.Errorf("no column %q", name)
	}
	v12, err := col(acc12, "cifar10valid_valid_acc_12ep")
	if err != nil {
		return err
	}
	tr, err := col(times, "train_time_s")
	if err != nil {
		return err
	}
	va, err := col(times, "valid_time_s")
	if err != nil {
		return err
	}
	v200, err := col(times, "valid_acc")
	if err != nil {
		return err
	}
	if len(acc12) != nb201.NumArchs+1 || len(times) != nb201.NumArchs+1 {
		return fmt.Errorf("want %d rows in each table", nb201.NumArchs)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w := csv.NewWriter(zw)
	w.Write([]string{"index", "valid12", "seconds12", "valid200", "seconds200"})
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	for i := 1; i <= nb201.NumArchs; i++ {
		a, t := acc12[i], times[i]
		if a[0] != t[0] || a[1] != t[1] || a[0] != strconv.Itoa(i-1) {
			return fmt.Errorf("row %d: index/arch %s %s vs %s %s", i, a[0], a[1], t[0], t[1])
		}
		train, valid := num(t[tr]), num(t[va])
		f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
		w.Write([]string{a[0], f(num(a[v12])), f(train*12/200 + valid/200), f(num(t[v200])), f(train + valid/200)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dstPath, buf.Bytes(), 0o644)
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(bufio.NewReader(f)).ReadAll()
}

// cifarBinary converts a PNG of one image per row (pixel 32r+c of row k is pixel (r, c) of
// image k) and its labels, one per line, to the official binary format. With coarse set,
// records are CIFAR-100's: coarse label, fine label, pixels.
func cifarBinary(pngPath, labelPath string, coarse []byte) ([]byte, error) {
	labels, err := readLabels(labelPath)
	if err != nil {
		return nil, err
	}
	return cifarRecords(pngPath, labels, coarse)
}

// cifarRecords is cifarBinary with the labels given.
func cifarRecords(pngPath string, labels []int, coarse []byte) ([]byte, error) {
	f, err := os.Open(pngPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", pngPath, err)
	}
	b := img.Bounds()
	if b.Dx() != cifar.Side*cifar.Side || b.Dy() != len(labels) {
		return nil, fmt.Errorf("%s is %dx%d, want %dx%d", pngPath, b.Dx(), b.Dy(), cifar.Side*cifar.Side, len(labels))
	}
	var out []byte
	for k, l := range labels {
		if coarse != nil {
			out = append(out, coarse[l])
		}
		out = append(out, byte(l))
		out = append(out, planes(img, b.Min.Y+k)...)
	}
	return out, nil
}

// planes returns the R, G and B planes of the image stored in one PNG row.
func planes(img image.Image, y int) []byte {
	const n = cifar.Side * cifar.Side
	p := make([]byte, 3*n)
	for x := 0; x < n; x++ {
		r, g, b, _ := img.At(img.Bounds().Min.X+x, y).RGBA()
		p[x], p[n+x], p[2*n+x] = byte(r>>8), byte(g>>8), byte(b>>8)
	}
	return p
}

func readLabels(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var labels []int
	for i, line := range strings.Fields(string(data)) {
		l, err := strconv.Atoi(line)
		if err != nil || l < 0 || l > 99 {
			return nil, fmt.Errorf("%s:%d: bad label %q", path, i+1, line)
		}
		labels = append(labels, l)
	}
	return labels, nil
}

// table writes the ground truth as gzipped CSV: index, arch and the three test accuracies,
// rounded to 4 decimals (the source's values are means of 0.01-step accuracies over seeds, so
// no two distinct values collide).
func table(srcPath, dstPath string) error {
	in, err := os.Open(srcPath)
	if err != nil {
		return err
	}
	defer in.Close()
	r := csv.NewReader(bufio.NewReader(in))
	if _, err := r.Read(); err != nil { // header
		return err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w := csv.NewWriter(zw)
	w.Write([]string{"index", "arch", "cifar10", "cifar100", "imagenet16"})
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if _, err := nb201.ParseArch(rec[1]); err != nil {
			return err
		}
		row := []string{rec[0], rec[1]}
		for _, v := range rec[2:5] {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return err
			}
			row = append(row, strconv.FormatFloat(x, 'f', 4, 64))
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// The result must read back as a complete table.
	if _, err := nb201.ReadTableGzip(buf.Bytes()); err != nil {
		return err
	}
	return os.WriteFile(dstPath, buf.Bytes(), 0o644)
}
