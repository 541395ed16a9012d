package main

import (
	"fmt"
	"hash/fnv"
	"strings"

	"gradsign/engine/cifar"
	"gradsign/engine/graph"
	"gradsign/engine/onnx"
)

// Models: ONNX files the person dropped into the page, read by every engine (the file never
// leaves the machine). The page names a model by its id (length and hash) in archRef's Arch, with
// Space "onnx"; Init says whether its weights are drawn from the seed (GradSign's setting)
// instead of taken from the file.

// maxModelBytes bounds a dropped file: the engine holds it, its weights and a network built
// from them within one engine's memory.
const maxModelBytes = 256 << 20

// maxModels bounds the models an engine keeps: the page scores one at a time.
const maxModels = 4

// modelInfo is what the page is told of a model: its id, its structure as the engine runs it
// (nodes in order, weight layers named by their ONNX nodes), and what reading it assumed.
type modelInfo struct {
	ID     string      `json:"id"`
	Input  string      `json:"input"`
	Size   [2]int      `json:"size"` // the input's height and width
	Ops    int         `json:"ops"`  // the file's nodes
	Nodes  []modelNode `json:"nodes"`
	Notes  []string    `json:"notes,omitempty"`
	Folded bool        `json:"folded"`
}

// modelNode is one node of the engine's graph of a model.
type modelNode struct {
	Op     string `json:"op"`
	Shape  string `json:"shape"` // the output's per-image shape, C×H×W
	Params int    `json:"params"`
	Layer  string `json:"layer,omitempty"` // a weight layer's name, as the result's layers name it
	Detail string `json:"detail,omitempty"`
}

type model struct {
	net  *onnx.Network
	info modelInfo
}

// loadModel reads an ONNX file; a model whose BatchNorms were folded away is refused unless
// allowFolded (then labelled).
func (s *session) loadModel(b []byte, allowFolded bool) (modelInfo, error) {
	if len(b) > maxModelBytes {
		return modelInfo{}, fmt.Errorf("the file is %d MiB; the page reads models of up to %d MiB (the CLI takes larger ones)", len(b)>>20, maxModelBytes>>20)
	}
	net, err := onnx.Read(b, onnx.Options{AllowFolded: allowFolded})
	if err != nil {
		return modelInfo{}, err
	}
	// The id: the file's length and 64-bit FNV-1a hash (crypto/sha256 would bring Go's FIPS
	// module into the wasm binary).
	h := fnv.New64a()
	h.Write(b)
	id := fmt.Sprintf("onnx:%d:%016x", len(b), h.Sum64())
	if net.Folded {
		id += "+folded"
	}
	info := modelInfo{ID: id, Input: net.Input, Size: [2]int{net.H, net.W}, Notes: net.Notes, Folded: net.Folded}
	for _, c := range net.Ops {
		info.Ops += c
	}
	info.Nodes = describe(net.Graph)
	// What scoring will change of the images and labels (cifar.Fit's notes).
	_, fit := cifar.Fit(make([]float32, cifar.Pixels), []int{0}, cifar.CIFAR10, net.H, net.W, net.Graph.Classes)
	info.Notes = append(info.Notes, fit...)
	if net.Folded {
		info.Notes = append(info.Notes, "its BatchNorms were folded into its convolutions (an eval-mode export): scored as it is, without GradSign's per-sample BatchNorm")
	}
	s.modelsMu.Lock()
	defer s.modelsMu.Unlock()
	if s.models == nil || len(s.models) >= maxModels {
		s.models = map[string]*model{}
	}
	s.models[id] = &model{net, info}
	s.resolvedMu.Lock()
	s.resolvedCache = nil // an answer given before the model came
	s.resolvedMu.Unlock()
	return info, nil
}

// describe lists a graph's nodes for the page.
func describe(g *graph.Graph) []modelNode {
	nodes := make([]modelNode, len(g.Nodes))
	for i, n := range g.Nodes {
		s := g.Shape(n.Out)
		m := modelNode{Op: n.Op.String(), Shape: fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W)}
		for _, p := range n.Params {
			if g.Params[p].Trainable() {
				m.Params += g.Params[p].Size()
			}
		}
		if len(n.Params) > 0 && g.Params[n.Params[0]].IsWeight() {
			m.Layer = strings.TrimSuffix(g.Params[n.Params[0]].Name, ".weight")
		}
		switch n.Op {
		case graph.Conv:
			kw, sw, _ := n.Conv.Width()
			m.Detail = fmt.Sprintf("%d×%d, stride %d", n.Conv.K, kw, max(n.Conv.Stride, sw))
		case graph.Depthwise:
			m.Detail = fmt.Sprintf("%d×%d depthwise, stride %d", n.Depthwise.K, n.Depthwise.K, n.Depthwise.Stride)
		case graph.MaxPool, graph.AvgPool:
			m.Detail = fmt.Sprintf("%d×%d, stride %d", n.Pool.K, n.Pool.K, n.Pool.Stride)
		case graph.Activation:
			m.Op = n.Act.Fn.String()
		}
		nodes[i] = m
	}
	return nodes
}

// modelOf is the model an archRef names.
func (s *session) modelOf(id string) (*model, error) {
	s.modelsMu.Lock()
	defer s.modelsMu.Unlock()
	m, ok := s.models[id]
	if !ok {
		return nil, fmt.Errorf("no model %s is loaded in this engine: load the ONNX file first", id)
	}
	return m, nil
}
