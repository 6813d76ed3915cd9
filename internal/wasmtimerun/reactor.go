package main

import (
	"errors"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// reactor is one instance of libfiledex.wasm. Not safe for concurrent use: a
// Wasm instance runs one call at a time.
type reactor struct {
	store *wasmtime.Store
	mem   *wasmtime.Memory
	fn    struct{ alloc, free, open, call, close, lastError *wasmtime.Func }
}

func (rt *runtime) reactor(dirs []string, stderr string) (*reactor, error) {
	store, inst, err := rt.instantiate([]string{"libfiledex"}, dirs, stdio{stdin: "/dev/null", stdout: "/dev/null", stderr: stderr})
	if err != nil {
		return nil, err
	}
	r := &reactor{store: store}
	// A reactor: _initialize runs Go's runtime and package init, then returns.
	if init := inst.GetFunc(store, "_initialize"); init != nil {
		if _, err := init.Call(store); err != nil {
			store.Close()
			return nil, fmt.Errorf("_initialize: %w", err)
		}
	}
	for name, dst := range map[string]**wasmtime.Func{
		"fdx_alloc": &r.fn.alloc, "fdx_free": &r.fn.free, "fdx_open": &r.fn.open,
		"fdx_call": &r.fn.call, "fdx_close": &r.fn.close, "fdx_last_error": &r.fn.lastError,
	} {
		if *dst = inst.GetFunc(store, name); *dst == nil {
			store.Close()
			return nil, fmt.Errorf("module does not export %s: not a libfiledex.wasm?", name)
		}
	}
	ext := inst.GetExport(store, "memory")
	if ext == nil || ext.Memory() == nil {
		store.Close()
		return nil, errors.New("module exports no memory")
	}
	r.mem = ext.Memory()
	return r, nil
}

func (r *reactor) closeAll() { r.store.Close() }

// put copies b into a new guest buffer, which the caller frees.
func (r *reactor) put(b []byte) (int32, error) {
	res, err := r.fn.alloc.Call(r.store, int32(len(b)))
	if err != nil {
		return 0, err
	}
	ptr := res.(int32)
	if ptr == 0 {
		return 0, errors.New("fdx_alloc failed")
	}
	// Read the memory's bytes after the call: a grown memory moves.
	copy(r.mem.UnsafeData(r.store)[uint32(ptr):], b)
	return ptr, nil
}

// take copies the packed ptr<<32|len guest buffer out and frees it.
func (r *reactor) take(packed int64) ([]byte, error) {
	if packed == 0 {
		return nil, nil
	}
	ptr, n := uint32(uint64(packed)>>32), uint32(packed)
	data := r.mem.UnsafeData(r.store)
	if uint64(ptr)+uint64(n) > uint64(len(data)) {
		return nil, fmt.Errorf("response [%d,+%d) out of range", ptr, n)
	}
	out := append([]byte(nil), data[ptr:ptr+n]...)
	if _, err := r.fn.free.Call(r.store, int32(ptr)); err != nil {
		return nil, err
	}
	return out, nil
}

// open returns a library handle, or 0 and the guest's error object.
func (r *reactor) open(options []byte) (int64, []byte, error) {
	ptr, err := r.put(options)
	if err != nil {
		return 0, nil, err
	}
	defer r.fn.free.Call(r.store, ptr)
	res, err := r.fn.open.Call(r.store, ptr, int32(len(options)))
	if err != nil {
		return 0, nil, err
	}
	if h := res.(int64); h != 0 {
		return h, nil, nil
	}
	res, err = r.fn.lastError.Call(r.store)
	if err != nil {
		return 0, nil, err
	}
	msg, err := r.take(res.(int64))
	return 0, msg, err
}

// call sends one JSON-RPC request; a notification answers nothing.
func (r *reactor) call(h int64, req []byte) ([]byte, error) {
	ptr, err := r.put(req)
	if err != nil {
		return nil, err
	}
	defer r.fn.free.Call(r.store, ptr)
	res, err := r.fn.call.Call(r.store, h, ptr, int32(len(req)))
	if err != nil {
		return nil, err
	}
	return r.take(res.(int64))
}

func (r *reactor) close(h int64) (int32, error) {
	res, err := r.fn.close.Call(r.store, h)
	if err != nil {
		return 0, err
	}
	return res.(int32), nil
}
