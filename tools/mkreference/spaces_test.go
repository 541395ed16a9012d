package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gradsign/engine/refset"
)

// TestSpaceReferencesAreCurrent: the shipped assets/reference_spaces.json is what the results
// files give now (run `go run ./tools/mkreference -spaces` after a results file changes).
func TestSpaceReferencesAreCurrent(t *testing.T) {
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	want, err := spaceReferences()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("assets/reference_spaces.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := refset.ReadSpaces(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("assets/reference_spaces.json differs from the results files: run go run ./tools/mkreference -spaces -out assets/reference_spaces.json")
	}
	for name, r := range got {
		if len(r.Points) < 100 || r.N != 32 {
			t.Errorf("%s: %d points at N=%d", name, len(r.Points), r.N)
		}
	}
}
