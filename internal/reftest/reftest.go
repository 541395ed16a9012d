// Package reftest loads a PyTorch reference file (package oracle) into a network of the
// engine, for the tests of the packages above package network.
package reftest

import (
	"testing"

	"gradsign/engine/network"
	"gradsign/internal/oracle"
)

// Load builds the file's network in T with its weights, and returns it with the file's inputs
// and labels.
func Load[T float32 | float64](t testing.TB, ref *oracle.Reference) (*network.Network[T], []T, []int) {
	t.Helper()
	net, err := network.Build[T](ref.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Load(ref.File); err != nil {
		t.Fatal(err)
	}
	return net, oracle.Inputs[T](ref), ref.Labels()
}

// ForEach runs fn as a subtest, named after the file, for every reference file.
func ForEach(t *testing.T, fn func(t *testing.T, ref *oracle.Reference)) {
	t.Helper()
	refs, err := oracle.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		t.Run(ref.Name, func(t *testing.T) { fn(t, ref) })
	}
}
