//go:build !amd64

package main

import "math"

// measuredPeak is NaN where no FMA loop is written for the CPU.
func measuredPeak() float64 { return math.NaN() }
