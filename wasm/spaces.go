package main

import (
	"fmt"
	"strconv"
	"strings"

	"gradsign/engine/darts"
	"gradsign/engine/gradsign"
	"gradsign/engine/graph"
	"gradsign/engine/nb101"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/refset"
)

// archRef names an architecture of any search space the page offers.
type archRef struct {
	// Space is nb201 (the default), nb101, darts or nds.
	Space string `json:"space"`
	// Arch is the architecture in its space's own terms: nb201 an arch string or an index;
	// nb101 a cell as the table writes it (its 49 digits, a space, the ops joined by "|"), its
	// hash or a row of the shipped table; darts a genotype, a name pycls gives one or a row of
	// the shipped NAS-Bench-301 genotypes; nds a genotype or a name.
	Arch string `json:"arch"`
	// Channels is the network's width (nb101: the stem's channels; darts and nds: C), 0 for
	// the benchmark's own network.
	Channels int `json:"channels"`
	// Init (space onnx, whose Arch is a loaded model's id) draws the weights from the seed
	// with PyTorch's default initialisation instead of taking the file's.
	Init bool `json:"init"`
}

// spaceFact describes a space to the page: its name, the widths it offers (the first the
// benchmark's own network), the rows of its shipped table and the named genotypes.
type spaceFact struct {
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Channels []int    `json:"channels"`
	Rows     int      `json:"rows"`
	Named    []string `json:"named,omitempty"`
	Ops      []string `json:"ops,omitempty"` // nb101's interior vertex ops; darts/nds: the cell ops
}

// maxChannels bounds a network's width in the browser.
const maxChannels = 256

// engineMemory is the most one engine (a Web Worker's wasm module, 4 GiB of address space at
// most) may need for a score by network.Plan's estimate: Go's collector lets the heap grow to
// about twice what is live, and NAS-Bench-101's largest network (902 MiB estimated) took 2,151
// MB of wasm memory in Chromium.
const engineMemory = 1 << 30

// pageMemory is what the engines of one page may need together, by the same estimate: a score
// of a large network runs on fewer engines than the pool has.
const pageMemory = 2 << 30

// The shipped tables' rows: the page lists the spaces before it loads their tables (when one
// is first asked about), and loadSpaces holds the tables to these.
const (
	nb101Rows = 1000
	nb301Rows = 1218
)

func (s *session) spaceFacts() []spaceFact {
	var ops []string
	for o := nb101.Conv3x3; o <= nb101.MaxPool3x3; o++ {
		ops = append(ops, o.String())
	}
	return []spaceFact{
		{Name: "nb201", Title: "NAS-Bench-201", Channels: []int{16}, Rows: nb201.NumArchs},
		{Name: "nb101", Title: "NAS-Bench-101", Channels: []int{128, 16}, Rows: nb101Rows, Ops: ops},
		{Name: "darts", Title: "DARTS (NAS-Bench-301)", Channels: []int{32, 16}, Rows: nb301Rows, Named: darts.Names(), Ops: darts.Ops},
		{Name: "nds", Title: "NDS (pycls)", Channels: []int{16, 32}, Named: darts.Names(), Ops: darts.NDSOps()},
		{Name: "onnx", Title: "Your own network (ONNX)", Channels: []int{0}},
	}
}

// resolved is resolve's answer: the network's graph, its plan (counts and memory estimates,
// no weights) and what the page is told of it. The answers for the architectures asked about
// last are kept: one score asks about its architecture several times (check, lookup, history
// key, each worker's network, finish), and the plan and the structural-zero analysis of a
// network cost tens of milliseconds in wasm.
type resolved struct {
	spec graph.Spec
	plan *network.Network[float32]
	info archInfo
}

// maxResolved bounds the kept answers.
const maxResolved = 32

// resolve checks an architecture and describes it: the network's graph and what the benchmark
// knows of it. No weights are allocated.
func (s *session) resolve(r archRef) (resolved, error) {
	s.resolvedMu.Lock()
	got, ok := s.resolvedCache[r]
	s.resolvedMu.Unlock()
	if ok {
		return got.resolved, got.err
	}
	res, err := s.resolveNew(r)
	s.resolvedMu.Lock()
	if s.resolvedCache == nil || len(s.resolvedCache) >= maxResolved {
		s.resolvedCache = map[archRef]resolveAnswer{}
	}
	s.resolvedCache[r] = resolveAnswer{res, err}
	s.resolvedMu.Unlock()
	return res, err
}

