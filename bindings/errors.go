package bindings

import (
	"context"
	"errors"
	"fmt"
)

// JSON-RPC 2.0 error codes. The first five are the specification's; the
// application codes live in the -32000..-32099 range the specification reserves
// for implementations. The numbers are part of the public contract (docs/rpc.md):
// never renumber one, only add.
const (
	CodeParseError     = -32700 // the request is not valid JSON
	CodeInvalidRequest = -32600 // valid JSON, but not a JSON-RPC 2.0 request we accept
	CodeMethodNotFound = -32601 // no such method
	CodeInvalidParams  = -32602 // params do not decode into the method's params type

	CodeInternal  = -32000 // a bug: an unexpected error or a recovered panic
	CodeNotFound  = -32001 // the entry, location, tag, job … does not exist
	CodeConflict  = -32002 // the object exists already, or the operation races another
	CodeReadOnly  = -32003 // the library was opened read-only
	CodeBusy      = -32004 // the database is locked by another writer; retry later
	CodeSandbox   = -32005 // a path lies outside the directories this engine may reach
	CodeInvalid   = -32006 // well-formed params the operation rejects (a bad glob, a cycle …)
	CodeCancelled = -32007 // the caller's context ended before the call finished
	// CodeIncompatible: the library's schema is newer than this binary, or its
	// applied migrations differ from the embedded ones; it was not modified.
	CodeIncompatible = -32008
	// CodeDiskFull: the disk (or the WASI host's quota) ran out of space; the write was
	// rolled back whole and the library is intact. Free space and retry.
	CodeDiskFull = -32009
	// CodeUnsupported: this engine cannot do it (network sync on an engine without sockets).
	CodeUnsupported = -32010
)

// Error is a JSON-RPC error object. Every failure a transport reports, including
// fdx_open's error_json, has this shape.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	// Data carries machine-readable detail, e.g. {"field":"path"} for CodeInvalidParams.
	Data *ErrorData `json:"data,omitempty"`
}

// ErrorData is the optional "data" member of an [Error]. A struct rather than a
// map so the encoded field order never depends on map iteration.
type ErrorData struct {
	// Field names the offending params member (dotted path for nested members).
	Field string `json:"field"`
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidParams returns a CodeInvalidParams error naming field. Handlers and
// params types' Validate methods use it for semantic checks (a missing member,
// an out-of-range value) so that every -32602 names its field the same way.
func InvalidParams(field, format string, args ...any) *Error {
	return &Error{
		Code:    CodeInvalidParams,
		Message: fmt.Sprintf("invalid params: %s: %s", field, fmt.Sprintf(format, args...)),
		Data:    &ErrorData{Field: field},
	}
}

// Coded is implemented by errors that know their application error kind. The
// core's errors implement it; so can any error a handler returns. Kinds are the
// lowercase names in [kindCodes] ("not_found", "conflict", …); an unknown kind
// is an internal error.
//
// An interface rather than an import of the core's sentinels keeps this package
// the leaf that every transport depends on, and lets tests fake any kind.
type Coded interface {
	error
	Code() string
}

// kindCodes maps the stable kind names of [Coded] errors to wire codes.
var kindCodes = map[string]int{
	"not_found":    CodeNotFound,
	"conflict":     CodeConflict,
	"read_only":    CodeReadOnly,
	"busy":         CodeBusy,
	"sandbox":      CodeSandbox,
	"invalid":      CodeInvalid,
	"internal":     CodeInternal,
	"cancelled":    CodeCancelled,
	"incompatible": CodeIncompatible,
	"disk_full":    CodeDiskFull,
	"unsupported":  CodeUnsupported,
}

// KindError is a [Coded] error built by this package (for example the sandbox
// check) or by tests.
type KindError struct {
	Kind string // one of the kind names, e.g. "sandbox"
	Err  error
}

// Error implements error.
func (e *KindError) Error() string { return e.Err.Error() }

// Code implements [Coded].
func (e *KindError) Code() string { return e.Kind }

// Unwrap lets errors.Is see the cause.
func (e *KindError) Unwrap() error { return e.Err }

// toError converts any error a handler returned into the wire error. The message
// is the error's text: handlers wrap with short lowercase context, so it reads
// "entry.get: not found: /x" rather than a Go type name.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeCancelled, Message: err.Error()}
	}
	var c Coded
	if errors.As(err, &c) {
		if code, ok := kindCodes[c.Code()]; ok {
			return &Error{Code: code, Message: err.Error()}
		}
	}
	if e, ok := coreError(err); ok {
		return e
	}
	return &Error{Code: CodeInternal, Message: err.Error()}
}

// ErrorResponse builds the JSON-RPC response reporting err for request. The
// transports use it for failures outside the method table (an unknown handle, a
// closed engine); the id is echoed when the request has a readable one.
func ErrorResponse(request []byte, err error) []byte {
	id := peekID(request)
	return encodeResponse(id, nil, toError(err))
}

// ErrorJSON encodes err as a JSON-RPC error object, the shape of fdx_open's
// error_json and of the WASI reactor's fdx_last_error.
func ErrorJSON(err error) []byte {
	b, _ := marshal(toError(err))
	return b
}

// AsError converts any error into the wire error, as the transports do: a core error keeps
// its kind's code. For hosts that fail before a request reaches the method table (wasmhost's
// library guard).
func AsError(err error) *Error { return toError(err) }
