package nb201

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Op is one of the five operations an edge of the NAS-Bench-201 cell can hold.
type Op uint8

// The operations, in NAS-Bench-201's order.
const (
	None Op = iota
	SkipConnect
	Conv1x1
	Conv3x3
	AvgPool3x3
)

// NumOps is the number of operations.
const NumOps = 5

var opNames = [NumOps]string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

// String is the operation's name in arch strings, e.g. "nor_conv_3x3".
func (o Op) String() string {
	if int(o) < NumOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", o)
}

// ParseOp reads an operation name.
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if s == n {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown operation %s (want one of %s)", Quote(s), strings.Join(opNames[:], ", "))
}

// NumEdges is the number of edges of the cell: node j takes an edge from every node i < j.
const NumEdges = 6

// Arch is a cell: the operation of each edge, in arch-string order
// (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).
type Arch [NumEdges]Op

// NumArchs is the size of the search space, 5^6.
const NumArchs = 15625

// Edge returns the position in Arch of the edge from node i into node j (0 <= i < j <= 3).
func Edge(j, i int) int { return j*(j-1)/2 + i }

// String prints the arch string, e.g.
// |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|.
func (a Arch) String() string {
	var b strings.Builder
	for j := 1; j <= 3; j++ {
		if j > 1 {
			b.WriteByte('+')
		}
		b.WriteByte('|')
		for i := 0; i < j; i++ {
			fmt.Fprintf(&b, "%s~%d|", a[Edge(j, i)], i)
		}
	}
	return b.String()
}

// ParseArch reads an arch string in NAS-Bench-201's format. Surrounding white space is
// ignored; anything else out of place gets an error that names the part and says what was
// expected.
func ParseArch(s string) (Arch, error) {
	if s == "" {
		return Arch{}, fmt.Errorf("empty arch string: the form is |op~0|+|op~0|op~1|+|op~0|op~1|op~2|")
	}
	var a Arch
	s = strings.TrimSpace(s)
	const form = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"
	nodes := strings.Split(s, "+")
	if len(nodes) != 3 {
		return a, fmt.Errorf("arch %s: want 3 nodes separated by '+', found %d; the form is %s", Quote(s), len(nodes), form)
	}
	for n, node := range nodes {
		j := n + 1
		if len(node) < 2 || node[0] != '|' || node[len(node)-1] != '|' {
			return a, fmt.Errorf("arch %s: node %d part %s must start and end with '|'; the form is %s", Quote(s), j, Quote(node), form)
		}
		edges := strings.Split(node[1:len(node)-1], "|")
		if len(edges) != j {
			return a, fmt.Errorf("arch %s: node %d part %s has %d edges, want %d (one from each earlier node)", Quote(s), j, Quote(node), len(edges), j)
		}
		for i, e := range edges {
			name, from, ok := strings.Cut(e, "~")
			if !ok {
				return a, fmt.Errorf("arch %s: edge %s of node %d lacks '~': want op~%d", Quote(s), Quote(e), j, i)
			}
			if from != fmt.Sprint(i) {
				return a, fmt.Errorf("arch %s: edge %s of node %d says input %s, want %d", Quote(s), Quote(e), j, Quote(from), i)
			}
			op, err := ParseOp(name)
			if err != nil {
				return a, fmt.Errorf("arch %s: edge %s of node %d: %v", Quote(s), Quote(e), j, err)
			}
			a[Edge(j, i)] = op
		}
	}
	return a, nil
}

// Code is the architecture as a base-5 number, edge 0 most significant: a dense key in
// 0..NumArchs-1 (not the benchmark's index, which is a shuffle; see Table).
func (a Arch) Code() int {
	c := 0
	for _, op := range a {
		c = c*NumOps + int(op)
	}
	return c
}

// ArchFromCode is the inverse of Code. It panics if code is out of range.
func ArchFromCode(code int) Arch {
	if code < 0 || code >= NumArchs {
		panic("nb201: arch code out of range")
	}
	var a Arch
	for e := NumEdges - 1; e >= 0; e-- {
		a[e] = Op(code % NumOps)
		code /= NumOps
	}
	return a
}

// Quote quotes user input for an error message, cut to its first 60 bytes (with the length
// said) so that a long input does not flood the message.
func Quote(s string) string {
	const most = 60
	if len(s) <= most {
		return strconv.Quote(s)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
