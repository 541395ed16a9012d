package darts

import (
	"fmt"
	"io"

	"gradsign/engine/csvtable"
)

// Entry is what a shipped table of DARTS genotypes records of one genotype.
type Entry struct {
	Genotype Genotype
	// Accuracy is the CIFAR-10 validation accuracy (percent): in the NAS-Bench-301 table its
	// surrogate's prediction, not a trained one; in SWAP's table the one reached in training.
	Accuracy float64
	// Params is the trainable parameter count of DARTS's NetworkCIFAR(32, 10, 8) for it.
	Params int
	// NASLib holds NASLib's published zero-cost proxies for it, by NASLib's names
	// (fisher, grad_norm, grasp, jacov, nwot, plain, snip, synflow, ...).
	NASLib map[string]float64
}

// Table is a shipped table of DARTS genotypes: NAS-Bench-301's (assets/nb301) or SWAP's
// (assets/swap).
type Table struct {
	name    string
	entries []Entry
	byKey   map[string]int
}

const tableName = "NAS-Bench-301 table"

// ReadTableGzip reads the table as the project ships it, gzipped.
func ReadTableGzip(gz []byte) (*Table, error) {
	r, err := csvtable.Gunzip(gz, tableName)
	if err != nil {
		return nil, err
	}
	return ReadTable(r)
}

// naslibColumns are the table's columns of NASLib's proxies (and its counts).
var naslibColumns = []string{"epe_nas", "fisher", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "plain", "snip", "synflow", "params", "flops"}

// ReadTable reads the CSV genotype,naslib_compact,naslib_version,val_accuracy,
// params_darts_c32l8,flops,params,epe_nas,... (assets/PROVENANCE.md, file 16). A proxy NASLib
// left empty for a genotype is missing from its NASLib map.
func ReadTable(r io.Reader) (*Table, error) {
	return readTable(r, tableName, append([]string{"params_darts_c32l8"}, naslibColumns...), func(cr *csvtable.Reader, e *Entry) (err error) {
		if e.Params, err = cr.Int("params_darts_c32l8"); err != nil {
			return err
		}
		e.NASLib = map[string]float64{}
		for _, name := range naslibColumns {
			if cr.String(name) == "" {
				continue
			}
			if e.NASLib[name], err = cr.Float(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadTrainedGzip reads SWAP's (Peng et al., ICLR 2024) DARTS genotypes with the CIFAR-10
// validation accuracy each reached in training, as the project ships them: the CSV
// genotype,val_accuracy gzipped (assets/PROVENANCE.md, file 18). Its entries have no Params
// or NASLib values.
func ReadTrainedGzip(gz []byte) (*Table, error) {
	const name = "SWAP's DARTS table"
	r, err := csvtable.Gunzip(gz, name)
	if err != nil {
		return nil, err
	}
	return readTable(r, name, nil, func(*csvtable.Reader, *Entry) error { return nil })
}

// readTable reads a CSV with the columns genotype and val_accuracy and the named others, which
// fill reads into each entry.
func readTable(r io.Reader, name string, others []string, fill func(*csvtable.Reader, *Entry) error) (*Table, error) {
	cr, err := csvtable.Open(r, name, append([]string{"genotype", "val_accuracy"}, others...)...)
	if err != nil {
		return nil, err
	}
	t := &Table{name: name, byKey: map[string]int{}}
	for {
		more, err := cr.Next()
		if err != nil || !more {
			return t, err
		}
		var e Entry
		if e.Genotype, err = ParseGenotype(cr.String("genotype")); err != nil {
			return nil, cr.Errorf("%v", err)
		}
		if e.Accuracy, err = cr.Float("val_accuracy"); err != nil {
			return nil, err
		}
		if err := fill(cr, &e); err != nil {
			return nil, err
		}
		key := e.Genotype.String()
		if _, dup := t.byKey[key]; dup {
			return nil, cr.Errorf("genotype twice")
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
		return Entry{}, fmt.Errorf("row %d out of range: the shipped %s has rows 0..%d", i, t.name, len(t.entries)-1)
	}
	return t.entries[i], nil
}

// Lookup returns the row of a genotype, or false when the shipped table lacks it.
func (t *Table) Lookup(g Genotype) (int, bool) {
	i, ok := t.byKey[g.String()]
	return i, ok
}
