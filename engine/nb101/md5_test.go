package nb101

import (
	"crypto/md5"
	"strings"
	"testing"
)

// TestMD5 checks the hash's digest against crypto/md5 on every length around the block and
// padding boundaries, and on RFC 1321's test suite.
func TestMD5(t *testing.T) {
	for n := range 200 {
		msg := []byte(strings.Repeat("nasbench", 30)[:n])
		if got, want := md5Sum(msg), md5.Sum(msg); got != want {
			t.Fatalf("%d bytes: %x, crypto/md5 %x", n, got, want)
		}
	}
	if got := md5Sum([]byte("message digest")); got != [16]byte{0xf9, 0x6b, 0x69, 0x7d, 0x7c, 0xb7, 0x93, 0x8d, 0x52, 0x5a, 0x2f, 0x31, 0xaa, 0xf1, 0x61, 0xd0} {
		t.Fatalf("RFC 1321 \"message digest\": %x", got)
	}
}
