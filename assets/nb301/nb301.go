// Package nb301 embeds the NAS-Bench-301 genotypes the tool ships: 1,218 DARTS genotypes with
// NAS-Bench-301's surrogate accuracy, their parameter counts and NASLib's published proxies
// (assets/PROVENANCE.md). It is a package of its own so that only the programs that use it
// carry it.
package nb301

import (
	_ "embed"
	"sync"

	"gradsign/engine/darts"
)

// Gz is the gzipped CSV of darts.ReadTable.
//
//go:embed nb301_1218.csv.gz
var Gz []byte

// Table returns the shipped genotypes, read once.
var Table = sync.OnceValue(func() *darts.Table {
	t, err := darts.ReadTableGzip(Gz)
	if err != nil {
		panic("assets/nb301: bundled NAS-Bench-301 table is corrupt: " + err.Error())
	}
	return t
})
