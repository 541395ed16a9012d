package darts

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// Entry is what the shipped NAS-Bench-301 table records of one genotype.
type Entry struct {
	Genotype Genotype
	// Accuracy is NAS-Bench-301's surrogate prediction of the CIFAR-10 validation accuracy
	// (percent), not a trained one.
	Accuracy float64
	// Params is the trainable parameter count of DARTS's NetworkCIFAR(32, 10, 8) for it.
	Params int
	// NASLib holds NASLib's published zero-cost proxies for it, by NASLib's names
	// (fisher, grad_norm, grasp, jacov, nwot, plain, snip, synflow, ...).
	NASLib map[string]float64
}

// Table is the shipped NAS-Bench-301 genotypes (assets/nb301).
type Table struct {
	entries []Entry
	byKey   map[string]int
}

// ReadTableGzip reads the table as the project ships it, gzipped.
func ReadTableGzip(gz []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return ReadTable(zr)
}

// naslibColumns are the table's columns of NASLib's proxies.
var naslibColumns = []string{"epe_nas", "fisher", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "plain", "snip", "synflow"}

// ReadTable reads the CSV genotype,naslib_compact,naslib_version,val_accuracy,
// params_darts_c32l8,flops,params,epe_nas,... (shared/data/PROVENANCE.md, file 16).
func ReadTable(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("NAS-Bench-301 table: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, h := range append([]string{"genotype", "val_accuracy", "params_darts_c32l8"}, naslibColumns...) {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("NAS-Bench-301 table: no column %q", h)
		}
	}
	t := &Table{byKey: map[string]int{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("NAS-Bench-301 table: %v", err)
		}
		var e Entry
		if e.Genotype, err = ParseGenotype(rec[col["genotype"]]); err != nil {
			return nil, fmt.Errorf("NAS-Bench-301 table, line %d: %v", line, err)
		}
		if e.Accuracy, err = strconv.ParseFloat(rec[col["val_accuracy"]], 64); err != nil {
			return nil, fmt.Errorf("NAS-Bench-301 table, line %d: val_accuracy: %v", line, err)
		}
		if e.Params, err = strconv.Atoi(rec[col["params_darts_c32l8"]]); err != nil {
			return nil, fmt.Errorf("NAS-Bench-301 table, line %d: params_darts_c32l8: %v", line, err)
		}
		e.NASLib = map[string]float64{}
		for _, name := range naslibColumns {
			if v, err := strconv.ParseFloat(rec[col[name]], 64); err == nil {
				e.NASLib[name] = v
			}
		}
		key := e.Genotype.String()
		if _, dup := t.byKey[key]; dup {
			return nil, fmt.Errorf("NAS-Bench-301 table, line %d: genotype twice", line)
		}
		t.byKey[key] = len(t.entries)
		t.entries = append(t.entries, e)
	}
}

// Len is the number of genotypes.
func (t *Table) Len() int { return len(t.entries) }

// At returns row i (0..Len-1).
func (t *Table) At(i int) (Entry, error) {
	if i < 0 || i >= len(t.entries) {
		return Entry{}, fmt.Errorf("NAS-Bench-301 row %d out of range: the shipped table has rows 0..%d", i, len(t.entries)-1)
	}
	return t.entries[i], nil
}

// Lookup returns the row of a genotype, or false when the shipped table lacks it.
func (t *Table) Lookup(g Genotype) (int, bool) {
	i, ok := t.byKey[g.String()]
	return i, ok
}
