package capped

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
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
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := ReadFile("/dev/zero", 1<<20, "a test"); err == nil || !strings.Contains(err.Error(), "more than 1 MiB") {
			t.Fatalf("/dev/zero: %v", err)
		}
		runtime.ReadMemStats(&after)
		// Buffers of 64 KiB, 128 KiB, ... up to the cap, each once: under twice the cap.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20+1<<16 {
			t.Errorf("/dev/zero with a 1 MiB cap: %d KiB allocated", alloc>>10)
		}
	}
	// A check of the first bytes refuses a wrong file before the rest is read.
	if _, err := os.Stat("/dev/zero"); err == nil {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadFileHead("/dev/zero", 1<<30, "a test", func(head []byte) error {
			if len(head) != headBytes || head[0] != 0 {
				t.Errorf("the check saw %d bytes", len(head))
			}
			return errors.New("zeros")
		})
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "zeros") || after.TotalAlloc-before.TotalAlloc > 1<<20 {
			t.Errorf("/dev/zero with a check: %v, %d KiB allocated", err, (after.TotalAlloc-before.TotalAlloc)>>10)
		}
	}
	// A short file is checked whole; a file the check accepts is read whole.
	var saw []byte
	if data, err := ReadFileHead(path, 5, "a test", func(head []byte) error { saw = head; return nil }); err != nil || string(data) != "12345" || string(saw) != "12345" {
		t.Errorf("a short file: %q, %v, the check saw %q", data, err, saw)
	}
}
