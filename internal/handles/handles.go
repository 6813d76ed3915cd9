// Package handles maps the integer handles that cross the C and WASI ABIs to
// engines. Foreign code never holds a Go pointer: it holds a number that is
// looked up here on every call, so the garbage collector stays free to manage
// the engine and a stale or forged handle is an error, not a crash.
package handles

import (
	"sync"

	"github.com/filedex/filedex/bindings"
)

// Table is a thread-safe handle table. The zero value is ready to use.
// Handles start at 1 (0 means failure in the ABIs) and are never reused within
// a process, so a handle used after fdx_close cannot reach another library.
type Table struct {
	mu   sync.Mutex
	last uint64
	m    map[uint64]bindings.Engine
}

// Add stores e and returns its new handle.
func (t *Table) Add(e bindings.Engine) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[uint64]bindings.Engine{}
	}
	t.last++
	t.m[t.last] = e
	return t.last
}

// Get returns the engine of h, or nil.
func (t *Table) Get(h uint64) bindings.Engine {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[h]
}

// Remove deletes h and returns its engine, or nil if h is unknown. The caller
// closes the engine; calls already in flight on it finish first, because the
// engine serializes its own calls and Close.
func (t *Table) Remove(h uint64) bindings.Engine {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[h]
	delete(t.m, h)
	return e
}
