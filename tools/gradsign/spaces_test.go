package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gradsign/internal/oracle"
)

// TestOtherSpacesReproduceReferences: the CLI, given an NB101, DARTS or NDS reference file's
// weights and its architecture in the space's own encoding, prints that file's GradSign within
// 0.1% (the exact one for DARTS and NDS), and the structural zeros the reference counts.
func TestOtherSpacesReproduceReferences(t *testing.T) {
	refs, err := oracle.Of("nb101", "darts", "nds")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		if ref.Params > 2_000_000 { // the full-size NB101 networks: the engine's tests run them
			continue
		}
		md := ref.File.Metadata
		args := []string{"score", "--space", ref.Space, "--weights", filepath.Join(oracle.Dir(), ref.Name),
			"--n", strconv.Itoa(ref.N), "--offset", strconv.Itoa(ref.Offset), "--json", "--layers"}
		if ref.Space == "nb101" {
			var ops []string
			json.Unmarshal([]byte(md["ops"]), &ops)
			args = append(args, "--matrix", md["adjacency"], "--ops", strings.Join(ops, ","), "--stem-channels", md["stem_channels"])
		} else {
			args = append(args, "--genotype", md["genotype"], "--channels", md["C"], "--depth", md["layers"])
		}
		out, errOut, code := runCLI(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ref.Name, code, errOut)
		}
		var got scoreOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v", ref.Name, err)
		}
		if d := math.Abs(*got.GradSign - ref.GradSign); d > 1e-3*math.Max(ref.GradSign, 1) {
			t.Errorf("%s: gradsign %v, the reference %v", ref.Name, *got.GradSign, ref.GradSign)
		}
		if got.Params != ref.Params || got.Space != ref.Space {
			t.Errorf("%s: params %d, space %s", ref.Name, got.Params, got.Space)
		}
		zeros := 0
		for _, l := range got.Layers {
			zeros += l.StructuralZeros
		}
		if got.StructuralZeros == nil || *got.StructuralZeros != zeros {
			t.Errorf("%s: structural_zeros %v, the layers sum to %d", ref.Name, got.StructuralZeros, zeros)
		}
		if want, _ := strconv.Atoi(md["structural_zero_entries"]); ref.N*zeros > want || want-ref.N*zeros > ref.ExactZeros {
			t.Errorf("%s: %d structural zeros × %d samples against the reference's %d zero entries", ref.Name, zeros, ref.N, want)
		}
	}
}

func TestSpaceErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"score", "--space", "nb999"}, "want nb201, nb101, darts, nds or onnx"},
		{[]string{"score", "--space", "nb101", "--matrix", "0110"}, "--matrix and --ops go together"},
		{[]string{"score", "--space", "nb101", "--matrix", "012000000", "--ops", "maxpool3x3"}, "want 0 or 1"},
		{[]string{"score", "--space", "nb101", "--arch", "00000000000000000000000000000000"}, "no cell of that hash"},
		{[]string{"score", "--space", "nb101", "--index", "1000"}, "rows 0..999"},
		{[]string{"score", "--space", "nb101", "--genotype", "darts_v2"}, "--genotype is a flag of --space darts"},
		{[]string{"score", "--matrix", "011001000"}, "--matrix is a flag of --space nb101"},
		{[]string{"score", "--space", "darts", "--genotype", "Genotype(normal=[('sep_conv_3x3', 0)])"}, "genotype"},
		{[]string{"score", "--space", "darts", "--genotype", "enas"}, "no genotype named"},
		{[]string{"score", "--space", "darts", "--genotype", "amoeba", "--index", "3"}, "not both"},
		{[]string{"score", "--space", "darts", "--index", "1218"}, "rows 0..1217"},
		{[]string{"score", "--space", "darts", "--cells", "3"}, "--cells is a flag of"},
		{[]string{"score", "--space", "darts", "--channels", "7"}, "even count"},
		{[]string{"score", "--space", "nds"}, "needs --genotype"},
		{[]string{"score", "--space", "nb101", "--stem-channels", "16", "--channels", "16"}, "the same for nb101"},
		{[]string{"score", "--space", "darts", "--stem-channels", "16"}, "--stem-channels is a flag of --space nb101"},
		{[]string{"eval", "--space", "nb101", "--dataset", "cifar100"}, "ranks against"},
		{[]string{"eval", "--space", "darts", "--sample", "5000"}, "want 1..1218"},
	} {
		_, errOut, code := runCLI(c.args...)
		if code != 2 || !strings.Contains(errOut, c.says) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line saying %q", c.args, code, errOut, c.says)
		}
	}
}
