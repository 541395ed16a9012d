package main

import (
	"context"
	"fmt"
	"strings"

	"gradsign/engine/backend/cpu"
	"gradsign/engine/gradsign"
	"gradsign/engine/layers"
	"gradsign/engine/network"
)

// maxSignImages and maxSignWeights bound the sign view: a picture, not a second score.
const (
	maxSignImages  = 32
	maxSignWeights = 64
)

// signView shows GradSign's idea on a few weights: for each of the first n images alone, the
// sign (+1, -1 or 0) of its loss gradient at k weights of one layer, spread evenly over it:
// NAS-Bench-201's first convolution of the first cell (the stem's when the cell has none),
// elsewhere the layer after the stem.
// Sums are each weight's sum of signs over the images, Score the sum of their magnitudes (what
// these weights add to GradSign), Agreement Score / (n·k), and Chance what random signs agree
// on average at n (gradsign.Chance).
type signView struct {
	Layer     string   `json:"layer"`
	Weights   []int    `json:"weights"` // positions in the layer's weight tensor
	Signs     [][]int8 `json:"signs"`   // [image][weight]
	Sums      []int    `json:"sums"`
	Score     int      `json:"score"`
	Agreement float64  `json:"agreement"`
	Chance    float64  `json:"chance"`
}

// signSamples computes the sign view of n images and k weights, handing each image's row to
// row as it is done (so the page fills the picture in as the images go by); a cancelled ctx
// stops it before the next image.
func (s *session) signSamples(ctx context.Context, arch archRef, seed uint64, n, k int, row func(image int, signs []int8)) (signView, error) {
	if n < 1 || n > maxSignImages || k < 1 || k > maxSignWeights {
		return signView{}, fmt.Errorf("sign view of %d images and %d weights: want 1..%d images and 1..%d weights", n, k, maxSignImages, maxSignWeights)
	}
	net, err := s.network(arch, seed)
	if err != nil {
		return signView{}, err
	}
	layer := net.Weights()[0] // the stem
	if w := net.Weights(); len(w) > 1 && arch.Space != "" && arch.Space != "nb201" {
		layer = w[1] // the layer after the stem
	}
	for _, p := range net.Weights() {
		if strings.HasPrefix(net.Params[p].Name, "cells.0.layers.") {
			layer = p
			break
		}
	}
	size := net.Params[layer].Size()
	v := signView{Layer: strings.TrimSuffix(net.Params[layer].Name, ".weight")}
	for i := range min(k, size) {
		v.Weights = append(v.Weights, i*size/min(k, size))
	}
	x, labels, err := s.batch(net, 0, n)
	if err != nil {
		return signView{}, err
	}
	ws := net.NewWorkspace(cpu.New[float32](1), 1, network.PerSample) // a batch of one: its gradient is that image's
	dlogits := make([]float32, net.Classes)
	for i := range n {
		if err := ctx.Err(); err != nil { // the page asked for the cores back (a new score)
			return signView{}, err
		}
		logits := ws.Forward(x[i*net.InputSize() : (i+1)*net.InputSize()])
		layers.SoftmaxCrossEntropy(make([]float32, 1), dlogits, logits, labels[i:i+1], 1, net.Classes, 1)
		ws.Backward(dlogits)
		g := ws.ParamGrad(layer)
		signs := make([]int8, len(v.Weights))
		for j, w := range v.Weights {
			switch {
			case g[w] > 0:
				signs[j] = 1
			case g[w] < 0:
				signs[j] = -1
			}
		}
		v.Signs = append(v.Signs, signs)
		if row != nil {
			row(i, signs)
		}
	}
	v.Sums = make([]int, len(v.Weights))
	for _, signs := range v.Signs {
		for j, sg := range signs {
			v.Sums[j] += int(sg)
		}
	}
	for _, sum := range v.Sums {
		v.Score += max(sum, -sum)
	}
	v.Agreement = float64(v.Score) / float64(n*len(v.Weights))
	v.Chance = gradsign.Chance(n)
	return v, nil
}
