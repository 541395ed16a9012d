package capped

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("12345"), 0o644)
	if data, err := ReadFile(path, 5, "a test"); err != nil || string(data) != "12345" {
		t.Fatalf("at the cap: %q, %v", data, err)
	}
	if _, err := ReadFile(path, 4, "a test"); err == nil || !strings.Contains(err.Error(), "too large for a test") {
		t.Fatalf("over the cap: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFile("/dev/zero", 1<<20, "a test"); err == nil || !strings.Contains(err.Error(), "more than 1 MiB") {
			t.Fatalf("/dev/zero: %v", err)
		}
	}
}
