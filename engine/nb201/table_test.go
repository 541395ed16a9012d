package nb201_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"gradsign/assets"
	"gradsign/engine/nb201"
)

func bundled(t *testing.T) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(assets.NB201Gz))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestTable(t *testing.T) {
	table, err := nb201.ReadTableGzip(assets.NB201Gz)
	if err != nil {
		t.Fatal(err)
	}
	e, err := table.At(6111) // the best CIFAR-10 architecture of NATS-Bench
	if err != nil || e.Accuracy[0] != 94.3733 {
		t.Fatalf("index 6111: %+v, %v", e, err)
	}
	if got := table.Lookup(e.Arch); got.Index != 6111 {
		t.Fatalf("lookup of index 6111's arch gives %d", got.Index)
	}
	if _, err := table.At(15625); err == nil || !strings.Contains(err.Error(), "0..15624") {
		t.Fatalf("index 15625: %v", err)
	}
}

func TestTableErrors(t *testing.T) {
	full := bundled(t)
	lines := strings.SplitAfter(full, "\n")
	for _, c := range []struct{ name, data, says string }{
		{"empty", "", "EOF"},
		{"header", strings.Replace(full, "index,arch", "idx,arch", 1), "header"},
		{"short", strings.Join(lines[:100], ""), "99 rows"},
		{"index", strings.Replace(full, "\n1,", "\n7,", 1), `index "7", want 1`},
		{"arch", strings.Replace(full, "avg_pool_3x3~0|+", "avg_pool~0|+", 1), "unknown operation"},
		{"accuracy", strings.Replace(full, ",85.8633,", ",85.8x,", 1), "cifar10 accuracy"},
		{"repeat", lines[0] + lines[1] + lines[1], "index"},
	} {
		if _, err := nb201.ReadTable(strings.NewReader(c.data)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.says)
		}
	}
	if _, err := nb201.ReadTableGzip([]byte("index,arch\n")); err == nil || !strings.Contains(err.Error(), "NAS-Bench-201 table: gzip") {
		t.Errorf("a table not gzipped: error %v", err)
	}
}