// resolveAnswer is a kept answer of resolve, an error included.
type resolveAnswer struct {
	resolved
	err error
}

func (s *session) resolveNew(r archRef) (resolved, error) {
	query := strings.TrimSpace(r.Arch)
	if r.Init && r.Space != "onnx" {
		return resolved{}, fmt.Errorf("init chooses an ONNX model's weights (space onnx)")
	}
	if r.Channels != 0 && (r.Channels < 1 || r.Channels > maxChannels) {
		return resolved{}, fmt.Errorf("channels %d: want 1..%d, or 0 for the benchmark's own network", r.Channels, maxChannels)
	}
	// A number is an index of NAS-Bench-201 or a row of the space's table.
	isRow := query != "" && strings.Trim(query, "0123456789.-+eE") == ""
	row := func(what string, rows int) (int, error) {
		i, err := strconv.Atoi(query)
		if err != nil || i < 0 || i >= rows {
			return 0, fmt.Errorf("%s %s: want a whole number from 0 to %d", what, nb201.Quote(query), rows-1)
		}
		return i, nil
	}
	info := archInfo{Space: r.Space}
	var spec graph.Spec
	switch r.Space {
	case "", "nb201":
		info.Space = "nb201"
		if r.Channels != 0 && r.Channels != 16 {
			return resolved{}, fmt.Errorf("channels %d: the page scores NAS-Bench-201's own network (C=16); the CLI takes --channels", r.Channels)
		}
		var e nb201.Entry
		if isRow {
			i, err := row("index", nb201.NumArchs)
			if err != nil {
				return resolved{}, err
			}
			e, _ = s.table.At(i)
		} else {
			a, err := nb201.ParseArch(query)
			if err != nil {
				return resolved{}, err
			}
			e = s.table.Lookup(a)
		}
		info.Index, info.Arch, info.Channels, info.Accuracy = &e.Index, e.Arch.String(), 16, e.AccuracyByName()
		info.Truth = fmt.Sprintf("test accuracy after 200 epochs: CIFAR-10 %.2f%%, CIFAR-100 %.2f%%, ImageNet16-120 %.2f%%", e.Accuracy[0], e.Accuracy[1], e.Accuracy[2])
		spec = nb201.CIFAR10(e.Arch)
	case "nb101":
		if s.nb101 == nil {
			return resolved{}, fmt.Errorf("the NAS-Bench-101 table is not loaded (loadSpaces)")
		}
		var cell nb101.Cell
		switch {
		case isRow:
			i, err := row("row", s.nb101.Len())
			if err != nil {
				return resolved{}, err
			}
			e, _ := s.nb101.At(i)
			cell = e.Cell
		case len(query) == 32 && strings.Trim(query, "0123456789abcdef") == "":
			e, _, ok := s.nb101.Lookup(query)
			if !ok {
				return resolved{}, fmt.Errorf("no cell of hash %s in the shipped NAS-Bench-101 table (1,000 cells): give its adjacency and ops", query)
			}
			cell = e.Cell
		default:
			c, err := nb101.ParseCellString(query)
			if err != nil {
				return resolved{}, err
			}
			cell = c
		}
		cfg := nb101.CIFAR10(cell)
		cfg.Stem = orDefault(r.Channels, cfg.Stem)
		spec, info.Arch, info.Hash, info.Channels = cfg, cell.String(), cell.Hash(), cfg.Stem
		if e, i, ok := s.nb101.Lookup(info.Hash); ok {
			info.Index = &i
			info.Accuracy = map[string]float64{"valid108": e.Valid108, "valid36": e.Valid36, "valid12": e.Valid12, "valid4": e.Valid4}
			info.Truth = fmt.Sprintf("CIFAR-10 validation accuracy after 108 epochs %.2f%% (36: %.2f%%, 12: %.2f%%, 4: %.2f%%), of the network with a stem of 128 channels", e.Valid108, e.Valid36, e.Valid12, e.Valid4)
		}
	case "darts", "nds":
		if s.nb301 == nil {
			return resolved{}, fmt.Errorf("the NAS-Bench-301 table is not loaded (loadSpaces)")
		}
		var g darts.Genotype
		var err error
		switch {
		case isRow && r.Space == "darts":
			i, err := row("row", s.nb301.Len())
			if err != nil {
				return resolved{}, err
			}
			e, _ := s.nb301.At(i)
			g = e.Genotype
		case isRow:
			return resolved{}, fmt.Errorf("nds has no table: give a genotype or a name (%s)", strings.Join(darts.Names(), ", "))
		default:
			if g, err = darts.Parse(query); err != nil {
				return resolved{}, err
			}
		}
		cfg := darts.NB301(g)
		if r.Space == "nds" {
			cfg.NDS, cfg.C = true, 16
		}
		cfg.C = orDefault(r.Channels, cfg.C)
		spec, info.Arch, info.Channels, info.Genotype = cfg, g.String(), cfg.C, &g
		for _, name := range darts.Names() {
			if n, _ := darts.Named(name); n.String() == info.Arch {
				info.Named = name
			}
		}
		if i, ok := s.nb301.Lookup(g); ok && r.Space == "darts" {
			e, _ := s.nb301.At(i)
			info.Index = &i
			info.Accuracy = map[string]float64{"nb301": e.Accuracy}
			info.Truth = fmt.Sprintf("CIFAR-10 validation accuracy %.2f%%: NAS-Bench-301's surrogate prediction for the network with C=32, not a trained one", e.Accuracy)
		}
	case "onnx":
		m, err := s.modelOf(query)
		if err != nil {
			return resolved{}, err
		}
		if r.Channels != 0 {
			return resolved{}, fmt.Errorf("channels %d: an ONNX model's widths are the file's", r.Channels)
		}
		spec, info.Arch, info.Model, info.Init = m.net.Graph, query, &m.info, r.Init
	default:
		return resolved{}, fmt.Errorf("space %s: want nb201, nb101, darts, nds or onnx", nb201.Quote(r.Space))
	}
	net, err := network.Plan[float32](spec)
	if err != nil {
		return resolved{}, err
	}
	info.Params, info.FLOPs = net.NumParams(), net.FLOPs()
	for _, layer := range net.StructuralZeros() {
		for _, z := range layer {
			if z {
				info.StructuralZeros++
			}
		}
	}
	info.Memory = gradsign.MemoryBytes(net, 1, gradsign.Options{Workers: 1})
	info.Engines = int(max(1, pageMemory/info.Memory))
	return resolved{spec, net, info}, nil
}

