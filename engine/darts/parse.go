package darts

import (
	"fmt"
	"strconv"
	"strings"
)

// The genotype reader: a small tokenizer and recursive-descent parser of the Python literals
// DARTS and NASLib write (lists, tuples, quoted names, whole numbers, range(a, b)), which keeps
// the regexp package out of the browser's engine.

// ParseGenotype reads a genotype as DARTS writes it, `Genotype(normal=[('sep_conv_3x3', 0),
// ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])` (a concat may be
// `range(2, 6)`), or in NASLib's compact NAS-Bench-301 form `[[(input, op), ...], [...]]`
// (eight pairs a cell, op an index into Ops, concat [2, 3, 4, 5]). It checks every op and
// input.
func ParseGenotype(s string) (Genotype, error) {
	s = strings.TrimSpace(s)
	toks, err := tokenize(s)
	if err != nil {
		return Genotype{}, fmt.Errorf("genotype %q: %v", cut(s), err)
	}
	p := &parser{toks: toks}
	if strings.HasPrefix(s, "[") {
		v, err := p.value(0)
		if err == nil {
			err = p.end()
		}
		if err != nil {
			return Genotype{}, fmt.Errorf("compact genotype %q: %v: want [[(input, op), ...], [(input, op), ...]]", cut(s), err)
		}
		return fromCompact(s, v)
	}
	if t := p.next(); t.kind != name || t.text != "Genotype" || p.next().kind != '(' {
		return Genotype{}, fmt.Errorf("genotype %q: want Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...]) or NAS-Bench-301's compact [[(input, op), ...], [...]]", cut(s))
	}
	var g Genotype
	seen := map[string]bool{}
	for p.peek().kind != ')' {
		field := p.next()
		if field.kind != name || p.next().kind != '=' {
			return Genotype{}, fmt.Errorf("genotype: %s: want field=value", field)
		}
		if seen[field.text] {
			return Genotype{}, fmt.Errorf("genotype: %s given twice", field.text)
		}
		seen[field.text] = true
		v, err := p.value(0)
		edges := map[string]*[]Edge{"normal": &g.Normal, "reduce": &g.Reduce}[field.text]
		states := map[string]*[]int{"normal_concat": &g.NormalConcat, "reduce_concat": &g.ReduceConcat}[field.text]
		switch {
		case edges != nil:
			if err == nil {
				*edges, err = edgesOf(v)
			}
			if err != nil {
				return Genotype{}, fmt.Errorf("genotype %s: %v: want a list of ('op', input) pairs", field.text, err)
			}
		case states != nil:
			if err == nil {
				*states, err = statesOf(v)
			}
			if err != nil {
				return Genotype{}, fmt.Errorf("genotype %s: %v: want a list of state numbers or range(a, b)", field.text, err)
			}
		default:
			return Genotype{}, fmt.Errorf("genotype: unknown field %q: want normal, normal_concat, reduce, reduce_concat", cut(field.text))
		}
		if t := p.peek(); t.kind == ',' {
			p.next()
		} else if t.kind != ')' {
			return Genotype{}, fmt.Errorf("genotype: %s after %s: want , or )", t, field.text)
		}
	}
	p.next()
	if err := p.end(); err != nil {
		return Genotype{}, fmt.Errorf("genotype: %v", err)
	}
	for _, f := range []string{"normal", "normal_concat", "reduce", "reduce_concat"} {
		if !seen[f] {
			return Genotype{}, fmt.Errorf("genotype lacks %s=[...]", f)
		}
	}
	return g, g.check()
}

// fromCompact reads NASLib's compact form: two lists of (input, op index) pairs.
func fromCompact(s string, v value) (Genotype, error) {
	if v.kind != '[' || len(v.items) != 2 {
		return Genotype{}, fmt.Errorf("compact genotype %q: want two lists, normal and reduce", cut(s))
	}
	var cells [2][]Edge
	for c, list := range v.items {
		if list.kind != '[' {
			return Genotype{}, fmt.Errorf("compact genotype %q: want two lists, normal and reduce", cut(s))
		}
		for _, pair := range list.items {
			if pair.kind != '(' || len(pair.items) != 2 || pair.items[0].kind != number || pair.items[1].kind != number ||
				pair.items[1].num >= len(Ops) || pair.items[0].num > 64 {
				return Genotype{}, fmt.Errorf("compact genotype: %s: want (input, op) with op 0..%d", pair, len(Ops)-1)
			}
			cells[c] = append(cells[c], Edge{Op: Ops[pair.items[1].num], Input: pair.items[0].num})
		}
	}
	g := Genotype{Normal: cells[0], Reduce: cells[1], NormalConcat: []int{2, 3, 4, 5}, ReduceConcat: []int{2, 3, 4, 5}}
	return g, g.check()
}

