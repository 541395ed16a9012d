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
	return ReadFileHead(path, limit, what, nil)
}

// headBytes is how much of a file ReadFileHead shows its check before reading the rest.
const headBytes = 4 << 10

// ReadFileHead is ReadFile that first shows the file's first bytes (up to 4 KiB) to check, if
// not nil, and returns its error at once: a wrong file is refused before a gigabyte of it is
// read.
func ReadFileHead(path string, limit int64, what string, check func(head []byte) error) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// head shows check the first bytes, once.
	head := func(data []byte) error {
		if check == nil {
			return nil
		}
		err := check(data[:min(len(data), headBytes)])
		check = nil
		if err != nil {
			return fmt.Errorf("%s: %v", strconv.Quote(path), err)
		}
		return nil
	}
	tooLarge := fmt.Errorf("%s: more than %s: too large for %s", strconv.Quote(path), Bytes(limit), what)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, tooLarge
	}
	// Read into a buffer that grows by doubling but never past limit bytes, then look for one
	// byte more: io.ReadAll's growth would reserve twice the cap for an endless device
	// (/dev/zero).
	data := make([]byte, 0, min(limit, 64<<10))
	for {
		if len(data) == cap(data) {
			if int64(len(data)) == limit {
				if n, _ := io.ReadFull(f, make([]byte, 1)); n > 0 {
					return nil, tooLarge
				}
				break
			}
			grown := make([]byte, len(data), min(limit, 2*int64(cap(data))))
			copy(grown, data)
			data = grown
		}
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if len(data) >= headBytes {
			if err := head(data); err != nil {
				return nil, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", strconv.Quote(path), err)
		}
	}
	if err := head(data); err != nil {
		return nil, err
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
