package nb201

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Datasets are the three datasets of NAS-Bench-201, in the order of Accuracy.
var Datasets = [3]string{"cifar10", "cifar100", "imagenet16"}

// Entry is one architecture of the benchmark.
type Entry struct {
	Index int
	Arch  Arch
	// Accuracy is the test accuracy in percent after 200 epochs, averaged over seeds
	// (NATS-Bench tss, hp=200) on CIFAR-10, CIFAR-100 and ImageNet16-120.
	Accuracy [3]float64
}

// AccuracyByName is Accuracy keyed by the names of Datasets, as JSON results give it.
func (e Entry) AccuracyByName() map[string]float64 {
	m := make(map[string]float64, len(Datasets))
	for d, name := range Datasets {
		m[name] = e.Accuracy[d]
	}
	return m
}

// Table is the ground truth of every NAS-Bench-201 architecture. The benchmark's index order
// is a seeded shuffle of the space, so index and arch always come from the table.
type Table struct {
	entries []Entry // by index
	byCode  []int32 // arch code -> index
}

// ReadTableGzip reads the table as the project ships it, gzipped (assets/nb201.csv.gz).
func ReadTableGzip(gz []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("NAS-Bench-201 table: %v", err)
	}
	return ReadTable(zr)
}

// ReadTable reads the table from CSV with the header index,arch,cifar10,cifar100,imagenet16:
// all 15,625 architectures, each once, indices 0..15624.
func ReadTable(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 5
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("nb201 table: %v", err)
	}
	want := []string{"index", "arch", "cifar10", "cifar100", "imagenet16"}
	for i := range want {
		if head[i] != want[i] {
			return nil, fmt.Errorf("nb201 table: header %v, want %v", head, want)
		}
	}
	t := &Table{entries: make([]Entry, NumArchs), byCode: make([]int32, NumArchs)}
	for i := range t.byCode {
		t.byCode[i] = -1
	}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if n != NumArchs {
				return nil, fmt.Errorf("nb201 table: %d rows, want %d", n, NumArchs)
			}
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("nb201 table: %v", err)
		}
		var e Entry
		if e.Index, err = strconv.Atoi(rec[0]); err != nil || e.Index != n {
			return nil, fmt.Errorf("nb201 table: row %d has index %q, want %d", n+1, rec[0], n)
		}
		if e.Arch, err = ParseArch(rec[1]); err != nil {
			return nil, fmt.Errorf("nb201 table: row %d: %v", n+1, err)
		}
		for d := range e.Accuracy {
			if e.Accuracy[d], err = strconv.ParseFloat(rec[2+d], 64); err != nil {
				return nil, fmt.Errorf("nb201 table: row %d: %s accuracy: %v", n+1, Datasets[d], err)
			}
		}
		if t.byCode[e.Arch.Code()] >= 0 {
			return nil, fmt.Errorf("nb201 table: row %d repeats arch %s", n+1, e.Arch)
		}
		t.byCode[e.Arch.Code()] = int32(n)
		t.entries[n] = e
	}
}

// Len is the number of architectures, 15,625.
func (t *Table) Len() int { return len(t.entries) }

// At returns the entry of a benchmark index, or an error naming the valid range.
func (t *Table) At(index int) (Entry, error) {
	if index < 0 || index >= len(t.entries) {
		return Entry{}, fmt.Errorf("NAS-Bench-201 index %d out of range: want 0..%d", index, len(t.entries)-1)
	}
	return t.entries[index], nil
}

// Lookup returns the entry of an architecture.
func (t *Table) Lookup(a Arch) Entry { return t.entries[t.byCode[a.Code()]] }
