//go:build wasip1

// Command wasi is the WASI reactor of filedex, built into libfiledex.wasm by
// `make wasm` (GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
// -tags sqlite3_dotlk). The host calls _initialize once, then these exports:
//
//	fdx_alloc(len i32) → ptr i32           guest memory for the host to write into
//	fdx_free(ptr i32)                      releases fdx_alloc'd memory and every returned buffer
//	fdx_open(ptr i32, len i32) → i64       handle, 0 on failure (then fdx_last_error)
//	fdx_call(h i64, ptr i32, len i32) → i64  response packed ptr<<32 | len
//	fdx_call_buf(h i64, ptr i32, len i32, cap i32) → i64  fdx_call, answering in the host's buffer
//	fdx_close(h i64) → i32                 0 on success
//	fdx_last_error() → i64                 packed like fdx_call; 0 if none
//
// Memory ownership: the host owns what it allocates with fdx_alloc (the
// request and options buffers): the guest never frees them, and reads them
// only during the call (fdx_call_buf also writes its response there), so the
// host may reuse one buffer for many calls and frees it with fdx_free. The
// guest owns nothing it returns: each response and each fdx_last_error result
// is a fresh buffer the host must release with fdx_free after copying it out —
// except an fdx_call_buf response whose pointer is the host's own buffer.
//
// fdx_call_buf saves the fdx_free round trip (a guest entry, which under a
// cancellable wazero host also costs a watcher goroutine) on every response
// that fits: the request's buffer [ptr, ptr+cap) receives the response when
// it is at most cap bytes, and the result then packs ptr itself; a larger
// response comes back in a fresh buffer, as from fdx_call.
//
// A WASI guest is single-threaded: the host must not call into one instance
// concurrently (wasmhost serializes; Node is single-threaded anyway).
package main

import (
	"context"
	"unsafe"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/internal/handles"
)

func main() {} // a reactor's main never runs; -buildmode=c-shared needs one

var table handles.Table

// pinned keeps every buffer the host may still touch reachable. Go's garbage
// collector does not move objects, so the address stays valid while the slice
// is referenced here; without this entry the GC would reclaim the memory
// behind the host's back. Keyed by address, which is what crosses the ABI.
var pinned = map[uint32][]byte{}

// lastError is the most recent fdx_open failure, as a JSON error object.
var lastError []byte

// alloc returns a pinned buffer of n bytes (at least 1, so the address is
// unique and non-zero even for empty payloads).
func alloc(n int32) (uint32, []byte) {
	buf := make([]byte, max(n, 1))
	p := uint32(uintptr(unsafe.Pointer(&buf[0])))
	pinned[p] = buf
	return p, buf[:n]
}

// view returns the host-written bytes at ptr without copying. Callers copy
// what they keep (parsing copies anyway).
func view(ptr, n int32) []byte {
	if n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(uint32(ptr)))), n)
}

// packed copies b into a new pinned buffer and returns ptr<<32 | len.
func packed(b []byte) int64 {
	p, buf := alloc(int32(len(b)))
	copy(buf, b)
	return int64(uint64(p)<<32 | uint64(uint32(len(b))))
}

// pin is packed for a buffer nothing else refers to (a response): it pins b
// itself instead of a copy.
func pin(b []byte) int64 {
	if cap(b) == 0 {
		return packed(b)
	}
	p := uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	pinned[p] = b
	return int64(uint64(p)<<32 | uint64(uint32(len(b))))
}

//go:wasmexport fdx_alloc
func fdxAlloc(n int32) int32 {
	if n < 0 {
		return 0
	}
	p, _ := alloc(n)
	return int32(p)
}

//go:wasmexport fdx_free
func fdxFree(ptr int32) {
	delete(pinned, uint32(ptr)) // unknown pointers (and 0) are ignored
}

//go:wasmexport fdx_open
func fdxOpen(ptr, n int32) (h int64) {
	// A panic escaping an export kills the instance, with every open
	// library in it: recover at each export as well as in dispatch.
	defer func() {
		if r := recover(); r != nil {
			lastError = bindings.ErrorJSON(bindings.Errorf(bindings.CodeInternal, "internal error: panic in fdx_open: %v", r))
			h = 0
		}
	}()
	lastError = nil
	opts, err := bindings.ParseOpenOptions(view(ptr, n))
	if err != nil {
		lastError = bindings.ErrorJSON(err)
		return 0
	}
	e, err := bindings.OpenNative(opts)
	if err != nil {
		lastError = bindings.ErrorJSON(err)
		return 0
	}
	return int64(table.Add(e))
}

//go:wasmexport fdx_call
func fdxCall(h int64, ptr, n int32) int64 {
	return pin(call(h, ptr, n))
}

//go:wasmexport fdx_call_buf
func fdxCallBuf(h int64, ptr, n, size int32) int64 {
	resp := call(h, ptr, n)
	if size < n || len(resp) > int(size) {
		return pin(resp)
	}
	copy(view(ptr, size), resp)
	return int64(uint64(uint32(ptr))<<32 | uint64(uint32(len(resp))))
}

// call runs the request at ptr. It reads the request where the host wrote it,
// without a copy: the guest is single-threaded, so the buffer cannot change
// while the call runs, and nothing refers to it afterwards (params are
// decoded into copies; the id is copied into the response, which is a fresh
// buffer).
func call(h int64, ptr, n int32) (resp []byte) {
	req := view(ptr, n)
	defer func() {
		if r := recover(); r != nil {
			resp = bindings.ErrorResponse(req, bindings.Errorf(bindings.CodeInternal, "internal error: panic in fdx_call: %v", r))
		}
	}()
	e := table.Get(uint64(h))
	if e == nil {
		return bindings.ErrorResponse(req, bindings.Errorf(bindings.CodeInvalidRequest, "invalid request: unknown or closed handle %d", uint64(h)))
	}
	// The host cannot pass a Go context; it cancels by closing the instance
	// (wazero's WithCloseOnContextDone), which stops this call wherever it is.
	return e.Call(context.Background(), req)
}

//go:wasmexport fdx_close
func fdxClose(h int64) (rc int32) {
	defer func() {
		if r := recover(); r != nil {
			rc = -1
		}
	}()
	e := table.Remove(uint64(h))
	if e == nil || e.Close() != nil {
		return -1
	}
	return 0
}

//go:wasmexport fdx_last_error
func fdxLastError() int64 {
	if lastError == nil {
		return 0
	}
	return packed(lastError)
}
