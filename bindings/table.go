package bindings

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unsafe"
)

// method is one row of the method table: how to decode its params, and the
// handler that turns them into an encodable result.
type method struct {
	name string
	// call decodes raw params (nil when absent), runs the handler and appends
	// the encoded result to dst; with a nil dst (a notification) the result
	// is not encoded. It is built by [register] so that the table stays free
	// of reflection at call time.
	call func(ctx context.Context, s *Session, params json.RawMessage, dst []byte) ([]byte, *Error)
	// check decodes and validates params as call does, without running the handler: the
	// examples of the method reference are checked with it.
	check func(params json.RawMessage) *Error
	// The params and result types, their member names and fast codecs (nil
	// when the type is not flat), for the tests of the fast paths.
	paramsType, resultType reflect.Type
	fields                 map[string]bool
	in, out                *flatCodec
}

// methods is the one method table every transport serves. It is filled by the
// init functions of the files that define handlers (register calls), and frozen
// before main runs: it is never written after package initialisation, so
// lookups need no lock.
var methods = map[string]*method{}

// register adds a method to the table. P is the params type (a struct whose
// json tags name the members), R the result type. Params are decoded strictly:
// unknown members, wrong types and a non-object params value are -32602 errors
// naming the member. If *P implements interface{ Validate() error }, Validate
// runs after decoding; return [InvalidParams] from it to name the field.
//
// Adding a method is one line in an init function plus the handler:
//
//	func init() { register("tag.list", tagList) }
//	func tagList(ctx context.Context, s *Session, p TagListParams) (TagListResult, error) { … }
//
// register panics on a duplicate name: that is a programming mistake caught by
// every test binary at start-up.
func register[P, R any](name string, fn func(ctx context.Context, s *Session, p P) (R, error)) {
	if _, dup := methods[name]; dup {
		panic("bindings: method registered twice: " + name)
	}
	m := &method{
		name:       name,
		paramsType: reflect.TypeFor[P](),
		resultType: reflect.TypeFor[R](),
		fields:     jsonFieldNames(reflect.TypeFor[P]()),
	}
	m.in, m.out = flatCodecFor(m.paramsType), flatCodecFor(m.resultType)
	fields, in, out := m.fields, m.in, m.out
	decode := func(raw json.RawMessage, p *P) *Error {
		if e := decodeParams(raw, p, fields, in); e != nil {
			return e
		}
		if v, ok := any(p).(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				if e, ok := err.(*Error); ok {
					return e
				}
				return &Error{Code: CodeInvalidParams, Message: "invalid params: " + err.Error()}
			}
		}
		return nil
	}
	m.check = func(raw json.RawMessage) *Error {
		var p P
		return decode(raw, &p)
	}
	m.call = func(ctx context.Context, s *Session, raw json.RawMessage, dst []byte) ([]byte, *Error) {
		var p P
		if e := decode(raw, &p); e != nil {
			return nil, e
		}
		r, err := fn(ctx, s, p)
		if err != nil {
			// Name the method once: the core's errors already start
			// with their operation, usually this method's name.
			if !strings.HasPrefix(err.Error(), name+": ") {
				err = fmt.Errorf("%s: %w", name, err)
			}
			return nil, toError(err)
		}
		if dst == nil {
			return nil, nil
		}
		return appendResult(dst, &r, out)
	}
	methods[name] = m
}

// appendResult appends the encoding of *r to dst: by flat when it is not nil
// and takes the value, else by encoding/json.
func appendResult[R any](dst []byte, r *R, flat *flatCodec) ([]byte, *Error) {
	if flat != nil {
		if out, ok := flat.appendJSON(dst, unsafe.Pointer(r)); ok {
			return out, nil
		}
	}
	out, err := appendMarshal(dst, *r)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Message: "internal error: encode result: " + err.Error()}
	}
	return out, nil
}

// Methods returns the names of all served methods, sorted. Transports and the
// conformance suite use it to check that every method is covered.
func Methods() []string {
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NoParams is the params type of methods that take none. It accepts an absent
// params, null and {} — and, like every params type, rejects unknown members.
type NoParams struct{}
