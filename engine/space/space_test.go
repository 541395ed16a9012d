package space

import (
	"math"
	"strings"
	"testing"

	"gradsign/assets"
)

func TestCSVAndAsset(t *testing.T) {
	table := assets.Table()
	e0, _ := table.At(0)
	e7, _ := table.At(7)
	csv := "index,arch,gradsign\n7," + e7.Arch.String() + ",1.5e+06\n0," + e0.Arch.String() + ",1257504\n"
	s, err := FromCSV(strings.NewReader(csv), table, 128, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scored() != 2 || s.Values[0] != 1257504 || s.Values[7] != 1.5e6 || !math.IsNaN(float64(s.Values[1])) {
		t.Fatalf("scored %d, values %v", s.Scored(), s.Values[:8])
	}
	data, _ := s.MarshalBinary()
	r, err := Read(data)
	if err != nil || r.N != 128 || r.Scored() != 2 || r.Values[7] != 1.5e6 {
		t.Fatalf("round trip: %+v, %v", r, err)
	}
	for _, bad := range [][]byte{nil, []byte("GSSP"), data[:len(data)-1], append([]byte("XXXX"), data[4:]...)} {
		if _, err := Read(bad); err == nil {
			t.Errorf("%d bytes read without an error", len(bad))
		}
	}
	for _, bad := range []string{
		"index,arch,score\n",
		"index,arch,gradsign\n1," + e0.Arch.String() + ",5\n", // wrong arch at 1
		"index,arch,gradsign\n0," + e0.Arch.String() + ",5\n0," + e0.Arch.String() + ",5\n",
		"index,arch,gradsign\n15625," + e0.Arch.String() + ",5\n",
		"index,arch,gradsign\nx," + e0.Arch.String() + ",5\n",
	} {
		if _, err := FromCSV(strings.NewReader(bad), table, 128, 0); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}
