package core

import (
	"strings"
	"unicode/utf8"
)

// checkText refuses user text that JSON cannot carry faithfully: bytes that are not UTF-8
// (an encoder replaces them with U+FFFD, so a tag read back over JSON-RPC has a different
// name than the one stored and the next lookup by that name misses) and NUL (C strings end
// there: the C ABI would cut the name short). File names are different: they keep their
// bytes and travel in name_b64.
func checkText(op, field, s string) error {
	if !utf8.ValidString(s) {
		return errInvalid(op, field, "must be valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errInvalid(op, field, "must not contain NUL")
	}
	return nil
}

// maxJSONDepth bounds the nesting of custom_data. SQLite's JSON functions refuse more than
// 1000 levels (the schema's CHECK would then fail with a message naming no field); nothing a
// user annotates needs more than a few.
const maxJSONDepth = 100

// jsonDepth returns the deepest nesting of arrays and objects in a JSON text (strings skipped).
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
