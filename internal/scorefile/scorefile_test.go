package scorefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const arch0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"

// TestReadSoFar: a run still writing has cut its last row; ReadSoFar leaves that row out and
// the file as it is, where Read refuses the file and says how to repair it.
func TestReadSoFar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scores.csv")
	text := "index,arch,gradsign\n0," + arch0 + ",1257504\n1,|nor_conv_3x3~0|+|nor"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, names, err := ReadSoFar(path)
	if err != nil || len(rows) != 1 || rows[0].Index != 0 || rows[0].Values["gradsign"] != 1257504 || len(names) != 1 {
		t.Fatalf("ReadSoFar: %+v %v %v", rows, names, err)
	}
	if data, _ := os.ReadFile(path); string(data) != text {
		t.Fatalf("ReadSoFar changed the file to %q", data)
	}
	if _, _, err := Read(path); err == nil {
		t.Fatal("Read took a file with a cut last line")
	}
}

// FuzzParse: any score file contents are read or refused with an error, never a panic, in
// either format.
func FuzzParse(f *testing.F) {
	f.Add([]byte("index,arch,snip\n0,|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|,1.5\n"), false)
	f.Add([]byte(`{"index":0,"arch":"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|","snip":null}`+"\n"), true)
	f.Add([]byte("index,arch\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		path := "scores.csv"
		if jsonl {
			path = "scores.jsonl"
		}
		rows, names, err := Parse(path, data)
		if err == nil && len(rows) > 0 && len(names) == 0 && !jsonl {
			t.Fatalf("rows without proxies from %q", data)
		}
	})
}

// TestOpenRefusesUnwritablePaths: an --out that is a directory, or in a folder that does not
// exist, is refused with a message about --out, and no settings file is left behind.
func TestOpenRefusesUnwritablePaths(t *testing.T) {
	dir := t.TempDir()
	asDir := filepath.Join(dir, "d.csv")
	if err := os.Mkdir(asDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := Settings{Format: SettingsFormat, Proxies: []string{"gradsign"}}
	if _, _, err := Open(asDir, s, false); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory: %v", err)
	}
	if _, err := os.Stat(SettingsPath(asDir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s left behind (%v)", SettingsPath(asDir), err)
	}
	missing := filepath.Join(dir, "no", "such", "x.csv")
	if _, _, err := Open(missing, s, false); err == nil || !strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("a missing folder: %v", err)
	}
}

// TestStrictJSONL: a JSON Lines score file's rows are one object a line, each key once, proxy
// values numbers or null (a string, a boolean, a second object or trailing bytes were read as
// NaN, dropped or ignored).
func TestStrictJSONL(t *testing.T) {
	good := `{"index":0,"arch":"` + arch0 + `","gradsign":5,"snip":null}` + "\n"
	rows, names, err := Parse("x.jsonl", []byte(good))
	if err != nil || len(rows) != 1 || len(names) != 2 || rows[0].Values["gradsign"] != 5 {
		t.Fatalf("a good row: %v, %v, %v", rows, names, err)
	}
	for _, c := range []struct{ line, says string }{
		{`{"index":0,"arch":"` + arch0 + `","gradsign":"123"}`, "want a number"},
		{`{"index":0,"arch":"` + arch0 + `","gradsign":true}`, "want a number"},
		{`{"index":0,"arch":"` + arch0 + `","gradsign":1} {"index":1}`, "after the object"},
		{`{"index":0,"arch":"` + arch0 + `","gradsign":1} junk`, "after the object"},
		{`{"index":0,"arch":"` + arch0 + `","gradsign":1,"gradsign":2}`, "given twice"},
		{`[1,2]`, "one JSON object"},
		{`{"index":"0","arch":"` + arch0 + `","gradsign":1}`, "index"},
	} {
		if _, _, err := Parse("x.jsonl", []byte(c.line+"\n")); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", c.line, err, c.says)
		}
	}
}

// TestReadsAreCapped: an endless file is read no further than its cap.
func TestReadsAreCapped(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, err := readCapped("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Fatalf("/dev/zero: %v", err)
	}
}
