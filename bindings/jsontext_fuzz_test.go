package bindings

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzCheckText: checkText takes any valid JSON without panicking, and what it accepts is
// UTF-8 text whose every object has distinct member names (decoding to a map keeps as many
// members as the text has).
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `"\udc00x"`, "\"\xff\"", `1e999`, `{"a":[{"b":"\ud83d\ude00"}]}`, `[1,2,{"x":null}]`, `{"\u0061":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		_, _, ok := checkText(b, "")
		if !ok {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8: %q", b)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil {
			ms, err := members(b)
			if err == nil && len(ms) != len(m) {
				t.Fatalf("accepted duplicate members: %q", b)
			}
		}
	})
}
