package nb101

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Entry is what NAS-Bench-101 records of one cell.
type Entry struct {
	Hash string
	Cell Cell
	// Params is NAS-Bench-101's trainable parameter count of the full network (stem 128, 3
	// stacks of 3 cells, 10 classes).
	Params int
	// Valid4, Valid12, Valid36, Valid108 are the final validation accuracy (percent) after
	// training 4, 12, 36 and 108 epochs (one of NAS-Bench-101's three repeats).
	Valid4, Valid12, Valid36, Valid108 float64
}

// Table is the cells the project ships with their graphs (assets/nb101_1000.csv.gz).
type Table struct {
	entries []Entry
	byHash  map[string]int
}

// ReadTableGzip reads the table as the project ships it, gzipped.
func ReadTableGzip(gz []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return ReadTable(zr)
}

// ReadTable reads the CSV row,hash,adjacency_7x7,ops,vertices,edges,params,val_acc_4ep,
// val_acc_12ep,val_acc_36ep,val_acc_108ep,training_time_s (accuracies as fractions), checking
// that every row's cell hashes to its hash.
func ReadTable(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("NAS-Bench-101 table: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, h := range []string{"hash", "adjacency_7x7", "ops", "params", "val_acc_4ep", "val_acc_12ep", "val_acc_36ep", "val_acc_108ep"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("NAS-Bench-101 table: no column %q", h)
		}
	}
	t := &Table{byHash: map[string]int{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("NAS-Bench-101 table: %v", err)
		}
		e := Entry{Hash: rec[col["hash"]]}
		if e.Cell, err = ParseCell(rec[col["adjacency_7x7"]], strings.Split(rec[col["ops"]], "|")); err != nil {
			return nil, fmt.Errorf("NAS-Bench-101 table, line %d: %v", line, err)
		}
		if h := e.Cell.Hash(); h != e.Hash {
			return nil, fmt.Errorf("NAS-Bench-101 table, line %d: the cell hashes to %s, the row says %s", line, h, e.Hash)
		}
		if e.Params, err = strconv.Atoi(rec[col["params"]]); err != nil {
			return nil, fmt.Errorf("NAS-Bench-101 table, line %d: params: %v", line, err)
		}
		for name, p := range map[string]*float64{"val_acc_4ep": &e.Valid4, "val_acc_12ep": &e.Valid12, "val_acc_36ep": &e.Valid36, "val_acc_108ep": &e.Valid108} {
			v, err := strconv.ParseFloat(rec[col[name]], 64)
			if err != nil {
				return nil, fmt.Errorf("NAS-Bench-101 table, line %d: %s: %v", line, name, err)
			}
			*p = 100 * v
		}
		if _, dup := t.byHash[e.Hash]; dup {
			return nil, fmt.Errorf("NAS-Bench-101 table, line %d: hash %s twice", line, e.Hash)
		}
		t.byHash[e.Hash] = len(t.entries)
		t.entries = append(t.entries, e)
	}
}

// Len is the number of cells.
func (t *Table) Len() int { return len(t.entries) }

// At returns row i (0..Len-1).
func (t *Table) At(i int) (Entry, error) {
	if i < 0 || i >= len(t.entries) {
		return Entry{}, fmt.Errorf("NAS-Bench-101 row %d out of range: the shipped table has rows 0..%d", i, len(t.entries)-1)
	}
	return t.entries[i], nil
}

// Lookup returns the entry of a cell hash, or false when the shipped table lacks it.
func (t *Table) Lookup(hash string) (Entry, bool) {
	i, ok := t.byHash[hash]
	if !ok {
		return Entry{}, false
	}
	return t.entries[i], true
}
