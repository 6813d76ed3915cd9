// Command capi is the C ABI of filedex, built with -buildmode=c-shared into
// libfiledex.so (`make capi`). The functions and their ownership rules are
// declared in filedex.h beside this file; this file only adapts them to the
// bindings package (no business logic here).
//
// Memory: every string this library returns to C is allocated with C.malloc
// and owned by the caller, who frees it with fdx_free (free.c: plain C, so
// freeing does not enter the Go runtime) — except fdx_version's, which is
// allocated once and lives as long as the process.
// No Go pointer ever crosses: handles are integers looked up in a table.
//
// Panics: every exported function recovers, because a Go panic unwinding into
// a C caller aborts the whole process.
package main

/*
#include <stdint.h>
#include <stdlib.h>
typedef uint64_t fdx_handle;
typedef void (*fdx_notify_fn)(void *user_data, const char *notification_json);
void fdx_invoke_notify(fdx_notify_fn fn, void *user_data, const char *notification_json);
*/
import "C"

import (
	"context"
	"sync"
	"unsafe"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/internal/handles"
)

func main() {} // required by -buildmode=c-shared; never runs

var table handles.Table

//export fdx_open
func fdx_open(optionsJSON *C.char, errorJSON **C.char) (h C.fdx_handle) {
	defer func() {
		if r := recover(); r != nil {
			setError(errorJSON, bindings.Errorf(bindings.CodeInternal, "internal error: panic in fdx_open: %v", r))
			h = 0
		}
	}()
	if errorJSON != nil {
		*errorJSON = nil
	}
	if optionsJSON == nil {
		setError(errorJSON, bindings.Errorf(bindings.CodeInvalidParams, "invalid params: options_json is NULL"))
		return 0
	}
	opts, err := bindings.ParseOpenOptions([]byte(C.GoString(optionsJSON)))
	if err != nil {
		setError(errorJSON, err)
		return 0
	}
	e, err := bindings.OpenNative(opts)
	if err != nil {
		setError(errorJSON, err)
		return 0
	}
	return C.fdx_handle(table.Add(e))
}

// setError stores err as a JSON error object in *out (if out is not NULL).
func setError(out **C.char, err error) {
	if out == nil {
		return
	}
	*out = C.CString(string(bindings.ErrorJSON(err)))
}

//export fdx_call
func fdx_call(h C.fdx_handle, requestJSON *C.char) (resp *C.char) {
	// The request is copied: it stays the caller's and may be freed or
	// reused as soon as we return.
	var req []byte
	defer func() {
		if r := recover(); r != nil {
			resp = cBytes(bindings.ErrorResponse(req, bindings.Errorf(bindings.CodeInternal, "internal error: panic in fdx_call: %v", r)))
		}
	}()
	if requestJSON == nil {
		return cBytes(bindings.ErrorResponse(nil, bindings.Errorf(bindings.CodeInvalidRequest, "invalid request: request_json is NULL")))
	}
	req = append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(requestJSON)), cStrlen(requestJSON))...)
	e := table.Get(uint64(h))
	if e == nil {
		return cBytes(bindings.ErrorResponse(req, bindings.Errorf(bindings.CodeInvalidRequest, "invalid request: unknown or closed handle %d", uint64(h))))
	}
	ctx := context.Background()
	if n, ok := notifiers.Load(uint64(h)); ok {
		n := n.(notifier)
		ctx = bindings.WithNotify(ctx, func(b []byte) {
			// Borrowed by the callback for its duration, like every string passed in.
			p := cBytes(b)
			C.fdx_invoke_notify(n.fn, n.user, p)
			C.free(unsafe.Pointer(p))
		})
	}
	// A notification has no response, but fdx_call never returns NULL: it
	// returns "" (still to be freed) so C callers need no special case.
	return cBytes(e.Call(ctx, req))
}

// notifier is a C function registered with fdx_set_notify, and its user data.
type notifier struct {
	fn   C.fdx_notify_fn
	user unsafe.Pointer
}

// notifiers maps a handle to its notifier (handles are never reused, so a stale entry
// cannot reach another library; fdx_close deletes it anyway).
var notifiers sync.Map

//export fdx_set_notify
func fdx_set_notify(h C.fdx_handle, fn C.fdx_notify_fn, user unsafe.Pointer) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			rc = -1
		}
	}()
	if table.Get(uint64(h)) == nil {
		return -1
	}
	if fn == nil {
		notifiers.Delete(uint64(h))
	} else {
		notifiers.Store(uint64(h), notifier{fn: fn, user: user})
	}
	return 0
}

// cStrlen is strlen without a call into C (which would cost more than the
// loop for a request).
func cStrlen(p *C.char) int {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return n
}

// cBytes is C.CString for a []byte, without the intermediate Go string: a
// malloc'd NUL-terminated copy of b.
func cBytes(b []byte) *C.char {
	p := C.malloc(C.size_t(len(b) + 1)) // cgo's malloc never returns nil
	dst := unsafe.Slice((*byte)(p), len(b)+1)
	copy(dst, b)
	dst[len(b)] = 0
	return (*C.char)(p)
}

//export fdx_close
func fdx_close(h C.fdx_handle) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			rc = -1
		}
	}()
	e := table.Remove(uint64(h))
	if e == nil {
		return -1
	}
	notifiers.Delete(uint64(h))
	if err := e.Close(); err != nil {
		return -1
	}
	return 0
}

var version = sync.OnceValue(func() *C.char {
	// Allocated once, never freed: the header promises a static string.
	return C.CString(bindings.Version)
})

//export fdx_version
func fdx_version() *C.char { return version() }
