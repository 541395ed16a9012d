// Package nb101 is the NAS-Bench-101 search space (Ying et al., 2019) as a front-end of the
// engine's graph: a cell is a DAG of up to 7 vertices and 9 edges whose interior vertices are
// 3x3 or 1x1 convolutions (Conv-BN-ReLU) or 3x3 max pools, stacked as the official GradSign
// code's model (zero-cost-nas's nasbench1.py) stacks it, with its parameter names and its
// initialisation; and the benchmark's graph hash.
package nb101

import (
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Op is the operation of a vertex.
type Op uint8

// The vertex operations, with input and output, in NAS-Bench-101's label order (the hash's
// labels are 0, 1, 2 for the interior ops, -1 and -2 for input and output).
const (
	Conv3x3 Op = iota
	Conv1x1
	MaxPool3x3
	Input
	Output
)

var opNames = [...]string{"conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "input", "output"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", o)
}

// label is the op's label in the hash.
func (o Op) label() int {
	switch o {
	case Input:
		return -1
	case Output:
		return -2
	}
	return int(o)
}

// ParseOp reads a vertex op's name, as NAS-Bench-101 writes it (conv3x3-bn-relu,
// conv1x1-bn-relu, maxpool3x3, input, output).
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if s == n {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown NAS-Bench-101 op %q: want conv3x3-bn-relu, conv1x1-bn-relu or maxpool3x3", cutText(s))
}

// The space's limits.
const (
	MaxVertices = 7
	MaxEdges    = 9
)

// Cell is a NAS-Bench-101 cell: an upper-triangular adjacency matrix of V vertices (vertex 0
// the input, V-1 the output) and each vertex's op.
type Cell struct {
	// Adj[i][j] is an edge i -> j (i < j).
	Adj [][]bool
	Ops []Op
}

// V is the cell's vertex count.
func (c Cell) V() int { return len(c.Ops) }

// Edges counts the cell's edges.
func (c Cell) Edges() int {
	e := 0
	for _, row := range c.Adj {
		for _, v := range row {
			if v {
				e++
			}
		}
	}
	return e
}

// ParseCell reads a cell from its adjacency matrix, as row-major digits (49 for the 7x7
// matrix NAS-Bench-101's tables use, a cell of V vertices in the top-left VxV block; or V²
// for a VxV matrix), and its ops: all V (input first, output last) or the V-2 interior ones.
// The cell is checked (upper triangular, at most 9 edges, ops in place) and pruned as
// NAS-Bench-101's ModelSpec prunes: vertices not on a path from input to output are dropped.
func ParseCell(digits string, ops []string) (Cell, error) {
	n := len(digits)
	side := 0
	for side*side < n {
		side++
	}
	if side*side != n || side < 2 || side > MaxVertices {
		return Cell{}, fmt.Errorf("adjacency %q has %d digits: want V² for V = 2..7 vertices (49 for NAS-Bench-101's 7x7 form)", cutText(digits), n)
	}
	adj := make([][]bool, side)
	for i := range adj {
		adj[i] = make([]bool, side)
		for j := range side {
			switch d := digits[i*side+j]; d {
			case '0':
			case '1':
				if j <= i {
					return Cell{}, fmt.Errorf("adjacency has an edge %d -> %d: want an upper-triangular matrix (edges from lower to higher vertices only)", i, j)
				}
				adj[i][j] = true
			default:
				return Cell{}, fmt.Errorf("adjacency %q: digit %q at row %d, column %d: want 0 or 1", cutText(digits), d, i, j)
			}
		}
	}
	given := len(ops)
	if len(ops) == 0 || ops[0] != "input" { // the interior ops only
		ops = append(append([]string{"input"}, ops...), "output")
	}
	v := len(ops)
	if v > side {
		return Cell{}, fmt.Errorf("%d %s given for a %dx%d adjacency: want one per interior vertex (at most %d) or one per vertex, input and output included (at most %d)", given, plural(given, "op"), side, side, side-2, side)
	}
	// A cell of V < 7 vertices in the 7x7 form: rows and columns V..6 must be empty.
	for i := range side {
		for j := range side {
			if adj[i][j] && (i >= v || j >= v) {
				return Cell{}, fmt.Errorf("adjacency has an edge %d -> %d but the cell has %d ops: give one op per vertex", i, j, v)
			}
		}
	}
	c := Cell{Adj: make([][]bool, v), Ops: make([]Op, v)}
	for i := range v {
		c.Adj[i] = adj[i][:v]
		op, err := ParseOp(ops[i])
		if err != nil {
			return Cell{}, err
		}
		switch {
		case i == 0 && op != Input:
			return Cell{}, fmt.Errorf("vertex 0 is %s: the first vertex is the input", op)
		case i == v-1 && op != Output:
			return Cell{}, fmt.Errorf("vertex %d is %s: the last vertex is the output", i, op)
		case i > 0 && i < v-1 && (op == Input || op == Output):
			return Cell{}, fmt.Errorf("vertex %d is %s: interior vertices are conv3x3-bn-relu, conv1x1-bn-relu or maxpool3x3", i, op)
		}
		c.Ops[i] = op
	}
	if e := c.Edges(); e > MaxEdges {
		return Cell{}, fmt.Errorf("the cell has %d edges: NAS-Bench-101 allows at most %d", e, MaxEdges)
	}
	return c.prune()
}

