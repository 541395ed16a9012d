// Package nb101 embeds the NAS-Bench-101 cells the tool ships: 1,000 cells with their graphs,
// parameter counts and validation accuracies (assets/PROVENANCE.md). It is a package of its
// own so that only the programs that use it carry it.
package nb101

import (
	_ "embed"
	"sync"

	"gradsign/engine/nb101"
)

// Gz is the gzipped CSV of nb101.ReadTable.
//
//go:embed nb101_1000.csv.gz
var Gz []byte

// Table returns the shipped cells, read once.
var Table = sync.OnceValue(func() *nb101.Table {
	t, err := nb101.ReadTableGzip(Gz)
	if err != nil {
		panic("assets/nb101: bundled NAS-Bench-101 table is corrupt: " + err.Error())
	}
	return t
})
