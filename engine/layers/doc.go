// Package layers holds the forward and backward passes of every layer a NAS-Bench-201 network
// is made of, written by hand, in the style of llm.c: a layer is XForward(out, inp, w, ...) and
// XBackward(dinp, dw, dout, inp, w, ...), outputs first. Backward functions accumulate (+=) into
// the gradients they are given, so a tensor read by several layers collects every contribution.
//
// Tensors are flat row-major slices in NCHW layout; shapes are written in comments. Functions
// are generic over float32 (scoring, as PyTorch does) and float64 (gradient checks, synflow).
// They panic when slices are shorter than their shapes say: that is a programmer's error.
package layers
