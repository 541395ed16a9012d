package nb201

import (
	"strings"
	"testing"
)

func TestArchRoundTrip(t *testing.T) {
	for code := 0; code < NumArchs; code++ {
		a := ArchFromCode(code)
		b, err := ParseArch(a.String())
		if err != nil || b != a || b.Code() != code {
			t.Fatalf("code %d: %s parsed to %v, %v", code, a, b, err)
		}
	}
	const s = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
	a, err := ParseArch("  " + s + "\n")
	if err != nil {
		t.Fatal(err)
	}
	want := Arch{AvgPool3x3, Conv1x1, SkipConnect, Conv1x1, SkipConnect, SkipConnect}
	if a != want || a.String() != s {
		t.Fatalf("parsed %v (%s), want %v", a, a, want)
	}
}

func TestParseArchErrors(t *testing.T) {
	for _, c := range []struct{ in, says string }{
		{"", "empty arch string"},
		{"|none~0|+|none~0|none~1|", "want 3 nodes"},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|", "want 3 nodes"},
		{"none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'"},
		{"|none~0|+|none~0|+|none~0|none~1|none~2|", "has 1 edges, want 2"},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none2|", "lacks '~'"},
		{"|none~0|+|none~0|none~2|+|none~0|none~1|none~2|", `says input "2", want 1`},
		{"|conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", `unknown operation "conv_3x3"`},
		{"|none~0|+|none~0|none~1|+|none~0|none~1||", "lacks '~'"},
	} {
		_, err := ParseArch(c.in)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("ParseArch(%q) error %v, want one saying %q", c.in, err, c.says)
		}
	}
	// A long input is cut in the message, with its length said.
	long := "|none~0|+|none~0|none~1|+|" + strings.Repeat("x", 120_000) + "|"
	_, err := ParseArch(long)
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "(120027 bytes)") {
		t.Errorf("a 120 KB arch: error of %d bytes: %.300v", len(err.Error()), err)
	}
}

// FuzzParseArch checks that any input either fails cleanly or parses to an arch that prints
// back to the same string (less surrounding space).
func FuzzParseArch(f *testing.F) {
	f.Add("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|")
	f.Add("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	f.Add("|~0|+||+|")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArch(s)
		if err != nil {
			return
		}
		if a.String() != strings.TrimSpace(s) {
			t.Fatalf("%q parsed to %s", s, a)
		}
	})
}
