// Package pool keeps the engine's scratch slices for reuse, one sync.Pool per element type, so
// that the per-sample passes (packing panels, padding planes) allocate once per goroutine and
// size rather than once per call.
package pool

import "sync"

// Float is the element type of the numeric core.
type Float interface{ ~float32 | ~float64 }

var (
	pool32 = sync.Pool{New: func() any { return new([]float32) }}
	pool64 = sync.Pool{New: func() any { return new([]float64) }}
)

// Get returns a slice of n values (their contents are whatever the last user left); give it
// back with Put.
func Get[T Float](n int) *[]T {
	var p *[]T
	if _, ok := any(p).(*[]float32); ok {
		p = pool32.Get().(*[]T)
	} else {
		p = pool64.Get().(*[]T)
	}
	if cap(*p) < n {
		*p = make([]T, n)
	}
	*p = (*p)[:n]
	return p
}

// Put gives a slice from Get back.
func Put[T Float](p *[]T) {
	if _, ok := any(p).(*[]float32); ok {
		pool32.Put(p)
	} else {
		pool64.Put(p)
	}
}
