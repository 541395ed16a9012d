package search

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"gradsign/engine/nb201"
)

// Table is NAS-Bench-201 as the search sees it (a Bench): on cifar10-valid, each
// architecture's 12-epoch validation accuracy and the time charged for it, the same at 200
// epochs, and the benchmark's index order.
type Table struct {
	archs                *nb201.Table
	valid12, seconds12   []float64
	valid200, seconds200 []float64
}

// ReadTableGzip reads the table as the project ships it, gzipped
// (assets/nb201_training.csv.gz).
func ReadTableGzip(gz []byte, archs *nb201.Table) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("training table: %v", err)
	}
	return ReadTable(zr, archs)
}

// ReadTable reads the CSV index,valid12,seconds12,valid200,seconds200 (assets'
// nb201_training.csv.gz, made by tools/mkassets), one row per architecture of archs in order.
func ReadTable(r io.Reader, archs *nb201.Table) (*Table, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("training table: %v", err)
	}
	if len(rows) != archs.Len()+1 {
		return nil, fmt.Errorf("training table: %d rows, want %d", len(rows)-1, archs.Len())
	}
	t := &Table{archs: archs}
	cols := []*[]float64{&t.valid12, &t.seconds12, &t.valid200, &t.seconds200}
	for _, c := range cols {
		*c = make([]float64, archs.Len())
	}
	for i, row := range rows[1:] {
		if len(row) != 5 || row[0] != strconv.Itoa(i) {
			return nil, fmt.Errorf("training table: row %d is %v, want index %d and 4 numbers", i+1, row, i)
		}
		for k, c := range cols {
			if (*c)[i], err = strconv.ParseFloat(row[k+1], 64); err != nil {
				return nil, fmt.Errorf("training table: row %d: %v", i+1, err)
			}
		}
	}
	return t, nil
}

func (t *Table) Fitness(i int) float64     { return t.valid12[i] }
func (t *Table) Seconds(i int) float64     { return t.seconds12[i] }
func (t *Table) FullFitness(i int) float64 { return t.valid200[i] }
func (t *Table) FullSeconds(i int) float64 { return t.seconds200[i] }
func (t *Table) Index(a nb201.Arch) int    { return t.archs.Lookup(a).Index }

func (t *Table) Arch(i int) nb201.Arch {
	e, err := t.archs.At(i)
	if err != nil {
		panic("search: " + err.Error())
	}
	return e.Arch
}
