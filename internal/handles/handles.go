// Package handles maps the integer handles that cross the C and WASI ABIs to
// engines. Foreign code never holds a Go pointer: it holds a number that is
// looked up here on every call, so the garbage collector stays free to manage
// the engine and a stale or forged handle is an error, not a crash.
package handles

import (
	"sync"
	"sync/atomic"

	"github.com/filedex/filedex/bindings"
)

// Table is a thread-safe handle table. The zero value is ready to use.
// Handles start at 1 (0 means failure in the ABIs) and are never reused within
// a process, so a handle used after fdx_close cannot reach another library.
//
// Get is on every call's path and takes no lock: it reads an immutable map
// that Add and Remove (rare: once per open and close) replace by a copy. Calls
// on different handles thus share nothing here.
type Table struct {
	mu   sync.Mutex // serializes Add and Remove
	last uint64
	m    atomic.Pointer[map[uint64]bindings.Engine]
}

// Add stores e and returns its new handle.
func (t *Table) Add(e bindings.Engine) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last++
	m := t.clone()
	m[t.last] = e
	t.m.Store(&m)
	return t.last
}

// Get returns the engine of h, or nil.
func (t *Table) Get(h uint64) bindings.Engine {
	if m := t.m.Load(); m != nil {
		return (*m)[h]
	}
	return nil
}

// Remove deletes h and returns its engine, or nil if h is unknown. The caller
// closes the engine; calls already in flight on it finish first, because the
// engine serializes its own calls and Close.
func (t *Table) Remove(h uint64) bindings.Engine {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.clone()
	e := m[h]
	delete(m, h)
	t.m.Store(&m)
	return e
}

// clone copies the current map; t.mu is held.
func (t *Table) clone() map[uint64]bindings.Engine {
	m := map[uint64]bindings.Engine{}
	if old := t.m.Load(); old != nil {
		for h, e := range *old {
			m[h] = e
		}
	}
	return m
}