// prune drops the vertices that are not on a path from the input to the output, as
// NAS-Bench-101's ModelSpec does; a cell whose output the input does not reach is an error.
func (c Cell) prune() (Cell, error) {
	v := c.V()
	fromIn, toOut := make([]bool, v), make([]bool, v)
	fromIn[0], toOut[v-1] = true, true
	for j := 1; j < v; j++ {
		for i := range j {
			fromIn[j] = fromIn[j] || (fromIn[i] && c.Adj[i][j])
		}
	}
	for i := v - 2; i >= 0; i-- {
		for j := i + 1; j < v; j++ {
			toOut[i] = toOut[i] || (toOut[j] && c.Adj[i][j])
		}
	}
	if !fromIn[v-1] {
		return Cell{}, fmt.Errorf("no path from the input to the output: the cell computes nothing (connect them)")
	}
	var keep []int
	for i := range v {
		if fromIn[i] && toOut[i] {
			keep = append(keep, i)
		}
	}
	p := Cell{Adj: make([][]bool, len(keep)), Ops: make([]Op, len(keep))}
	for a, i := range keep {
		p.Ops[a] = c.Ops[i]
		p.Adj[a] = make([]bool, len(keep))
		for b, j := range keep {
			p.Adj[a][b] = c.Adj[i][j]
		}
	}
	return p, nil
}

// Matrix is the adjacency as 49 row-major digits, the 7x7 form of NAS-Bench-101's tables.
func (c Cell) Matrix() string {
	var b strings.Builder
	for i := range MaxVertices {
		for j := range MaxVertices {
			if i < c.V() && j < c.V() && c.Adj[i][j] {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
	}
	return b.String()
}

// OpList is the ops as NAS-Bench-101 names them, joined by "|" (input first, output last).
func (c Cell) OpList() string {
	names := make([]string, len(c.Ops))
	for i, o := range c.Ops {
		names[i] = o.String()
	}
	return strings.Join(names, "|")
}

// String is the cell as its matrix and ops.
func (c Cell) String() string { return c.Matrix() + " " + c.OpList() }

// Hash is NAS-Bench-101's graph hash of the (pruned) cell, the key of its dataset: nasbench's
// graph_util.hash_module, an MD5 of the vertices' iterated neighbourhood hashes, equal for
// isomorphic cells.
func (c Cell) Hash() string {
	v := c.V()
	md5hex := func(s string) string { h := md5Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	hashes := make([]string, v)
	for i := range v {
		in, out := 0, 0
		for j := range v {
			if c.Adj[j][i] {
				in++
			}
			if c.Adj[i][j] {
				out++
			}
		}
		hashes[i] = md5hex(fmt.Sprintf("(%d, %d, %d)", out, in, c.Ops[i].label()))
	}
	for range v {
		next := make([]string, v)
		for i := range v {
			var in, out []string
			for j := range v {
				if c.Adj[j][i] {
					in = append(in, hashes[j])
				}
				if c.Adj[i][j] {
					out = append(out, hashes[j])
				}
			}
			sort.Strings(in)
			sort.Strings(out)
			next[i] = md5hex(strings.Join(in, "") + "|" + strings.Join(out, "") + "|" + hashes[i])
		}
		hashes = next
	}
	sorted := slices.Clone(hashes)
	sort.Strings(sorted)
	return md5hex("['" + strings.Join(sorted, "', '") + "']")
}

// ParseCellString reads a cell as String writes it: the adjacency's digits, a space, and the
// ops joined by "|" (or commas), input first and output last or the interior ones only.
func ParseCellString(s string) (Cell, error) {
	digits, ops, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Cell{}, fmt.Errorf("cell %q: want the adjacency's digits, a space and the ops joined by |, as the table writes them", cutText(s))
	}
	return ParseCell(digits, strings.FieldsFunc(strings.TrimSpace(ops), func(r rune) bool { return r == '|' || r == ',' }))
}

// cutText shortens user input for a message.
func cutText(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// plural is word, or word+"s" unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
