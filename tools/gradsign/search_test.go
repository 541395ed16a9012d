package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gradsign/assets"
	"gradsign/engine/gradsign"
	"gradsign/engine/nb201"
	"gradsign/internal/scorefile"
)

// TestSearchJSON: the JSON contract, determinism by seed, and the trajectory file.
func TestSearchJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs.jsonl")
	args := []string{"search", "--algo", "rea", "--runs", "3", "--seed", "4", "--budget", "5000", "--json"}
	text, errOut, code := runCLI(append(args, "--out", out)...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var r searchOutput
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		t.Fatal(err)
	}
	if r.Algo != "rea" || r.Runs != 3 || len(r.Results) != 3 || r.Budget != 5000 || r.Mean["cifar10"] <= 0 || r.Std["cifar100"] < 0 {
		t.Fatalf("output %+v", r)
	}
	for _, one := range r.Results {
		if one.Seconds > 5000 || one.Evaluated == 0 || one.Accuracy["imagenet16"] <= 0 || !strings.HasPrefix(one.Arch, "|") {
			t.Fatalf("result %+v", one)
		}
	}
	again, _, _ := runCLI(args...)
	if again != text {
		t.Fatal("the same seed gave another output")
	}
	lines := strings.Split(strings.TrimSpace(string(mustRead(t, out))), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d trajectories, want 3", len(lines))
	}
}

// TestSearchAssisted: GradSign-assisted runs read the whole-space file, and refuse one of
// other settings.
func TestSearchAssisted(t *testing.T) {
	dir := t.TempDir()
	scores := filepath.Join(dir, "all.csv")
	// A whole-space file of every architecture with a made-up score (its index): enough for the
	// search to look up, never scoring on the fly.
	var b strings.Builder
	b.WriteString("index,arch,gradsign\n")
	table := mustTable(t)
	for i := 0; i < 15625; i++ {
		e, _ := table.At(i)
		b.WriteString(strings.Join([]string{itoa(i), e.Arch.String(), itoa(i)}, ",") + "\n")
	}
	os.WriteFile(scores, []byte(b.String()), 0o644)
	s := scorefile.Settings{Format: scorefile.SettingsFormat, Engine: gradsign.EngineVersion, Dataset: "cifar10", Data: "bundled cifar10", N: 128, Seed: 0, Architectures: "all", Proxies: []string{"gradsign"}}
	scorefile.WriteSettings(scores, s)
	text, errOut, code := runCLI("search", "--algo", "rs", "--gradsign", "--runs", "2", "--scores", scores, "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var r searchOutput
	json.Unmarshal([]byte(text), &r)
	if !r.GradSign || r.Candidates != 10 || r.Results[0].Scored == 0 {
		t.Fatalf("assisted output %+v", r)
	}
	s.Seed = 3
	scorefile.WriteSettings(scores, s)
	if _, e, c := runCLI("search", "--gradsign", "--runs", "1", "--scores", scores); c == 0 || !strings.Contains(e, "seed 3") {
		t.Fatalf("a file of another seed: exit %d, %q", c, e)
	}
}

// TestSearchBundledScores: without --scores the assisted search looks GradSign up in the
// scores bundled in the binary, which are the whole-space file's (tools/mkspace keeps them
// equal), so it works from any directory and gives the same runs as --scores with the file.
func TestSearchBundledScores(t *testing.T) {
	args := []string{"search", "--algo", "rea", "--gradsign", "--runs", "2", "--budget", "900", "--seed", "5", "--json"}
	bundled, e, c := runCLI(args...)
	if c != 0 {
		t.Fatal(e)
	}
	file, e, c := runCLI(append(args, "--scores", "../../results/gradsign_nb201_all_cifar10_n128_seed0.csv")...)
	if c != 0 {
		t.Fatal(e)
	}
	if bundled != file {
		t.Fatalf("bundled scores:\n%s\nthe whole-space file:\n%s", bundled, file)
	}
}

func TestSearchErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"search", "--algo", "simulated-annealing"}, "want rs, rea, reinforce or bohb"},
		{[]string{"search", "--runs", "0"}, "--runs 0"},
		{[]string{"search", "--budget", "-1"}, "--budget -1"},
		{[]string{"search", "--budget", "1", "--runs", "1"}, "trains no architecture"},
		{[]string{"search", "--candidates", "0"}, "--candidates 0"},
		{[]string{"search", "--gradsign", "--scores", "/nonexistent.csv"}, "--scores"},
	} {
		_, errOut, code := runCLI(c.args...)
		if code == 0 || !strings.Contains(errOut, c.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line saying %q", c.args, code, errOut, c.says)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func mustTable(t *testing.T) *nb201.Table {
	t.Helper()
	return assets.Table()
}
