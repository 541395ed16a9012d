// Package network builds NAS-Bench-201's TinyNetwork for any cell, width, depth, input size
// and class count, with NAS-Bench-201's own parameter names, and runs its forward and
// backward passes over a batch.
//
// A Network holds the weights and the graph of operations; it does not change while it runs,
// so several goroutines may share one. All mutable state (activations, gradients, BatchNorm
// statistics, a copy of the parameters) lives in a Workspace, one per goroutine, sized for a
// batch, in the buffers of a backend (package backend), which runs every operation.
//
// BatchNorm runs in train mode, with statistics either per sample (what PyTorch computes for a
// batch of one: a batch of B per-sample passes gives exactly B independent batch-of-one
// passes, with B times fewer calls) or over the mini-batch. Weight gradients are either summed
// over the batch or, with FoldSigns, each sample's folded into sign accumulators inside the
// backend the moment it exists, so memory never holds a gradient per sample.
package network
