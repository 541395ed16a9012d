// Package space holds GradSign over the whole NAS-Bench-201 space: one score per index (NaN
// where none has been computed yet), as `gradsign eval --all` writes them to a score file, and as
// a compact binary asset the web app ships (assets/nb201_space.bin, made by tools/mkspace from
// the score file).
//
// The asset is little-endian: the magic "GSSP", then uint32 fields version (1), N (images),
// seed and count (15,625), then count float32 scores. GradSign scores are integers below 2^24
// on NAS-Bench-201's networks, so float32 holds them exactly.
package space

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"gradsign/engine/nb201"
)

// Scores are the whole space's GradSign scores at N images and a seed.
type Scores struct {
	N, Seed uint32
	// Values is the score of each NAS-Bench-201 index; NaN where none was computed.
	Values []float32
}

const (
	magic      = "GSSP"
	version    = 1
	headerSize = 4 + 4*4
)

// Scored is the number of indices with a score.
func (s *Scores) Scored() int {
	k := 0
	for _, v := range s.Values {
		if !math.IsNaN(float64(v)) {
			k++
		}
	}
	return k
}

// MarshalBinary encodes the scores as the asset.
func (s *Scores) MarshalBinary() ([]byte, error) {
	out := make([]byte, headerSize, headerSize+4*len(s.Values))
	copy(out, magic)
	binary.LittleEndian.PutUint32(out[4:], version)
	binary.LittleEndian.PutUint32(out[8:], s.N)
	binary.LittleEndian.PutUint32(out[12:], s.Seed)
	binary.LittleEndian.PutUint32(out[16:], uint32(len(s.Values)))
	for _, v := range s.Values {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return out, nil
}

// Read decodes the asset, checking its magic, version and length.
func Read(data []byte) (*Scores, error) {
	if len(data) < headerSize || string(data[:4]) != magic {
		return nil, errors.New("whole-space scores: not a GSSP file (rebuild it with go run ./tools/mkspace)")
	}
	if v := binary.LittleEndian.Uint32(data[4:]); v != version {
		return nil, fmt.Errorf("whole-space scores: version %d, this build reads %d", v, version)
	}
	count := binary.LittleEndian.Uint32(data[16:])
	if count != nb201.NumArchs || len(data) != headerSize+4*int(count) {
		return nil, fmt.Errorf("whole-space scores: %d bytes for %d scores, want %d scores in %d bytes", len(data), count, nb201.NumArchs, headerSize+4*nb201.NumArchs)
	}
	s := &Scores{N: binary.LittleEndian.Uint32(data[8:]), Seed: binary.LittleEndian.Uint32(data[12:]), Values: make([]float32, count)}
	for i := range s.Values {
		s.Values[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[headerSize+4*i:]))
	}
	return s, nil
}

// New makes the scores of a run at n images and seed with none computed yet (every value NaN).
func New(n, seed uint32) *Scores {
	s := &Scores{N: n, Seed: seed, Values: make([]float32, nb201.NumArchs)}
	for i := range s.Values {
		s.Values[i] = float32(math.NaN())
	}
	return s
}
