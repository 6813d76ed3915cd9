package bindings

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// method is one row of the method table: how to decode its params, and the
// handler that turns them into an encodable result.
type method struct {
	name string
	// call decodes raw params (nil when absent) and runs the handler. It is
	// built by [register] so that the table stays free of reflection at call time.
	call func(ctx context.Context, s *Session, params json.RawMessage) (any, *Error)
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
	fields := jsonFieldNames(reflect.TypeFor[P]())
	methods[name] = &method{
		name: name,
		call: func(ctx context.Context, s *Session, raw json.RawMessage) (any, *Error) {
			var p P
			if e := decodeParams(raw, &p, fields); e != nil {
				return nil, e
			}
			if v, ok := any(&p).(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					if e, ok := err.(*Error); ok {
						return nil, e
					}
					return nil, &Error{Code: CodeInvalidParams, Message: "invalid params: " + err.Error()}
				}
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
			return r, nil
		},
	}
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
