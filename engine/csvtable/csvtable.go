// Package csvtable reads the benchmark tables the search spaces ship: gzipped CSV with a
// header of named columns, read row by row with errors that name the table and the line.
package csvtable

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// Reader reads one table.
type Reader struct {
	cr   *csv.Reader
	name string
	col  map[string]int
	rec  []string
	line int
}

// Gunzip opens a gzipped table.
func Gunzip(gz []byte, name string) (io.Reader, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return zr, nil
}

// Open reads the header of table name and checks that it has the columns.
func Open(r io.Reader, name string, columns ...string) (*Reader, error) {
	t := &Reader{cr: csv.NewReader(r), name: name, col: map[string]int{}, line: 1}
	header, err := t.cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for i, h := range header {
		t.col[h] = i
	}
	for _, c := range columns {
		if _, ok := t.col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %q", name, c)
		}
	}
	return t, nil
}

// Columns are the header's names, in order.
func (t *Reader) Columns() []string {
	names := make([]string, len(t.col))
	for name, i := range t.col {
		names[i] = name
	}
	return names
}

// Next reads the next row; false at the end of the table.
func (t *Reader) Next() (bool, error) {
	rec, err := t.cr.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %v", t.name, err)
	}
	t.rec = rec
	t.line++
	return true, nil
}

// String is the row's value in a column Open checked.
func (t *Reader) String(column string) string { return t.rec[t.col[column]] }

// Float is the row's number in a column.
func (t *Reader) Float(column string) (float64, error) {
	v, err := strconv.ParseFloat(t.String(column), 64)
	if err != nil {
		return 0, t.Errorf("%s: %v", column, err)
	}
	return v, nil
}

// Int is the row's integer in a column.
func (t *Reader) Int(column string) (int, error) {
	v, err := strconv.Atoi(t.String(column))
	if err != nil {
		return 0, t.Errorf("%s: %v", column, err)
	}
	return v, nil
}

// Errorf is an error about the current row, naming the table and the line.
func (t *Reader) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s, line %d: %s", t.name, t.line, fmt.Sprintf(format, args...))
}
