package main

import (
	"os"
	"reflect"
	"testing"

	"gradsign/engine/refset"
)

// TestShippedProxies: the reference set's proxies in assets/reference.json are what the
// shipped score files give (make reference-proxies), and a file of another seed is refused.
func TestShippedProxies(t *testing.T) {
	data, err := os.ReadFile("../../assets/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := refset.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := refset.Read(data)
	for i := range again.Archs {
		again.Archs[i].Proxies = nil
	}
	files := []string{"../../results/reference_n16.csv", "../../results/reference_n32.csv"}
	if err := addProxies(again, files); err != nil {
		t.Fatal(err)
	}
	for i := range shipped.Archs {
		if !reflect.DeepEqual(shipped.Archs[i].Proxies, again.Archs[i].Proxies) {
			t.Fatalf("index %d: the asset's proxies are not the score files': run make reference-proxies", shipped.Archs[i].Index)
		}
	}
	again.Seed = 1
	if err := addProxies(again, files[:1]); err == nil {
		t.Fatal("a score file of seed 0 taken into a set of seed 1")
	}
}