// edgesOf reads a list of ('op', input) pairs.
func edgesOf(v value) ([]Edge, error) {
	if v.kind != '[' {
		return nil, fmt.Errorf("%s", v)
	}
	var edges []Edge
	for _, pair := range v.items {
		if pair.kind != '(' || len(pair.items) != 2 || pair.items[0].kind != text || pair.items[1].kind != number || pair.items[1].num > 64 {
			return nil, fmt.Errorf("%s", pair)
		}
		edges = append(edges, Edge{Op: pair.items[0].text, Input: pair.items[1].num})
	}
	return edges, nil
}

// statesOf reads a list of state numbers or range(a, b).
func statesOf(v value) ([]int, error) {
	var states []int
	switch v.kind {
	case 'r':
		a, b := v.items[0].num, v.items[1].num
		if b <= a || b-a > 64 {
			return nil, fmt.Errorf("%s: want a < b", v)
		}
		for i := a; i < b; i++ {
			states = append(states, i)
		}
	case '[':
		for _, x := range v.items {
			if x.kind != number || x.num > 64 {
				return nil, fmt.Errorf("%s", x)
			}
			states = append(states, x.num)
		}
	default:
		return nil, fmt.Errorf("%s", v)
	}
	return states, nil
}

// Token kinds: the punctuation characters stand for themselves.
const (
	end    = 0
	name   = 'a'
	number = '0'
	text   = '\''
)

type token struct {
	kind byte
	text string
	num  int
}

func (t token) String() string {
	switch t.kind {
	case end:
		return "the end"
	case text:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(cut(t.text))
}

// tokenize splits s into names, whole numbers (at most 6 digits), quoted names ('x' or "x")
// and the punctuation ( ) [ ] , =.
func tokenize(s string) ([]token, error) {
	var toks []token
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(s); {
		c := s[i]
		j := i + 1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case strings.IndexByte("()[],=", c) >= 0:
			toks = append(toks, token{kind: c, text: s[i:j]})
		case c >= '0' && c <= '9':
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j-i > 6 {
				return nil, fmt.Errorf("number %q too large", cut(s[i:j]))
			}
			n, _ := strconv.Atoi(s[i:j])
			toks = append(toks, token{kind: number, text: s[i:j], num: n})
		case isWord(c):
			for j < len(s) && isWord(s[j]) {
				j++
			}
			toks = append(toks, token{kind: name, text: s[i:j]})
		case c == '\'' || c == '"':
			for j < len(s) && isWord(s[j]) {
				j++
			}
			if j == len(s) || s[j] != c {
				return nil, fmt.Errorf("quoted name at byte %d: want letters, digits and _ between two %c", i, c)
			}
			toks = append(toks, token{kind: text, text: s[i+1 : j]})
			j++
		default:
			return nil, fmt.Errorf("unexpected %q at byte %d", s[i:i+1], i)
		}
		i = j
	}
	return toks, nil
}

// value is a parsed literal: a list ('['), a tuple ('('), range(a, b) ('r'), a number or a
// quoted name.
type value struct {
	kind  byte
	items []value
	num   int
	text  string
}

func (v value) String() string {
	switch v.kind {
	case number:
		return strconv.Itoa(v.num)
	case text:
		return strconv.Quote(v.text)
	case 'r':
		return fmt.Sprintf("range(%d, %d)", v.items[0].num, v.items[1].num)
	}
	parts := make([]string, len(v.items))
	for i, x := range v.items {
		parts[i] = x.String()
	}
	open, close := "[", "]"
	if v.kind == '(' {
		open, close = "(", ")"
	}
	return cut(open + strings.Join(parts, ", ") + close)
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: end}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) end() error {
	if t := p.peek(); t.kind != end {
		return fmt.Errorf("%s after the genotype", t)
	}
	return nil
}

// maxDepth bounds the nesting of literals (a genotype has three levels).
const maxDepth = 4

// value parses one literal.
func (p *parser) value(depth int) (value, error) {
	t := p.next()
	switch t.kind {
	case number:
		return value{kind: number, num: t.num}, nil
	case text:
		return value{kind: text, text: t.text}, nil
	case name:
		if t.text != "range" || p.peek().kind != '(' {
			return value{}, fmt.Errorf("unexpected name %s", t)
		}
		args, err := p.value(depth)
		if err != nil || len(args.items) != 2 || args.items[0].kind != number || args.items[1].kind != number {
			return value{}, fmt.Errorf("range: want range(a, b)")
		}
		return value{kind: 'r', items: args.items}, nil
	case '[', '(':
		if depth >= maxDepth {
			return value{}, fmt.Errorf("nested too deep")
		}
		closer := byte(']')
		if t.kind == '(' {
			closer = ')'
		}
		v := value{kind: t.kind}
		for p.peek().kind != closer {
			x, err := p.value(depth + 1)
			if err != nil {
				return value{}, err
			}
			v.items = append(v.items, x)
			if p.peek().kind == ',' {
				p.next()
			} else if p.peek().kind != closer {
				return value{}, fmt.Errorf("%s: want , or %c", p.peek(), closer)
			}
		}
		p.next()
		return v, nil
	}
	return value{}, fmt.Errorf("unexpected %s", t)
}
