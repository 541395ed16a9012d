package nb101

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// md5Sum is MD5 (RFC 1321), the digest NAS-Bench-101's graph hash is made of. It is written
// out here because crypto/md5 brings Go's whole FIPS module into the browser's engine (about
// 60 KB of the wasm after gzip); it is no cryptography here, only the benchmark's key, and the
// tests check it against crypto/md5 and the 1,000 shipped hashes.
func md5Sum(msg []byte) [16]byte {
	var k [64]uint32
	for i := range k {
		k[i] = uint32(math.Floor(math.Abs(math.Sin(float64(i+1))) * (1 << 32)))
	}
	shift := [4][4]int{{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}}
	// The message, a 1 bit, zeros to 56 bytes mod 64, and its length in bits.
	padded := append(append([]byte{}, msg...), 0x80)
	for len(padded)%64 != 56 {
		padded = append(padded, 0)
	}
	padded = binary.LittleEndian.AppendUint64(padded, uint64(len(msg))*8)
	a0, b0, c0, d0 := uint32(0x67452301), uint32(0xefcdab89), uint32(0x98badcfe), uint32(0x10325476)
	for block := 0; block < len(padded); block += 64 {
		var m [16]uint32
		for i := range m {
			m[i] = binary.LittleEndian.Uint32(padded[block+4*i:])
		}
		a, b, c, d := a0, b0, c0, d0
		for i := range 64 {
			var f uint32
			var g int
			switch i / 16 {
			case 0:
				f, g = (b&c)|(^b&d), i
			case 1:
				f, g = (d&b)|(^d&c), (5*i+1)%16
			case 2:
				f, g = b^c^d, (3*i+5)%16
			case 3:
				f, g = c^(b|^d), (7*i)%16
			}
			f += a + k[i] + m[g]
			a, d, c = d, c, b
			b += bits.RotateLeft32(f, shift[i/16][i%4])
		}
		a0, b0, c0, d0 = a0+a, b0+b, c0+c, d0+d
	}
	var out [16]byte
	for i, v := range []uint32{a0, b0, c0, d0} {
		binary.LittleEndian.PutUint32(out[4*i:], v)
	}
	return out
}
