package bindings

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// checkText walks the JSON value b (already known to be valid JSON) and reports the first
// thing encoding/json would silently change or accept against the contract, with the path
// of the member it is in ("custom_data.a", "paths[2]"; prefix names the value itself):
//
//   - a string with bytes that are not UTF-8: encoding/json replaces them by U+FFFD, so a
//     name would be stored different from what the client sent (and an id echoed raw made
//     the response invalid UTF-8);
//   - an escaped lone surrogate ("\udc00"): also turned into U+FFFD, silently;
//   - a duplicate member in any object: encoding/json keeps the last ({"a":1,"a":2} was
//     stored as {"a":2}), and two engines must never disagree about which one counts;
//   - a number beyond float64 (1e999): accepted as a value it is not.
//
// It returns ok == true when none is found. One pass, no allocation on the way.
func checkText(b []byte, prefix string) (path, problem string, ok bool) {
	var c textChecker
	c.b = b
	i := c.value(skipWS(b, 0), prefix, 0)
	if c.problem != "" {
		return c.path, c.problem, false
	}
	_ = i
	return "", "", true
}

type textChecker struct {
	b             []byte
	path, problem string
}

func (c *textChecker) fail(path, problem string) int {
	if c.problem == "" {
		c.path, c.problem = path, problem
	}
	return -1
}

// value checks the value at b[i] and returns the index after it (-1 once failed).
func (c *textChecker) value(i int, path string, depth int) int {
	b := c.b
	if i < 0 || i >= len(b) || depth > 10000 {
		return -1
	}
	switch b[i] {
	case '"':
		end, prob := c.str(i)
		if prob != "" {
			return c.fail(path, prob)
		}
		return end
	case '{':
		i = skipWS(b, i+1)
		if b[i] == '}' {
			return i + 1
		}
		var keys []string // small objects: a linear scan beats a map
		var seen map[string]bool
		for {
			end, prob := c.str(i)
			key := string(unquoteFast(b[i:end]))
			child := key
			if path != "" {
				child = path + "." + key
			}
			if prob != "" {
				return c.fail(child, prob)
			}
			dup := false
			if seen != nil {
				dup = seen[key]
				seen[key] = true
			} else {
				for _, k := range keys {
					dup = dup || k == key
				}
				keys = append(keys, key)
				if len(keys) > 16 {
					seen = map[string]bool{}
					for _, k := range keys {
						seen[k] = true
					}
				}
			}
			// At the top the params decoder refuses duplicates itself (checkKeys), with the
			// message the conformance goldens hold; below it nothing did.
			if dup && depth > 0 {
				return c.fail(child, "duplicate member")
			}
			i = skipWS(b, end)
			i = skipWS(b, i+1) // ':'
			if i = c.value(i, child, depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if b[i] == '}' {
				return i + 1
			}
			i = skipWS(b, i+1) // ','
		}
	case '[':
		i = skipWS(b, i+1)
		if b[i] == ']' {
			return i + 1
		}
		for n := 0; ; n++ {
			if i = c.value(i, path+"["+strconv.Itoa(n)+"]", depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if b[i] == ']' {
				return i + 1
			}
			i = skipWS(b, i+1)
		}
	case 't':
		return i + 4
	case 'f':
		return i + 5
	case 'n':
		return i + 4
	default:
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || ('0' <= b[j] && b[j] <= '9')) {
			j++
		}
		if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil {
			return c.fail(path, "number "+string(b[i:j])+" is out of range")
		}
		return j
	}
}

// str checks the string at b[i] == '"' and returns the index after it.
func (c *textChecker) str(i int) (int, string) {
	b := c.b
	for i++; i < len(b); {
		switch ch := b[i]; {
		case ch == '"':
			return i + 1, ""
		case ch == '\\':
			if b[i+1] != 'u' {
				i += 2
				continue
			}
			r := hex4(b[i+2 : i+6])
			i += 6
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00 && i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u':
				if r2 := hex4(b[i+2 : i+6]); r2 >= 0xdc00 && r2 <= 0xdfff {
					i += 6
					continue
				}
				return i, "a lone UTF-16 surrogate (\\u" + string(b[i-4:i]) + ") is not a character"
			case utf16.IsSurrogate(r):
				return i, "a lone UTF-16 surrogate (\\u" + string(b[i-4:i]) + ") is not a character"
			}
		case ch < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, "not valid UTF-8"
			}
			i += n
		}
	}
	return len(b), "unterminated string"
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// unquoteFast returns a member name's text: the bytes between the quotes when it has no
// escape (always, in practice), else its decoded form.
func unquoteFast(q []byte) []byte {
	inner := q[1 : len(q)-1]
	for _, ch := range inner {
		if ch == '\\' {
			var s string
			if json.Unmarshal(q, &s) != nil {
				return inner
			}
			return []byte(s)
		}
	}
	return inner
}
