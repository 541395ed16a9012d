package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gradsign/internal/scorefile"
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

// TestBuild: N and the seed come from the run's settings, a row being written is left out, and
// a run of other proxies or images, or a file that scores an architecture twice, is refused.
func TestBuild(t *testing.T) {
	const arch0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
	dir := t.TempDir()
	write := func(name, text string, s scorefile.Settings) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := scorefile.WriteSettings(path, s); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := scorefile.Settings{Format: scorefile.SettingsFormat, Engine: "test", Dataset: "cifar10", Data: "bundled cifar10", N: 64, Seed: 3, Architectures: "all", Proxies: []string{"gradsign"}}
	s, err := build(write("ok.csv", "index,arch,gradsign\n0,"+arch0+",1257504\n1,|nor", run))
	if err != nil || s.N != 64 || s.Seed != 3 || s.Scored() != 1 || s.Values[0] != 1257504 {
		t.Fatalf("build: %+v, %v", s, err)
	}
	twice := "index,arch,gradsign\n0," + arch0 + ",1\n0," + arch0 + ",1\n"
	other := run
	other.Dataset = "cifar100"
	for name, c := range map[string]struct {
		path, says string
	}{
		"twice":    {write("twice.csv", twice, run), "index 0 scored twice"},
		"cifar100": {write("other.csv", "index,arch,gradsign\n", other), "want GradSign alone on CIFAR-10"},
	} {
		if _, err := build(c.path); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.says)
		}
	}
}
