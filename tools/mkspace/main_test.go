package main

import (
	"bytes"
	"os"
	"testing"
)

// TestAssetIsCurrent checks that the shipped asset holds exactly the whole-space file's scores:
// after scoring more of the space, run go run ./tools/mkspace.
func TestAssetIsCurrent(t *testing.T) {
	s, err := build("../../" + DefaultCSV)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.MarshalBinary()
	got, err := os.ReadFile("../../assets/nb201_space.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("assets/nb201_space.bin is not the scores of %s (%d scored there): run go run ./tools/mkspace", DefaultCSV, s.Scored())
	}
}
