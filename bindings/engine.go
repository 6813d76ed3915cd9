package bindings

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"
)

// Engine serves JSON-RPC requests against one opened library. The native
// engine ([Native]) runs the method table in this process; wasmhost's engine
// runs the same table inside the WASI build. The CLI's --engine flag picks one.
type Engine interface {
	// Call handles one JSON-RPC request and returns its response, without a
	// trailing newline. It returns nil for a notification (a request without
	// an id), which gets no response. Call never panics and never returns an
	// error: every failure is a JSON-RPC error response.
	Call(ctx context.Context, request []byte) []byte
	// Close releases the library. Calls after Close get an error response.
	Close() error
}

var _ Engine = (*Native)(nil)

// Native is the in-process [Engine]. It is safe for concurrent use; calls on
// one Native serialize (the library's writes would anyway, and it keeps the
// handlers free of locking).
type Native struct {
	mu     sync.Mutex
	s      *Session
	closed bool
}

// OpenNative opens the library described by opts. The error is an *[Error]
// (CodeInvalidParams for bad options, CodeSandbox for a library outside the
// sandbox, …) so transports can report it as JSON as it is.
func OpenNative(opts OpenOptions) (*Native, error) {
	s, err := openSession(opts)
	if err != nil {
		return nil, toError(err)
	}
	return &Native{s: s}, nil
}

// Call implements [Engine].
func (n *Native) Call(ctx context.Context, request []byte) []byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrorResponse(request, Errorf(CodeInvalidRequest, "engine is closed"))
	}
	return dispatch(ctx, n.s, request)
}

// Close implements [Engine]. Closing twice is not an error.
func (n *Native) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	return n.s.close()
}

// dispatch runs one request through the method table. It is the single
// boundary where panics are recovered: every transport reaches handlers only
// through here.
func dispatch(ctx context.Context, s *Session, b []byte) (resp []byte) {
	req, id, notify, e := parseRequest(b)
	if e != nil {
		return encodeResponse(id, nil, e)
	}
	defer func() {
		if r := recover(); r != nil {
			// The client gets a stable message, identical on every engine
			// (stacks are not). An embedded library must not write to its
			// host's stderr uninvited: the stack goes there only with
			// FILEDEX_DEBUG set.
			if debugOut != nil {
				fmt.Fprintf(debugOut, "filedex: panic in %s: %v\n%s", req.Method, r, debug.Stack())
			}
			e := &Error{Code: CodeInternal, Message: fmt.Sprintf("internal error: panic in %s: %v", req.Method, r)}
			if notify {
				resp = nil
				return
			}
			resp = encodeResponse(id, nil, e)
		}
	}()
	m := methods[req.Method]
	if m == nil {
		if notify {
			return nil
		}
		return encodeResponse(id, nil, Errorf(CodeMethodNotFound, "method not found: %q", req.Method))
	}
	if err := ctx.Err(); err != nil {
		return maybe(notify, encodeResponse(id, nil, toError(err)))
	}
	if s.lib == nil && req.Method != "db.restore" {
		// Opened for a restore only (OpenOptions.ForRestore).
		return maybe(notify, encodeResponse(id, nil, toError(s.unopened)))
	}
	var out []byte
	if !notify {
		// The response is built around the result as it is encoded: the
		// envelope first, then the handler's result appended in place.
		out = appendPrefix(make([]byte, 0, 256), id)
		out = append(out, `,"result":`...)
	}
	out, e = m.call(ctx, s, req.Params, out)
	if notify {
		return nil
	}
	if e != nil {
		return encodeResponse(id, nil, e)
	}
	return append(out, '}')
}

// appendPrefix appends a response's first members, `{"jsonrpc":"2.0","id":ID`.
func appendPrefix(dst []byte, id json.RawMessage) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	return append(dst, orNull(id)...)
}

func maybe(notify bool, b []byte) []byte {
	if notify {
		return nil
	}
	return b
}

// encodeResponse encodes a response with result (any encodable value) or e.
// The envelope is assembled by hand, members always in the order jsonrpc, id,
// result|error: encoding a struct around an already-encoded result would make
// encoding/json re-scan and re-compact it, a cost every call pays, 10–30×
// over under WASI.
func encodeResponse(id json.RawMessage, result any, e *Error) []byte {
	out := appendPrefix(make([]byte, 0, 128), id)
	if e == nil {
		body, err := appendMarshal(append(out, `,"result":`...), result)
		if err == nil {
			return append(body, '}')
		}
		e = &Error{Code: CodeInternal, Message: "internal error: encode result: " + err.Error()}
	}
	body, err := appendMarshal(append(out, `,"error":`...), e)
	if err != nil { // only a bug in this file can get here
		body = append(append(out, `,"error":`...), `{"code":-32000,"message":"internal error: encode error"}`...)
	}
	return append(body, '}')
}

// marshal encodes v as compact JSON. HTML escaping is off: responses are
// data, and "<" in a file name should read as "<" in every language's JSON
// parser output and in logs.
func marshal(v any) ([]byte, error) {
	return appendMarshal(nil, v)
}

// appendMarshal appends marshal's encoding of v to dst.
func appendMarshal(dst []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode ends each value with a newline
}
