package bindings

import (
	"encoding/json"
)

// The fast paths of a call. Every call parses an envelope, decodes params and
// encodes a result; encoding/json does each through reflection and several
// allocations, which native code hardly notices (≈ 5 µs a trivial call) but a
// WASI guest pays 15–20× over (≈ 130 µs a trivial call, most of a wazero
// round trip as measured before these paths). The fast paths handle the common shapes in one pass
// without reflection, and give up — returning ok == false — on anything else:
// the caller then runs the encoding/json path, which stays the only judge of
// what is an error and of every error message. So a fast path only has to be
// right when it accepts; TestFast* and FuzzFast* check that it then agrees with
// the slow path byte for byte.

// maxFastDepth bounds the nesting the fast validator follows; deeper
// documents go to encoding/json (whose own limit is 10000).
const maxFastDepth = 256

// validValue returns the index after the JSON value starting at b[i], or -1
// if there is no valid value there (or it nests deeper than maxFastDepth). It
// accepts exactly what encoding/json's scanner accepts: strings are not
// checked for valid UTF-8, only for control characters and escapes.
func validValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; c {
	case '"':
		return validString(b, i)
	case '{':
		if depth >= maxFastDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			if i = validString(b, i); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			if i = validValue(b, skipWS(b, i+1), depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == '}' {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = skipWS(b, i+1)
		}
	case '[':
		if depth >= maxFastDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		for {
			if i = validValue(b, i, depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == ']' {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = skipWS(b, i+1)
		}
	case 't':
		return literal(b, i, "true")
	case 'f':
		return literal(b, i, "false")
	case 'n':
		return literal(b, i, "null")
	default:
		if c == '-' || ('0' <= c && c <= '9') {
			return validNumber(b, i)
		}
		return -1
	}
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validString returns the index after the string starting at b[i] == '"', or -1.
func validString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return -1
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validNumber returns the index after the number starting at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// envelope member bits, for refusing duplicates without allocating.
const (
	envJSONRPC = 1 << iota
	envID
	envMethod
	envParams
)

// parseRequestFast is parseRequest for a well-formed request: an object of
// the envelope members, each at most once, keys without escapes, "jsonrpc"
// "2.0", a non-empty method name without escapes, a scalar id or none. It
// allocates nothing: the id and params alias b (they are used only while the
// call runs), and a known method's name is the method table's string. ok is
// false for anything else, and parseRequest then takes its careful path.
func parseRequestFast(b []byte) (req request, id json.RawMessage, notify, ok bool) {
	if len(b) > MaxRequestBytes {
		return
	}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	var seen int
	var version, method []byte
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return // no "jsonrpc": an error
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return
		}
		kEnd := validString(b, i)
		if kEnd < 0 {
			return
		}
		var bit int
		switch string(b[i+1 : kEnd-1]) { // escaped keys match none of these
		case "jsonrpc":
			bit = envJSONRPC
		case "id":
			bit = envID
		case "method":
			bit = envMethod
		case "params":
			bit = envParams
		default:
			return
		}
		if seen&bit != 0 {
			return
		}
		seen |= bit
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return
		}
		vStart := skipWS(b, i+1)
		vEnd := validValue(b, vStart, 1)
		if vEnd < 0 {
			return
		}
		v := b[vStart:vEnd]
		switch bit {
		case envJSONRPC:
			version = v
		case envID:
			switch v[0] {
			case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				id = v
			default:
				return
			}
		case envMethod:
			method = v
		case envParams:
			req.Params = v
		}
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return
		}
		i = skipWS(b, i+1)
	}
	if skipWS(b, i+1) != len(b) {
		return // trailing data: not valid JSON
	}
	if string(version) != `"2.0"` || len(method) < 3 || method[0] != '"' || hasEscape(method) {
		return
	}
	name := method[1 : len(method)-1]
	if m := methods[string(name)]; m != nil {
		req.Method = m.name
	} else {
		req.Method = string(name)
	}
	return req, id, seen&envID == 0, true
}
