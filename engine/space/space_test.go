package space

import (
	"math"
	"testing"
)

// TestAsset: the asset round-trips, and a file that is not one, cut or of another format is
// refused.
func TestAsset(t *testing.T) {
	s := New(128, 0)
	s.Values[0], s.Values[7] = 1257504, 1.5e6
	if s.Scored() != 2 || !math.IsNaN(float64(s.Values[1])) {
		t.Fatalf("scored %d, values %v", s.Scored(), s.Values[:8])
	}
	data, _ := s.MarshalBinary()
	r, err := Read(data)
	if err != nil || r.N != 128 || r.Scored() != 2 || r.Values[7] != 1.5e6 || r.Values[0] != 1257504 {
		t.Fatalf("round trip: %+v, %v", r, err)
	}
	for _, bad := range [][]byte{nil, []byte("GSSP"), data[:len(data)-1], append([]byte("XXXX"), data[4:]...)} {
		if _, err := Read(bad); err == nil {
			t.Errorf("%d bytes read without an error", len(bad))
		}
	}
}
