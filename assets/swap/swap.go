// Package swap embeds SWAP's (Peng et al., ICLR 2024) 1,000 DARTS-space genotypes with the
// CIFAR-10 validation accuracy each reached in training (assets/PROVENANCE.md). A package of its
// own so that only the programs that use it carry it.
package swap

import (
	_ "embed"
	"sync"

	"gradsign/engine/darts"
)

// Gz is the gzipped CSV genotype,val_accuracy of darts.ReadTrainedGzip.
//
//go:embed swap_1000.csv.gz
var Gz []byte

// Table returns the shipped genotypes, read once.
var Table = sync.OnceValue(func() *darts.Table {
	t, err := darts.ReadTrainedGzip(Gz)
	if err != nil {
		panic("assets/swap: bundled SWAP table is corrupt: " + err.Error())
	}
	return t
})
