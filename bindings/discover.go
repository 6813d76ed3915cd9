package bindings

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// rpc.discover serves the method table as an OpenRPC document (https://spec.open-rpc.org),
// built from the table itself: each method's params and result schemas come from its Go
// types by reflection, so the reference cannot drift from what is served. docs/rpc.md's
// method reference is generated from the same document (MethodReference), and a test fails
// when the committed file is stale.

func init() {
	register("rpc.discover", rpcDiscover)
}

// OpenRPC is the document rpc.discover returns.
type OpenRPC struct {
	OpenRPC    string            `json:"openrpc"`
	Info       OpenRPCInfo       `json:"info"`
	Methods    []OpenRPCMethod   `json:"methods"`
	Components OpenRPCComponents `json:"components"`
}

// OpenRPCInfo names the API.
type OpenRPCInfo struct {
	Title   string `json:"title"`
	Version string `json:"version"`
}

// OpenRPCMethod is one method of the table.
type OpenRPCMethod struct {
	Name           string              `json:"name"`
	Summary        string              `json:"summary,omitempty"`
	ParamStructure string              `json:"paramStructure"`
	Params         []OpenRPCDescriptor `json:"params"`
	Result         OpenRPCDescriptor   `json:"result"`
	Errors         []OpenRPCRef        `json:"errors"`
	Examples       []OpenRPCExample    `json:"examples,omitempty"`
}

// OpenRPCDescriptor is a content descriptor: a param or the result.
type OpenRPCDescriptor struct {
	Name   string `json:"name"`
	Schema Schema `json:"schema"`
}

// OpenRPCRef points into the components.
type OpenRPCRef struct {
	Ref string `json:"$ref"`
}

// OpenRPCExample is an example pairing: params by name.
type OpenRPCExample struct {
	Name   string                `json:"name"`
	Params []OpenRPCExampleParam `json:"params"`
}

// OpenRPCExampleParam is one param of an example.
type OpenRPCExampleParam struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// OpenRPCComponents holds the named schemas and the error objects.
type OpenRPCComponents struct {
	Schemas map[string]Schema       `json:"schemas"`
	Errors  map[string]OpenRPCError `json:"errors"`
}

// OpenRPCError is an error object a method may return.
type OpenRPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Schema is a JSON Schema, as a map so that it encodes with sorted keys.
type Schema map[string]any

// wireErrors are the error codes every method may return, in docs/rpc.md's order.
var wireErrors = []struct {
	name string
	code int
	msg  string
}{
	{"InvalidParams", CodeInvalidParams, "invalid params (data.field names the member)"},
	{"Internal", CodeInternal, "internal error"},
	{"NotFound", CodeNotFound, "not found"},
	{"Conflict", CodeConflict, "conflict"},
	{"ReadOnly", CodeReadOnly, "library is read-only"},
	{"Busy", CodeBusy, "library is busy"},
	{"Sandbox", CodeSandbox, "outside the sandbox"},
	{"Invalid", CodeInvalid, "invalid argument"},
	{"Cancelled", CodeCancelled, "cancelled"},
	{"Incompatible", CodeIncompatible, "incompatible library"},
	{"DiskFull", CodeDiskFull, "disk full"},
}

func rpcDiscover(ctx context.Context, s *Session, _ NoParams) (OpenRPC, error) {
	return Discover(), nil
}

// Discover returns the OpenRPC document of the method table (what rpc.discover returns).
func Discover() OpenRPC {
	g := &schemaGen{schemas: map[string]Schema{}, names: map[string]reflect.Type{}}
	doc := OpenRPC{OpenRPC: "1.2.6", Info: OpenRPCInfo{Title: "filedex", Version: Version}}
	var errs []OpenRPCRef
	doc.Components.Errors = map[string]OpenRPCError{}
	for _, e := range wireErrors {
		doc.Components.Errors[e.name] = OpenRPCError{Code: e.code, Message: e.msg}
		errs = append(errs, OpenRPCRef{Ref: "#/components/errors/" + e.name})
	}
	for _, name := range Methods() {
		m := methods[name]
		d := methodDocs[name]
		om := OpenRPCMethod{Name: name, Summary: d.summary, ParamStructure: "by-name", Params: []OpenRPCDescriptor{}, Errors: errs}
		for _, f := range g.fields(m.paramsType) {
			om.Params = append(om.Params, OpenRPCDescriptor{Name: f.name, Schema: f.schema})
		}
		om.Result = OpenRPCDescriptor{Name: "result", Schema: g.schema(m.resultType)}
		if d.example != "" {
			ex := OpenRPCExample{Name: name + " example", Params: []OpenRPCExampleParam{}}
			var members map[string]json.RawMessage
			if err := json.Unmarshal([]byte(d.example), &members); err == nil {
				keys := make([]string, 0, len(members))
				for k := range members {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					ex.Params = append(ex.Params, OpenRPCExampleParam{Name: k, Value: members[k]})
				}
			}
			om.Examples = []OpenRPCExample{ex}
		}
		doc.Methods = append(doc.Methods, om)
	}
	doc.Components.Schemas = g.schemas
	return doc
}

