package csvtable

import (
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	r, err := Open(strings.NewReader("a,b\n1,x\n2,3.5\n"), "t", "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if more, err := r.Next(); !more || err != nil {
		t.Fatalf("first row: %v, %v", more, err)
	}
	if v, err := r.Int("a"); v != 1 || err != nil {
		t.Fatalf("a = %v, %v", v, err)
	}
	if _, err := r.Float("b"); err == nil || !strings.Contains(err.Error(), "t, line 2: b:") {
		t.Fatalf("b = x: error %v, want one naming the table, line 2 and the column", err)
	}
	r.Next()
	if v, err := r.Float("b"); v != 3.5 || err != nil {
		t.Fatalf("b = %v, %v", v, err)
	}
	if more, err := r.Next(); more || err != nil {
		t.Fatalf("after the last row: %v, %v", more, err)
	}
	if _, err := Open(strings.NewReader("a\n"), "t", "a", "c"); err == nil || !strings.Contains(err.Error(), `no column "c"`) {
		t.Fatalf("missing column: %v", err)
	}
	if _, err := Gunzip([]byte("not gzip"), "t"); err == nil {
		t.Fatal("Gunzip took bytes that are not gzip")
	}
}
