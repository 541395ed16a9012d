// Package nb201 knows the NAS-Bench-201 search space: its five operations, its architecture
// strings (parsed and printed in the benchmark's own format) and its ground-truth table, which
// maps each benchmark index to an architecture and the accuracies it reaches after training.
package nb201
