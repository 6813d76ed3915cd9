package bindings

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// flatCodec decodes and encodes one "flat" struct type without encoding/json:
// a struct (embedded structs flattened) of strings, booleans, integers,
// json.RawMessage and []string, with plain json tags (a name, omitempty). Most
// params types and the small results are flat. [flatCodecFor] builds one per
// type at registration, so a call only walks a field table and stores or
// loads through offsets.
//
// Like the envelope's fast path (fastjson.go), it gives up (ok == false) on
// anything unusual — a wrong JSON type, an escaped name or string, a number
// out of range, invalid UTF-8 — and the caller then uses encoding/json, which
// alone decides errors and their messages.
type flatCodec struct {
	fields []flatField
	byName map[string]*flatField
}

type flatField struct {
	name      string
	off       uintptr
	kind      flatKind
	size      uintptr // bytes of an integer field
	omitEmpty bool
	bit       uint64 // for refusing duplicates
}

type flatKind uint8

const (
	flatString flatKind = iota
	flatBool
	flatInt
	flatUint
	flatRaw     // json.RawMessage
	flatStrings // []string
)

var (
	rawMessageType       = reflect.TypeFor[json.RawMessage]()
	numberType           = reflect.TypeFor[json.Number]()
	stringType           = reflect.TypeFor[string]()
	stringsType          = reflect.TypeFor[[]string]()
	marshalerType        = reflect.TypeFor[json.Marshaler]()
	unmarshalerType      = reflect.TypeFor[json.Unmarshaler]()
	textMarshalerType    = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType  = reflect.TypeFor[encoding.TextUnmarshaler]()
	customJSONInterfaces = []reflect.Type{marshalerType, unmarshalerType, textMarshalerType, textUnmarshalerType}
)

