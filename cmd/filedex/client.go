package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"golang.org/x/term"

	"github.com/filedex/filedex/bindings"
)

// call sends one JSON-RPC request through the engine and decodes its result
// into R. A JSON-RPC error becomes an *rpcError carrying the wire code, so
// the CLI reports exactly what any other client of the method table sees.
func call[R any](ctx context.Context, a *app, eng bindings.Engine, method string, params any) (R, error) {
	var zero R
	a.nextID++
	req := struct {
		JSONRPC string `json:"jsonrpc"`
		ID      int64  `json:"id"`
		Method  string `json:"method"`
		Params  any    `json:"params,omitempty"`
	}{"2.0", a.nextID, method, params}
	b, err := json.Marshal(req)
	if err != nil {
		return zero, fmt.Errorf("%s: encode request: %w", method, err)
	}
	resp := eng.Call(ctx, b)
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *bindings.Error `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return zero, fmt.Errorf("%s: unreadable response: %w", method, err)
	}
	if r.Error != nil {
		return zero, &rpcError{Code: r.Error.Code, Message: r.Error.Message, Method: method}
	}
	var out R
	if err := json.Unmarshal(r.Result, &out); err != nil {
		return zero, fmt.Errorf("%s: unexpected result: %w", method, err)
	}
	return out, nil
}

// rpcError is a JSON-RPC error returned by the engine.
type rpcError struct {
	Code    int
	Message string
	Method  string
}

func (e *rpcError) Error() string { return e.Message }

// display is the message as a person should read it.
func (e *rpcError) display() string {
	if e.Code == bindings.CodeMethodNotFound && e.Method != "" {
		// The method table grows area by area; a command whose method is
		// not in this build says so rather than pretending.
		return fmt.Sprintf("not available yet: this build of filedex has no %s method", e.Method)
	}
	return stripClass(stripOps(e.Message))
}

// classPrefix matches what the core puts before the words meant for a person: the field at
// fault and the error class ("path: conflict: ", "under: not found: ", "content_kind:
// invalid argument: "). The class is in the exit code and the JSON error's code; the field
// names a request member, not a flag. Busy, read-only and the rest read as words and stay.
var classPrefix = regexp.MustCompile(`^(?:[a-z_]+: )?(?:not found|conflict|invalid argument): `)

func stripClass(msg string) string {
	if out := classPrefix.ReplaceAllString(msg, ""); out != "" {
		return out
	}
	return msg
}

// opName matches the "method.name: " wrappers handlers add, at the start of
// the message or after another "field: " prefix. Only the method table's
// areas are matched, so a file name like "notes.txt: " is never eaten.
var opName = regexp.MustCompile(`(^|: )(?:library|location|job|entry|tree|duplicates|tag|label|metadata|db|migrations)\.[a-z_]+: `)

// stripOps removes the operation names ("tag.apply: tag.get: "), which
// matter in logs but not to a person at a terminal.
func stripOps(msg string) string {
	for {
		out := opName.ReplaceAllString(msg, "$1")
		if out == msg {
			return out
		}
		msg = out
	}
}

func asRPC(err error, re **rpcError) bool { return errors.As(err, re) }

// localError is a failure the CLI detects itself (a missing path, a file
// where a directory is needed) with the JSON-RPC code the engine would give.
type localError struct {
	code int
	msg  string
}

func (e *localError) Error() string { return e.msg }

func notFoundf(format string, args ...any) error {
	return &localError{code: bindings.CodeNotFound, msg: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error {
	return &localError{code: bindings.CodeInvalid, msg: fmt.Sprintf(format, args...)}
}

// codeFor is the JSON-RPC code of an error that did not come from the engine.
func codeFor(err error) int {
	var le *localError
	if errors.As(err, &le) {
		return le.code
	}
	return bindings.CodeInternal
}

// jsonError is what --json prints on stdout for a failed command.
type jsonError struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// errorObject gives err its JSON-RPC code: the engine's own, -32602 for a
// usage error, and the application code for "internal" otherwise.
func errorObject(err error, msg string) errorJSON {
	var re *rpcError
	switch {
	case asRPC(err, &re):
		return errorJSON{Code: re.Code, Message: msg}
	case isUsage(err):
		return errorJSON{Code: bindings.CodeInvalidParams, Message: msg}
	}
	return errorJSON{Code: codeFor(err), Message: msg}
}

// printJSON writes v as the one JSON document of stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is the width of the terminal behind w, 80 when unknown.
func termWidth(w any) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			return cols
		}
	}
	return 80
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// jsonUnmarshal is json.Unmarshal that treats an absent value as "nothing to read".
func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}
