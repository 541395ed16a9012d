package nb101

import (
	"fmt"
	"io"
	"strings"

	"gradsign/engine/csvtable"
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

// Table is the cells the project ships with their graphs (assets/nb101).
type Table struct {
	entries []Entry
	byHash  map[string]int
}

const tableName = "NAS-Bench-101 table"

// ReadTableGzip reads the table as the project ships it, gzipped.
func ReadTableGzip(gz []byte) (*Table, error) {
	r, err := csvtable.Gunzip(gz, tableName)
	if err != nil {
		return nil, err
	}
	return ReadTable(r)
}

// ReadTable reads the CSV row,hash,adjacency_7x7,ops,vertices,edges,params,val_acc_4ep,
// val_acc_12ep,val_acc_36ep,val_acc_108ep,training_time_s (accuracies as fractions), checking
// that every row's cell hashes to its hash.
func ReadTable(r io.Reader) (*Table, error) {
	accs := []string{"val_acc_4ep", "val_acc_12ep", "val_acc_36ep", "val_acc_108ep"}
	cr, err := csvtable.Open(r, tableName, append([]string{"hash", "adjacency_7x7", "ops", "params"}, accs...)...)
	if err != nil {
		return nil, err
	}
	t := &Table{byHash: map[string]int{}}
	for {
		more, err := cr.Next()
		if err != nil || !more {
			return t, err
		}
		e := Entry{Hash: cr.String("hash")}
		if e.Cell, err = ParseCell(cr.String("adjacency_7x7"), strings.Split(cr.String("ops"), "|")); err != nil {
			return nil, cr.Errorf("%v", err)
		}
		if h := e.Cell.Hash(); h != e.Hash {
			return nil, cr.Errorf("the cell hashes to %s, the row says %s", h, e.Hash)
		}
		if e.Params, err = cr.Int("params"); err != nil {
			return nil, err
		}
		for i, p := range []*float64{&e.Valid4, &e.Valid12, &e.Valid36, &e.Valid108} {
			if *p, err = cr.Float(accs[i]); err != nil {
				return nil, err
			}
			*p *= 100
		}
		if _, dup := t.byHash[e.Hash]; dup {
			return nil, cr.Errorf("hash %s twice", e.Hash)
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

// Lookup returns the entry of a cell hash and its row, or false when the shipped table lacks
// it.
func (t *Table) Lookup(hash string) (Entry, int, bool) {
	i, ok := t.byHash[hash]
	if !ok {
		return Entry{}, 0, false
	}
	return t.entries[i], i, true
}