// orDefault is v, or def where v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// loadSpaces takes the other spaces' tables and references (assets/nb101_1000.csv.gz,
// assets/nb301_1218.csv.gz, assets/reference_spaces.json).
func (s *session) loadSpaces(nb101Gz, nb301Gz, refs []byte) error {
	t1, err := nb101.ReadTableGzip(nb101Gz)
	if err != nil {
		return err
	}
	t3, err := darts.ReadTableGzip(nb301Gz)
	if err != nil {
		return err
	}
	r, err := refset.ReadSpaces(refs)
	if err != nil {
		return err
	}
	if t1.Len() != nb101Rows || t3.Len() != nb301Rows {
		return fmt.Errorf("the NAS-Bench-101 and -301 tables have %d and %d rows, the page lists %d and %d", t1.Len(), t3.Len(), nb101Rows, nb301Rows)
	}
	s.nb101, s.nb301, s.spaceRefs = t1, t3, r
	s.resolvedMu.Lock()
	s.resolvedCache = nil // answers given before the tables came
	s.resolvedMu.Unlock()
	return nil
}

// spaceReference is a space's reference scores, as the page plots them.
func (s *session) spaceReference(space string) (*refset.Space, error) {
	r, ok := s.spaceRefs[space]
	if !ok {
		return nil, fmt.Errorf("no reference scores for space %s", nb201.Quote(space))
	}
	return r, nil
}
