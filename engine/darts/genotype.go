// Package darts is the DARTS search space (Liu et al., 2019) of NAS-Bench-301 as a front-end
// of the engine's graph: a genotype's normal and reduction cells stacked into DARTS's
// NetworkCIFAR (quark0/darts, cnn/model.py) with its parameter names, without the auxiliary
// head and drop path (off at initialisation). Genotypes are read as DARTS writes them, or in
// NASLib's compact NAS-Bench-301 encoding.
package darts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Ops are the operations of the DARTS space, in NASLib's NAS-Bench-301 order (the compact
// encoding's op indices); none, DARTS's zero, is accepted in genotypes too.
var Ops = []string{"max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"}

// dartsOnly are the other ops DARTS's operations.py builds; ndsOps the further ones pycls's
// builds for the NDS cell spaces (its 2x2 pools, which make odd sizes, are not supported yet).
var (
	dartsOnly = []string{"none", "sep_conv_7x7", "conv_7x1_1x7"}
	ndsOps    = []string{"avg_pool_5x5", "max_pool_5x5", "max_pool_7x7", "conv_1x1", "conv_3x3", "dil_sep_conv_3x3", "conv_3x1_1x3"}
)

// Edge is one input of a cell node: an op applied to state Input (0 and 1 the cell's inputs,
// 2.. the earlier nodes).
type Edge struct {
	Op    string `json:"op"`
	Input int    `json:"input"`
}

// Genotype is a DARTS genotype: two edges per node of the normal and the reduction cell, and
// the states each cell concatenates into its output.
type Genotype struct {
	Normal       []Edge `json:"normal"`
	NormalConcat []int  `json:"normal_concat"`
	Reduce       []Edge `json:"reduce"`
	ReduceConcat []int  `json:"reduce_concat"`
}

// String writes the genotype as DARTS does.
func (g Genotype) String() string {
	edges := func(es []Edge) string {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = fmt.Sprintf("('%s', %d)", e.Op, e.Input)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	ints := func(v []int) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = strconv.Itoa(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("Genotype(normal=%s, normal_concat=%s, reduce=%s, reduce_concat=%s)",
		edges(g.Normal), ints(g.NormalConcat), edges(g.Reduce), ints(g.ReduceConcat))
}

// maxNodes bounds a cell's nodes (DARTS's have 4; the NDS spaces' 5).
const maxNodes = 10

// check validates both cells: two edges per node, known ops, inputs of earlier states, and
// concatenated states that exist.
func (g Genotype) check() error {
	for _, c := range []struct {
		name   string
		edges  []Edge
		concat []int
	}{{"normal", g.Normal, g.NormalConcat}, {"reduce", g.Reduce, g.ReduceConcat}} {
		if len(c.edges) == 0 || len(c.edges)%2 != 0 || len(c.edges) > 2*maxNodes {
			return fmt.Errorf("genotype %s has %d edges: want two per node, 1 to %d nodes (DARTS: 4 nodes, 8 edges)", c.name, len(c.edges), maxNodes)
		}
		for j, e := range c.edges {
			if !knownOp(e.Op) {
				return fmt.Errorf("genotype %s edge %d: unknown op %q: want one of %s", c.name, j, cut(e.Op), strings.Join(slices.Concat(Ops, dartsOnly, ndsOps), ", "))
			}
			if node := 2 + j/2; e.Input >= node {
				return fmt.Errorf("genotype %s edge %d: input %d of node %d: want an earlier state, 0..%d", c.name, j, e.Input, node, node-1)
			}
		}
		states := 2 + len(c.edges)/2
		if len(c.concat) == 0 {
			return fmt.Errorf("genotype %s_concat is empty: want the states the cell outputs", c.name)
		}
		for _, s := range c.concat {
			if s >= states {
				return fmt.Errorf("genotype %s_concat has state %d: the cell has states 0..%d", c.name, s, states-1)
			}
		}
	}
	return nil
}

func knownOp(op string) bool {
	return slices.Contains(Ops, op) || slices.Contains(dartsOnly, op) || slices.Contains(ndsOps, op)
}

// ndsOnly returns the first op of the genotype that only pycls's NDS model builds, or "".
func (g Genotype) ndsOnly() string {
	for _, e := range slices.Concat(g.Normal, g.Reduce) {
		if slices.Contains(ndsOps, e.Op) {
			return e.Op
		}
	}
	return ""
}

// cut shortens s for a message.
func cut(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// NDSOps lists every op a cell of pycls's NDS model may use (none aside), DARTS's first.
func NDSOps() []string {
	return slices.Concat(Ops, slices.DeleteFunc(slices.Clone(dartsOnly), func(op string) bool { return op == "none" }), ndsOps)
}
