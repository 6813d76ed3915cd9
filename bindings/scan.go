package bindings

import (
	"encoding/json"
	"errors"
	"fmt"
)

// member is one top-level member of a JSON object: its key, unescaped, and its
// raw value.
type member struct {
	key string
	raw []byte
}

// members splits the JSON object b into its top-level members, in order,
// refusing duplicates. b must already be valid JSON (json.Valid): this is a
// splitter, not a validator, which is what makes it cheap — one pass without
// reflection or per-token allocations. Under WASI every allocation and
// reflective step costs 10–30× native, and the envelope is parsed on every call.
func members(b []byte) ([]member, error) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, errors.New("not a JSON object")
	}
	i = skipWS(b, i+1)
	var out []member
	if i < len(b) && b[i] == '}' {
		return out, nil
	}
	for i < len(b) {
		end := skipString(b, i)
		rawKey := b[i:end]
		key := ""
		if hasEscape(rawKey) {
			if err := json.Unmarshal(rawKey, &key); err != nil {
				return nil, err
			}
		} else {
			key = string(rawKey[1 : len(rawKey)-1])
		}
		for _, m := range out {
			if m.key == key {
				return nil, fmt.Errorf("duplicate member %q", key)
			}
		}
		i = skipWS(b, end)
		i = skipWS(b, i+1) // ':'
		vEnd := skipValue(b, i)
		out = append(out, member{key: key, raw: b[i:vEnd]})
		i = skipWS(b, vEnd)
		if i < len(b) && b[i] == '}' {
			return out, nil
		}
		i = skipWS(b, i+1) // ','
	}
	return nil, errors.New("unterminated object")
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

func hasEscape(s []byte) bool {
	for _, c := range s {
		if c == '\\' {
			return true
		}
	}
	return false
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default: // number, true, false, null
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// kindOf names the JSON type of a raw value, for error messages.
func kindOf(raw []byte) string {
	switch firstByte(raw) {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