// customJSON reports whether t or *t has its own JSON or text (un)marshaling.
func customJSON(t reflect.Type) bool {
	for _, i := range customJSONInterfaces {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// flatCodecFor returns the codec of t, or nil if t is not flat. The rules are
// deliberately narrower than encoding/json's, so that where both apply they
// agree: every member name appears once (no dominance rules), no tag option
// but omitempty, no custom (un)marshalers, no pointers, maps, floats or
// nested objects.
func flatCodecFor(t reflect.Type) *flatCodec {
	if t.Kind() != reflect.Struct || customJSON(t) {
		return nil
	}
	c := &flatCodec{byName: map[string]*flatField{}}
	if !c.walk(t, 0) || len(c.fields) > 64 {
		return nil
	}
	for i := range c.fields {
		f := &c.fields[i]
		f.bit = 1 << i
		c.byName[f.name] = f
	}
	return c
}

func (c *flatCodec) walk(t reflect.Type, base uintptr) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			if opts != "" || sf.Type.Kind() != reflect.Struct || customJSON(sf.Type) {
				return false // embedded pointers and non-structs: encoding/json's rules are subtle there
			}
			if !c.walk(sf.Type, base+sf.Offset) {
				return false
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if hasTag && opts != "" && opts != "omitempty" {
			return false
		}
		if name == "" {
			name = sf.Name
		}
		if !plainName(name) {
			return false
		}
		if _, dup := c.byName[name]; dup {
			return false
		}
		c.byName[name] = nil // reserved; the pointers are set once fields stops growing
		f := flatField{name: name, off: base + sf.Offset, omitEmpty: opts == "omitempty", size: sf.Type.Size()}
		ft := sf.Type
		switch {
		case ft == rawMessageType:
			f.kind = flatRaw
		case ft == stringsType:
			f.kind = flatStrings
		case customJSON(ft) || ft == numberType:
			return false
		case ft.Kind() == reflect.String:
			f.kind = flatString
		case ft.Kind() == reflect.Bool:
			f.kind = flatBool
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64:
			f.kind = flatInt
		case ft.Kind() >= reflect.Uint && ft.Kind() <= reflect.Uint64:
			f.kind = flatUint
		default:
			return false
		}
		c.fields = append(c.fields, f)
	}
	return true
}

// plainName reports whether a member name needs no escaping and is one
// encoding/json takes from a tag as it is.
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// decode decodes the JSON object raw (valid JSON: the envelope was validated)
// into the zero value of the codec's type at p. On false, p may be partly
// written: the caller restores it.
func (c *flatCodec) decode(raw []byte, p unsafe.Pointer) bool {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipWS(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	var seen uint64
	for {
		if i >= len(raw) || raw[i] != '"' {
			return false
		}
		kEnd := skipString(raw, i)
		key := raw[i+1 : kEnd-1]
		if hasEscape(key) {
			return false
		}
		f := c.byName[string(key)]
		if f == nil || seen&f.bit != 0 {
			return false // unknown or duplicate: the slow path names it
		}
		seen |= f.bit
		i = skipWS(raw, kEnd)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipWS(raw, i+1)
		end := skipValue(raw, i)
		if !f.set(unsafe.Add(p, f.off), raw[i:end]) {
			return false
		}
		i = skipWS(raw, end)
		if i >= len(raw) {
			return false
		}
		if raw[i] == '}' {
			return true
		}
		if raw[i] != ',' {
			return false
		}
		i = skipWS(raw, i+1)
	}
}

// set stores the JSON value v in the field at p, as encoding/json would. A
// null leaves a string, boolean or integer as it is (zero: each member is
// set once) and makes a []string nil; a json.RawMessage keeps "null".
func (f *flatField) set(p unsafe.Pointer, v []byte) bool {
	if len(v) == 0 {
		return false
	}
	if v[0] == 'n' && f.kind != flatRaw {
		return string(v) == "null" // the field stays zero (nil for []string)
	}
	switch f.kind {
	case flatString:
		s, ok := plainString(v)
		if !ok {
			return false
		}
		*(*string)(p) = string(s)
	case flatBool:
		switch string(v) {
		case "true":
			*(*bool)(p) = true
		case "false":
		default:
			return false
		}
	case flatInt:
		n, ok := parseInt(v)
		if !ok {
			return false
		}
		switch f.size {
		case 8:
			*(*int64)(p) = n
		case 4:
			if int64(int32(n)) != n {
				return false
			}
			*(*int32)(p) = int32(n)
		case 2:
			if int64(int16(n)) != n {
				return false
			}
			*(*int16)(p) = int16(n)
		case 1:
			if int64(int8(n)) != n {
				return false
			}
			*(*int8)(p) = int8(n)
		default:
			return false
		}
	case flatUint:
		n, ok := parseUint(v)
		if !ok {
			return false
		}
		switch f.size {
		case 8:
			*(*uint64)(p) = n
		case 4:
			if uint64(uint32(n)) != n {
				return false
			}
			*(*uint32)(p) = uint32(n)
		case 2:
			if uint64(uint16(n)) != n {
				return false
			}
			*(*uint16)(p) = uint16(n)
		case 1:
			if uint64(uint8(n)) != n {
				return false
			}
			*(*uint8)(p) = uint8(n)
		default:
			return false
		}
	case flatRaw:
		*(*json.RawMessage)(p) = append(json.RawMessage(nil), v...)
	case flatStrings:
		if v[0] != '[' {
			return false
		}
		out := []string{} // encoding/json makes [] a non-nil empty slice
		i := skipWS(v, 1)
		if i < len(v) && v[i] == ']' {
			*(*[]string)(p) = out
			return true
		}
		for i < len(v) {
			end := skipValue(v, i)
			s, ok := plainString(v[i:end])
			if !ok {
				return false
			}
			out = append(out, string(s))
			i = skipWS(v, end)
			if i >= len(v) {
				return false
			}
			if v[i] == ']' {
				*(*[]string)(p) = out
				return true
			}
			if v[i] != ',' {
				return false
			}
			i = skipWS(v, i+1)
		}
		return false
	default:
		return false
	}
	return true
}

// plainString returns the contents of the JSON string v if it needs no
// unescaping and is valid UTF-8 (encoding/json would replace invalid bytes).
func plainString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	s := v[1 : len(v)-1]
	if hasEscape(s) || !utf8.Valid(s) {
		return nil, false
	}
	return s, true
}

// parseInt parses a JSON number that is an integer in int64's range.
func parseInt(v []byte) (int64, bool) {
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	u, ok := parseUint(v)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// parseUint parses a JSON number made of digits only, in uint64's range.
func parseUint(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false // a sign, a fraction or an exponent
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// appendJSON appends the encoding of the value at p, as marshal would write
// it. ok is false if a json.RawMessage is not valid JSON (marshal reports it).
func (c *flatCodec) appendJSON(dst []byte, p unsafe.Pointer) ([]byte, bool) {
	dst = append(dst, '{')
	first := true
	for i := range c.fields {
		f := &c.fields[i]
		fp := unsafe.Add(p, f.off)
		if f.omitEmpty && f.empty(fp) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, f.name...)
		dst = append(dst, '"', ':')
		switch f.kind {
		case flatString:
			dst = appendJSONString(dst, *(*string)(fp))
		case flatBool:
			dst = strconv.AppendBool(dst, *(*bool)(fp))
		case flatInt:
			dst = strconv.AppendInt(dst, f.loadInt(fp), 10)
		case flatUint:
			dst = strconv.AppendUint(dst, f.loadUint(fp), 10)
		case flatRaw:
			r := *(*json.RawMessage)(fp)
			if r == nil {
				dst = append(dst, "null"...)
				break
			}
			start := skipWS(r, 0)
			if end := validValue(r, start, 0); end < 0 || skipWS(r, end) != len(r) {
				return dst, false
			}
			dst = appendCompactJSON(dst, r)
		case flatStrings:
			ss := *(*[]string)(fp)
			if ss == nil {
				dst = append(dst, "null"...)
				break
			}
			dst = append(dst, '[')
			for j, s := range ss {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, s)
			}
			dst = append(dst, ']')
		}
	}
	return append(dst, '}'), true
}

func (f *flatField) empty(p unsafe.Pointer) bool {
	switch f.kind {
	case flatString:
		return len(*(*string)(p)) == 0
	case flatBool:
		return !*(*bool)(p)
	case flatInt:
		return f.loadInt(p) == 0
	case flatUint:
		return f.loadUint(p) == 0
	case flatRaw:
		return len(*(*json.RawMessage)(p)) == 0
	case flatStrings:
		return len(*(*[]string)(p)) == 0
	}
	return false
}

func (f *flatField) loadInt(p unsafe.Pointer) int64 {
	switch f.size {
	case 8:
		return *(*int64)(p)
	case 4:
		return int64(*(*int32)(p))
	case 2:
		return int64(*(*int16)(p))
	default:
		return int64(*(*int8)(p))
	}
}

func (f *flatField) loadUint(p unsafe.Pointer) uint64 {
	switch f.size {
	case 8:
		return *(*uint64)(p)
	case 4:
		return uint64(*(*uint32)(p))
	case 2:
		return uint64(*(*uint16)(p))
	default:
		return uint64(*(*uint8)(p))
	}
}

// appendCompactJSON appends the valid JSON r without its insignificant
// whitespace, which is all encoding/json's compaction does when HTML escaping
// is off (marshal's setting).
func appendCompactJSON(dst, r []byte) []byte {
	for i := 0; i < len(r); {
		switch c := r[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			end := skipString(r, i)
			dst = append(dst, r[i:end]...)
			i = end
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping off
// (marshal's setting): quotes, backslashes and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
