package refset

import (
	"encoding/json"
	"fmt"
)

// Space is the reference of a search space other than NAS-Bench-201: the architectures of a
// results file (gradsign eval) with what their benchmark measured, as the page plots them.
// tools/mkreference -spaces makes them (assets/reference_spaces.json, by space name).
type Space struct {
	// Results is the results file the scores come from; Network, Channels, N and Seed are its
	// settings (a new score is comparable with these only at the same ones).
	Results  string `json:"results"`
	Network  string `json:"network"`
	Channels int    `json:"channels"`
	N        int    `json:"n"`
	Seed     uint64 `json:"seed"`
	// Metric says what Accuracy is, e.g. "CIFAR-10 validation accuracy after 108 epochs".
	Metric string       `json:"metric"`
	Points []SpacePoint `json:"points"` // sorted by score
	// Spearman holds Spearman's rho of GradSign and of the parameter count against Accuracy
	// over the points, computed natively.
	Spearman map[string]float64 `json:"spearman"`
}

// SpacePoint is one architecture of a space's reference: its row in the shipped table.
type SpacePoint struct {
	Row      int     `json:"row"`
	Score    float64 `json:"gradsign"`
	Params   int     `json:"params"`
	Accuracy float64 `json:"accuracy"`
}

// ReadSpaces parses and checks the references of the other spaces, by space name.
func ReadSpaces(data []byte) (map[string]*Space, error) {
	var m map[string]*Space
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("space references: %v", err)
	}
	for name, s := range m {
		if s == nil || len(s.Points) == 0 || s.N < 1 || s.Channels < 1 {
			return nil, fmt.Errorf("space reference %q: empty, or without its settings", name)
		}
		for i := 1; i < len(s.Points); i++ {
			if s.Points[i].Score < s.Points[i-1].Score {
				return nil, fmt.Errorf("space reference %q: points not sorted by score", name)
			}
		}
	}
	return m, nil
}

// Percentile is the share of the points, in percent, whose score is below score (ties count
// half).
func (s *Space) Percentile(score float64) float64 {
	below := 0.0
	for _, p := range s.Points {
		switch {
		case p.Score < score:
			below++
		case p.Score == score:
			below += 0.5
		}
	}
	return 100 * below / float64(len(s.Points))
}