// schemaGen turns Go types into JSON Schemas; named struct types become components.
type schemaGen struct {
	schemas map[string]Schema
	names   map[string]reflect.Type
}

type schemaField struct {
	name   string
	schema Schema
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	uuidType          = reflect.TypeFor[uuid.UUID]()
	textMarshalerIntf = reflect.TypeFor[encoding.TextMarshaler]()
)

func (g *schemaGen) schema(t reflect.Type) Schema {
	switch {
	case t == timeType:
		return Schema{"type": "string", "format": "date-time"}
	case t == rawMessageType:
		return Schema{"description": "any JSON value"}
	case t == uuidType:
		return Schema{"type": "string", "format": "uuid"}
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Struct && t.Implements(textMarshalerIntf):
		return Schema{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return Schema{"anyOf": []Schema{g.schema(t.Elem()), {"type": "null"}}}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "contentEncoding": "base64"}
		}
		return Schema{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		props := Schema{}
		for _, f := range g.fields(t) {
			props[f.name] = f.schema
		}
		s := Schema{"type": "object", "properties": props}
		if t.Name() == "" {
			return s
		}
		name := t.Name()
		if prev, ok := g.names[name]; ok && prev != t {
			name = strings.ReplaceAll(t.String(), ".", "_")
		}
		if _, done := g.schemas[name]; !done {
			g.names[name] = t
			g.schemas[name] = Schema{} // a placeholder ends recursion
			props := Schema{}
			for _, f := range g.fields(t) {
				props[f.name] = f.schema
			}
			g.schemas[name] = Schema{"type": "object", "properties": props}
		}
		return Schema{"$ref": "#/components/schemas/" + name}
	}
	return Schema{"description": "any JSON value"}
}

// fields lists a struct's JSON members as encoding/json sees them: exported fields by their
// json name, embedded structs without a name flattened, "-" skipped.
func (g *schemaGen) fields(t reflect.Type) []schemaField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []schemaField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			out = append(out, g.fields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, schemaField{name, g.schema(f.Type)})
	}
	return out
}

// typeName renders a schema for a person: "string", "Entry", "array of Tag", "Entry or null".
func typeName(s Schema) string {
	if ref, ok := s["$ref"].(string); ok {
		return "`" + ref[strings.LastIndexByte(ref, '/')+1:] + "`"
	}
	if alts, ok := s["anyOf"].([]Schema); ok && len(alts) == 2 {
		return typeName(alts[0]) + " or null"
	}
	switch t, _ := s["type"].(string); t {
	case "array":
		return "array of " + typeName(s["items"].(Schema))
	case "object":
		if ap, ok := s["additionalProperties"].(Schema); ok {
			return "object of " + typeName(ap)
		}
		return "object"
	case "string":
		if f, ok := s["format"].(string); ok {
			return "string (" + f + ")"
		}
		if _, ok := s["contentEncoding"]; ok {
			return "string (base64)"
		}
		return "string"
	case "":
		return "any"
	default:
		return t
	}
}

// MethodReference renders the methods of the OpenRPC document as the Markdown section of
// docs/rpc.md: per method its summary, params, result and example request.
func MethodReference(doc OpenRPC) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d methods, generated from the method table (`rpc.discover` serves the same as an OpenRPC document). "+
		"Every method may fail with the codes above; params are by name, and a member not listed is refused.\n", len(doc.Methods))
	for _, m := range doc.Methods {
		fmt.Fprintf(&b, "\n### `%s`\n\n", m.Name)
		if m.Summary != "" {
			b.WriteString(m.Summary + "\n\n")
		}
		if len(m.Params) == 0 {
			b.WriteString("Params: none.\n\n")
		} else {
			b.WriteString("| param | type |\n|---|---|\n")
			for _, p := range m.Params {
				fmt.Fprintf(&b, "| `%s` | %s |\n", p.Name, typeName(p.Schema))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Result: %s.\n", typeName(m.Result.Schema))
		if len(m.Examples) > 0 {
			var members []string
			for _, p := range m.Examples[0].Params {
				members = append(members, fmt.Sprintf("%q:%s", p.Name, p.Value))
			}
			fmt.Fprintf(&b, "\n```json\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":%q,\"params\":{%s}}\n```\n", m.Name, strings.Join(members, ","))
		}
	}
	var names []string
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	b.WriteString("\n### Types\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\n`%s`: ", n)
		props, _ := doc.Components.Schemas[n]["properties"].(Schema)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		// Members in declaration order would be nicer, but the schema is a map; sorted
		// keeps the file stable.
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("`%s` %s", k, typeName(props[k].(Schema))))
		}
		b.WriteString(strings.Join(parts, ", ") + ".\n")
	}
	return b.String()
}
