// Package darts is the DARTS search space (Liu et al., 2019) of NAS-Bench-301 as a front-end
// of the engine's graph: a genotype's normal and reduction cells stacked into DARTS's
// NetworkCIFAR (quark0/darts, cnn/model.py) with its parameter names, without the auxiliary
// head and drop path (off at initialisation). Genotypes are read as DARTS writes them, or in
// NASLib's compact NAS-Bench-301 encoding.
package darts

import (
	"fmt"
	"regexp"
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
	Op    string
	Input int
}

// Genotype is a DARTS genotype: two edges per node of the normal and the reduction cell, and
// the states each cell concatenates into its output.
type Genotype struct {
	Normal, Reduce             []Edge
	NormalConcat, ReduceConcat []int
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

var (
	field    = regexp.MustCompile(`(\w+)\s*=\s*(\[[^\]]*\]|range\(\s*\d+\s*,\s*\d+\s*\))`)
	edgeRe   = regexp.MustCompile(`^\(\s*['"](\w+)['"]\s*,\s*(\d+)\s*\)$`)
	rangeRe  = regexp.MustCompile(`^range\(\s*(\d+)\s*,\s*(\d+)\s*\)$`)
	pairList = regexp.MustCompile(`\([^()]*\)`)
)

// ParseGenotype reads a genotype as DARTS writes it, `Genotype(normal=[('sep_conv_3x3', 0),
// ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])` (a concat may be
// `range(2, 6)`), or in NASLib's compact NAS-Bench-301 form `[[(input, op), ...], [...]]`
// (eight pairs a cell, op an index into Ops, concat [2, 3, 4, 5]). It checks every op and
// input.
func ParseGenotype(s string) (Genotype, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[[") {
		return parseCompact(s)
	}
	body, ok := strings.CutPrefix(s, "Genotype(")
	if !ok || !strings.HasSuffix(body, ")") {
		return Genotype{}, fmt.Errorf("genotype %q: want Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...]) or NAS-Bench-301's compact [[(input, op), ...], [...]]", cut(s))
	}
	var g Genotype
	seen := map[string]bool{}
	for _, m := range field.FindAllStringSubmatch(body, -1) {
		name, value := m[1], m[2]
		if seen[name] {
			return Genotype{}, fmt.Errorf("genotype: %s given twice", name)
		}
		seen[name] = true
		var err error
		switch name {
		case "normal":
			g.Normal, err = parseEdges(value)
		case "reduce":
			g.Reduce, err = parseEdges(value)
		case "normal_concat":
			g.NormalConcat, err = parseInts(value)
		case "reduce_concat":
			g.ReduceConcat, err = parseInts(value)
		default:
			err = fmt.Errorf("unknown field %q", name)
		}
		if err != nil {
			return Genotype{}, fmt.Errorf("genotype %s: %v", name, err)
		}
	}
	for _, name := range []string{"normal", "normal_concat", "reduce", "reduce_concat"} {
		if !seen[name] {
			return Genotype{}, fmt.Errorf("genotype lacks %s=[...]", name)
		}
	}
	return g, g.check()
}

func parseEdges(list string) ([]Edge, error) {
	inner := strings.TrimSpace(list[1 : len(list)-1])
	pairs := pairList.FindAllString(inner, -1)
	between := strings.Join(strings.Fields(pairList.ReplaceAllString(inner, "")), "")
	if between != strings.Repeat(",", max(len(pairs)-1, 0)) {
		return nil, fmt.Errorf("%q: want a list of ('op', input) pairs", cut(list))
	}
	var edges []Edge
	for _, p := range pairs {
		m := edgeRe.FindStringSubmatch(p)
		if m == nil {
			return nil, fmt.Errorf("%q: want ('op', input)", cut(p))
		}
		in, err := strconv.Atoi(m[2])
		if err != nil || in > 64 {
			return nil, fmt.Errorf("%q: input out of range", cut(p))
		}
		edges = append(edges, Edge{Op: m[1], Input: in})
	}
	return edges, nil
}

func parseInts(list string) ([]int, error) {
	if m := rangeRe.FindStringSubmatch(list); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if b-a > 64 || b <= a {
			return nil, fmt.Errorf("%q: want range(a, b) with a < b", cut(list))
		}
		var v []int
		for i := a; i < b; i++ {
			v = append(v, i)
		}
		return v, nil
	}
	var v []int
	for _, f := range strings.Split(list[1:len(list)-1], ",") {
		f = strings.TrimSpace(f)
		x, err := strconv.Atoi(f)
		if err != nil || x < 0 || x > 64 {
			return nil, fmt.Errorf("%q: want a list of state numbers", cut(list))
		}
		v = append(v, x)
	}
	return v, nil
}

func parseCompact(s string) (Genotype, error) {
	cells := strings.Split(strings.TrimSpace(s[1:len(s)-1]), "]")
	var lists [][]Edge
	for _, c := range cells {
		c = strings.Trim(strings.TrimSpace(c), ",[ ")
		if c == "" {
			continue
		}
		var edges []Edge
		for _, p := range pairList.FindAllString(c, -1) {
			parts := strings.Split(strings.Trim(p, "()"), ",")
			if len(parts) != 2 {
				return Genotype{}, fmt.Errorf("compact genotype: %q: want (input, op)", cut(p))
			}
			in, err1 := strconv.Atoi(strings.TrimSpace(parts[0]))
			op, err2 := strconv.Atoi(strings.TrimSpace(parts[1]))
			if err1 != nil || err2 != nil || op < 0 || op >= len(Ops) || in < 0 || in > 64 {
				return Genotype{}, fmt.Errorf("compact genotype: %q: want (input, op) with op 0..%d", cut(p), len(Ops)-1)
			}
			edges = append(edges, Edge{Op: Ops[op], Input: in})
		}
		lists = append(lists, edges)
	}
	if len(lists) != 2 {
		return Genotype{}, fmt.Errorf("compact genotype %q: want two lists, normal and reduce", cut(s))
	}
	g := Genotype{Normal: lists[0], Reduce: lists[1], NormalConcat: []int{2, 3, 4, 5}, ReduceConcat: []int{2, 3, 4, 5}}
	return g, g.check()
}

// check validates both cells: two edges per node, known ops, inputs of earlier states, and
// concatenated states that exist.
func (g Genotype) check() error {
	for _, c := range []struct {
		name   string
		edges  []Edge
		concat []int
	}{{"normal", g.Normal, g.NormalConcat}, {"reduce", g.Reduce, g.ReduceConcat}} {
		if len(c.edges) == 0 || len(c.edges)%2 != 0 || len(c.edges) > 20 {
			return fmt.Errorf("genotype %s has %d edges: want two per node (DARTS: 8)", c.name, len(c.edges))
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
