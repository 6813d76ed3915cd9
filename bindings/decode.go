package bindings

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unsafe"
)

// MaxRequestBytes is the largest request any transport accepts. Larger requests
// get CodeInvalidRequest without being parsed, so a runaway client cannot make
// an engine (in particular a memory-limited WASI guest) buffer gigabytes.
// 1 MiB is far above any legitimate request: the largest params are path lists.
const MaxRequestBytes = 1 << 20

var envelopeFields = map[string]bool{"jsonrpc": true, "id": true, "method": true, "params": true}

// request is a decoded JSON-RPC 2.0 request envelope.
type request struct {
	Method string
	Params json.RawMessage // nil when absent
}

// parseRequest validates the envelope. It returns the id to echo (nil for a
// notification, "null" when the id could not be read) and an error response
// if the envelope is unacceptable. Member names are exact and case-sensitive
// (encoding/json would accept "Method" for "method"), duplicates are refused
// ({"id":1,"id":2} would otherwise keep the last, and two engines must never
// disagree about which one counts), and unknown members are refused.
//
// The id and params returned alias b: callers use them only while b is theirs.
func parseRequest(b []byte) (req request, id json.RawMessage, notify bool, e *Error) {
	var ok bool
	if req, id, notify, ok = parseRequestFast(b); !ok {
		req, id, notify, e = parseRequestSlow(b)
	}
	if e == nil {
		if e = checkID(id); e != nil {
			id = json.RawMessage("null")
		}
	}
	return req, id, notify, e
}

// checkID refuses a string id that is not text: echoed back as it came, invalid UTF-8
// made the response itself invalid JSON text, and a lone surrogate would be changed by any
// client decoding it. The error carries id null, since this id cannot be echoed.
func checkID(id json.RawMessage) *Error {
	if len(id) == 0 || id[0] != '"' {
		return nil
	}
	if _, prob, ok := checkText(id, "id"); !ok {
		return &Error{Code: CodeInvalidRequest, Message: "invalid request: id: " + prob, Data: &ErrorData{Field: "id"}}
	}
	return nil
}

