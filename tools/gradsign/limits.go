package main

import (
	"bufio"
	"fmt"
	"gradsign/internal/capped"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gradsign/engine/nb201"
)

// Inputs are read no further than their expected size, and a request's memory is estimated
// before anything is allocated, so that a wrong file (/dev/zero), a huge flag or a proxy that
// needs more than the machine has ends in a one-line error instead of the runtime's
// out-of-memory crash.

// cut shortens user input for a message.
func cut(s string) string { return nb201.Quote(s) }

// printable escapes the control characters of a message or a path (as Go's %q does: \x1b,
// \n), leaving the rest as it is, so that a file name cannot drive the terminal.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || (!unicode.IsPrint(r) && r != ' ') {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readCapped reads a file of at most limit bytes (capped.ReadFile).
var readCapped = capped.ReadFile

// maxCIFARBytes is the largest CIFAR file --data accepts: every image of CIFAR-10 or CIFAR-100
// (60,000 records of at most 3,074 bytes).
const maxCIFARBytes = 60_000 * 3074

// maxIndicesBytes bounds an --indices file: every index once, with room for spaces.
const maxIndicesBytes = 1 << 20

// weightsLimit bounds a --weights file for a network of params parameters: the header (at most
// 100 MB, the safetensors limit) and every tensor in float64, with room for others.
func weightsLimit(params int) int64 { return 100<<20 + 16*int64(params) + 1<<20 }

// memoryBudget is --max-memory: a size with an optional unit (B, KB, MB, GB, KiB, MiB, GiB),
// or "auto" for what the machine (or its cgroup) has; 0 means no limit.
type memoryBudget int64

func (m *memoryBudget) String() string { return capped.Bytes(int64(*m)) }

func (m *memoryBudget) Set(s string) error {
	if s == "auto" {
		*m = memoryBudget(machineMemory())
		return nil
	}
	v, err := parseBytes(s)
	if err != nil {
		return err
	}
	*m = memoryBudget(v)
	return nil
}

// parseBytes reads "512MiB", "8GiB", "8G", "1e9" or a plain byte count.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		scale  float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1}}
	scale := 1.0
	for _, u := range units {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			t, scale = strings.TrimSpace(num), u.scale
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v*scale >= 1<<62 {
		return 0, fmt.Errorf("%s is not a memory size: want e.g. 8GiB, 512MiB or a byte count", cut(s))
	}
	// 0 means no limit; anything else below a mebibyte cannot hold a network (and would read
	// as 0 once rounded).
	if b := v * scale; b != 0 && b < 1<<20 {
		return 0, fmt.Errorf("%s is under 1 MiB, which holds no network: give at least 1MiB, or 0 for no limit", cut(s))
	}
	return int64(v * scale), nil
}

// machineMemory is what this process may use: the machine's memory, or its cgroup's limit
// where lower (a container); 0 where neither can be read (no limit then).
func machineMemory() int64 {
	var total int64
	if runtime.GOOS == "linux" {
		if f, err := os.Open("/proc/meminfo"); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if kb, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
					v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
					total = v << 10
				}
			}
			f.Close()
		}
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && v > 0 && (total == 0 || v < total) {
			total = v
		}
	}
	return total
}

// errMemory says a request needs more memory than allowed, and which flags change that.
func errMemory(need, budget int64, what, fix string) error {
	return fmt.Errorf("%s needs about %s, more than the %s allowed (--max-memory, default what this machine has): %s",
		what, capped.Bytes(need), capped.Bytes(budget), fix)
}

// checkedWriter remembers the first error of its writes: text output to a full disk or a closed
// pipe must not end in exit status 0.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = fmt.Errorf("writing the output: %w", err)
	}
	return n, err
}
