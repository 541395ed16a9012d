// Package capped reads files no further than a size they can justify, so that a wrong file
// (/dev/zero, a huge download) ends in a one-line error instead of the runtime's out-of-memory
// crash.
package capped

import (
	"fmt"
	"io"
	"os"
	"strconv"
)

// ReadFile reads a file of at most limit bytes; a longer one (or an endless device) is an
// error saying what the file should be.
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", strconv.Quote(path), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %s: too large for %s", strconv.Quote(path), Bytes(limit), what)
	}
	return data, nil
}

// Bytes writes a byte count for a message: "1.5 GiB", "512 MiB", "100 bytes".
func Bytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", b)
}