// parseRequestSlow is parseRequest for every request parseRequestFast declines:
// the errors, and the valid requests it does not bother with (escaped names).
func parseRequestSlow(b []byte) (req request, id json.RawMessage, notify bool, e *Error) {
	null := json.RawMessage("null")
	if len(b) > MaxRequestBytes {
		return req, null, false, Errorf(CodeInvalidRequest, "request too large: %d bytes (limit %d)", len(b), MaxRequestBytes)
	}
	if !json.Valid(b) {
		return req, null, false, parseError(b)
	}
	switch firstByte(b) {
	case '{':
	case '[':
		// Batches are refused (docs/rpc.md): every transport is one call in,
		// one response out, and a batch would need a response array the
		// line-oriented and C/WASI transports cannot stream; batching buys no
		// atomicity either, since each call is its own transaction.
		return req, null, false, Errorf(CodeInvalidRequest, "invalid request: batch requests are not supported")
	default:
		return req, null, false, Errorf(CodeInvalidRequest, "invalid request: not a JSON object")
	}
	ms, err := members(b)
	if err != nil {
		// A duplicate member: if it is "id", no id is the right one.
		return req, null, false, Errorf(CodeInvalidRequest, "invalid request: %v", err)
	}
	var version, method, rawID []byte
	hasID := false
	for _, m := range ms {
		switch m.key {
		case "id":
			rawID, hasID = m.raw, true
		case "jsonrpc":
			version = m.raw
		case "method":
			method = m.raw
		case "params":
			req.Params = m.raw
		}
	}
	if hasID {
		if id = scalarID(rawID); id == nil {
			return req, null, false, Errorf(CodeInvalidRequest, "invalid request: id must be a string, a number or null")
		}
	} else {
		notify = true
	}
	for _, m := range ms {
		if !envelopeFields[m.key] {
			return req, orNull(id), false, Errorf(CodeInvalidRequest, "invalid request: unknown member %q", m.key)
		}
	}
	if string(version) != `"2.0"` {
		return req, orNull(id), false, Errorf(CodeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`)
	}
	if method != nil && method[0] != '"' && string(method) != "null" {
		return req, orNull(id), false, Errorf(CodeInvalidRequest, "invalid request: member \"method\": expected string, got %s", kindOf(method))
	}
	if method != nil && method[0] == '"' {
		if hasEscape(method) {
			_ = json.Unmarshal(method, &req.Method) // valid JSON string
		} else {
			req.Method = string(method[1 : len(method)-1])
		}
	}
	if req.Method == "" {
		return req, orNull(id), false, Errorf(CodeInvalidRequest, `invalid request: "method" is required`)
	}
	return req, id, notify, nil
}

// scalarID returns raw if it is an acceptable id (string, number, null), else
// nil. raw is a member value as members splits it (no surrounding whitespace),
// so it is already compact: a scalar has no insignificant whitespace inside.
func scalarID(raw json.RawMessage) json.RawMessage {
	switch firstByte(raw) {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return raw
	}
	return nil
}

func orNull(id json.RawMessage) json.RawMessage {
	if id == nil {
		return json.RawMessage("null")
	}
	return id
}

// parseError names where the JSON broke, so a client can find its bug.
func parseError(b []byte) *Error {
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return Errorf(CodeParseError, "parse error at offset %d: %s", se.Offset, se.Error())
	}
	if err == nil {
		err = errors.New("invalid JSON")
	}
	return Errorf(CodeParseError, "parse error: %s", err.Error())
}

// peekID extracts a usable id from a request for error responses built outside
// the normal path; anything unreadable echoes null.
func peekID(b []byte) json.RawMessage {
	_, id, _, _ := parseRequest(b)
	return orNull(id)
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// decodeParams decodes raw params (valid JSON) into *dst, a zero value,
// strictly. fields are the exact json member names dst accepts (see
// jsonFieldNames); flat, if not nil, is the codec of P, tried first.
func decodeParams[P any](raw json.RawMessage, dst *P, fields map[string]bool, flat *flatCodec) *Error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil // absent: the zero value, no decoding needed
	}
	// What encoding/json would silently change (invalid UTF-8, lone surrogates, duplicate
	// members at any depth) or accept as what it is not (1e999) is refused first, on every
	// path, naming the member.
	if path, prob, ok := checkText(raw, ""); !ok {
		if path == "" {
			path = "params"
		}
		return InvalidParams(path, "%s", prob)
	}
	if flat != nil {
		saved := *dst
		if flat.decode(raw, unsafe.Pointer(dst)) {
			return nil
		}
		*dst = saved // the slow path starts from what the caller gave
	}
	return decodeParamsSlow(raw, dst, fields)
}

// decodeParamsSlow is decodeParams by encoding/json, for every type and value
// the flat codec does not take; it alone reports errors.
func decodeParamsSlow(raw json.RawMessage, dst any, fields map[string]bool) *Error {
	if firstByte(raw) != '{' {
		return &Error{Code: CodeInvalidParams, Message: "invalid params: params must be an object (by-name parameters)"}
	}
	if name, err := checkKeys(raw, fields); err != nil {
		return &Error{Code: CodeInvalidParams, Message: "invalid params: " + err.Error()}
	} else if name != "" {
		return InvalidParams(name, "unknown field")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return paramsError(err, raw, dst, fields)
	}
	return nil
}

// paramsError maps encoding/json's errors to -32602 errors that name the field.
// raw, dst and fields are the failed decoding's input, target and member names:
// they let it name the member when encoding/json does not.
func paramsError(err error, raw json.RawMessage, dst any, fields map[string]bool) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := memberPath(te.Field, fields)
		if field == "" {
			field = "params"
		}
		return InvalidParams(field, "expected %s, got %s", jsonKind(te.Type), te.Value)
	}
	// encoding/json reports unknown nested members as `json: unknown field "x"`.
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return InvalidParams(name, "unknown field")
	}
	var ee *fieldError
	if errors.As(err, &ee) {
		return InvalidParams(ee.Field, "%s", ee.Err.Error())
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if field := failingMember(raw, dst); field != "" {
		// An UnmarshalJSON method (a kind, a time) refused the value: encoding/json
		// does not say whose it was, so the member is found by decoding each alone.
		return InvalidParams(field, "%s", msg)
	}
	return &Error{Code: CodeInvalidParams, Message: "invalid params: " + msg}
}

// memberPath turns encoding/json's field path into the member the client sent:
// the path goes through the Go names of embedded structs ("FindQuery.name" for
// entry.find's "name"), which are no part of the wire format.
func memberPath(path string, fields map[string]bool) string {
	parts := strings.Split(path, ".")
	for len(parts) > 1 && fields != nil && !fields[parts[0]] {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

// failingMember returns the first top-level member of the object raw that does
// not decode on its own into a fresh value of dst's type, or "" if none fails
// alone. Only the error path pays for it.
func failingMember(raw json.RawMessage, dst any) string {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return ""
	}
	ms, err := members(raw)
	if err != nil {
		return ""
	}
	for _, m := range ms {
		one, err := json.Marshal(map[string]json.RawMessage{m.key: m.raw})
		if err != nil {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.UseNumber()
		if dec.Decode(reflect.New(t.Elem()).Interface()) != nil {
			return m.key
		}
	}
	return ""
}

// fieldError lets custom UnmarshalJSON methods name their field.
type fieldError struct {
	Field string
	Err   error
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// checkKeys returns the first member of the JSON object b not in allowed
// (compared exactly, unlike encoding/json), or an error for a duplicate.
// A nil allowed accepts every name (duplicates are still refused).
func checkKeys(b []byte, allowed map[string]bool) (string, error) {
	ms, err := members(b)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if allowed != nil && !allowed[m.key] {
			return m.key, nil
		}
	}
	return "", nil
}

// jsonFieldNames lists the exact member names encoding/json would decode into
// the struct type t (following embedded structs). Non-struct types get nil:
// they accept whatever encoding/json accepts.
func jsonFieldNames(t reflect.Type) map[string]bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	names := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			names[name] = true
		}
	}
	walk(t)
	return names
}
