package bindings

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// The fast paths (fastjson.go, flat.go) must agree with the encoding/json
// paths whenever they accept an input: these fuzz targets check it on every
// registered method's types. Seeds: the conformance scripts' requests and the
// engine tests' edge cases.

func fastSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"count":1}}`),
		[]byte(` { "jsonrpc" : "2.0" , "id" : "x y" , "method" : "debug.echo" , "params" : { "value" : [ 1 , { "a" : "<&>" } ] , "text" : "é\u2028" } } `),
		[]byte(`{"jsonrpc":"2.0","id":-0.5e+3,"method":"debug.echo","params":{"count":-9223372036854775808}}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"count":9223372036854775808}}`),
		[]byte(`{"jsonrpc":"2.0","id":null,"method":"debug.echo","params":{"value":null,"text":null,"count":null}}`),
		[]byte(`{"jsonrpc":"2.0","method":"debug.echo","params":null}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"debug.\u0065cho"}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"me\u0074hod":"debug.echo"}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"debug.echo"} x`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"text":"a\"b","count":1.0}}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"location.add","params":{"path":"/x","ignore":["a","b"]}}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"location.add","params":{"path":"/x","ignore":[]}}`),
		[]byte(`{"jsonrpc":"2.0","id":[1],"method":"x"}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":""}`),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":7}`),
		[]byte("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug.echo\",\"params\":{\"text\":\"\xff\"}}"),
		[]byte(`[{"jsonrpc":"2.0"}]`),
		[]byte(`{"jsonrpc":"2.0",`),
		[]byte(`{}`),
		[]byte(``),
	}
	scripts, _ := filepath.Glob("../testdata/conformance/*.jsonl")
	for _, s := range scripts {
		if strings.HasSuffix(s, ".golden.jsonl") {
			continue
		}
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 && !bytes.HasPrefix(l, []byte("//")) {
				seeds = append(seeds, l)
			}
		}
	}
	return seeds
}

func sameError(a, b *Error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Code == b.Code && a.Message == b.Message && reflect.DeepEqual(a.Data, b.Data)
}

// FuzzFastEnvelope: parseRequest (fast path first) returns what the
// encoding/json path returns, and the fast validator agrees with json.Valid.
func FuzzFastEnvelope(f *testing.F) {
	for _, s := range fastSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, id, notify, e := parseRequest(b)
		req2, id2, notify2, e2 := parseRequestSlow(b)
		if req.Method != req2.Method || !bytes.Equal(req.Params, req2.Params) || (req.Params == nil) != (req2.Params == nil) ||
			!bytes.Equal(id, id2) || (id == nil) != (id2 == nil) || notify != notify2 || !sameError(e, e2) {
			t.Fatalf("%q: fast %q %s %s %v %v, slow %q %s %s %v %v", b, req.Method, req.Params, id, notify, e, req2.Method, req2.Params, id2, notify2, e2)
		}
		start := skipWS(b, 0)
		end := validValue(b, start, 0)
		fast := end >= 0 && skipWS(b, end) == len(b)
		deep := bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) >= maxFastDepth
		if fast && !json.Valid(b) || !fast && !deep && json.Valid(b) {
			t.Fatalf("%q: validValue says %v, json.Valid %v", b, fast, json.Valid(b))
		}
	})
}

// flatMethods are the registered methods with a flat params (in) or result
// (out) type, in name order.
func flatMethods(out bool) []*method {
	var ms []*method
	for _, n := range Methods() {
		if m := methods[n]; (out && m.out != nil) || (!out && m.in != nil) {
			ms = append(ms, m)
		}
	}
	return ms
}

func TestFlatCodecCoverage(t *testing.T) {
	in, out := flatMethods(false), flatMethods(true)
	names := func(ms []*method) (s []string) {
		for _, m := range ms {
			s = append(s, m.name)
		}
		return s
	}
	t.Logf("flat params (%d of %d): %v", len(in), len(methods), names(in))
	t.Logf("flat results (%d of %d): %v", len(out), len(methods), names(out))
	for _, want := range []string{"debug.echo", "entry.path", "job.run"} {
		if methods[want].in == nil {
			t.Errorf("%s: params no longer flat", want)
		}
	}
	if methods["debug.echo"].out == nil {
		t.Error("debug.echo: result no longer flat")
	}
}

// FuzzFastParams: whenever the flat codec decodes params, encoding/json
// decodes the same value without error.
func FuzzFastParams(f *testing.F) {
	ms := flatMethods(false)
	for _, s := range fastSeeds(f) {
		var env struct {
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(s, &env) != nil || env.Params == nil {
			continue
		}
		for i, m := range ms {
			if m.name == env.Method {
				f.Add(uint(i), []byte(env.Params))
			}
		}
	}
	f.Fuzz(func(t *testing.T, i uint, raw []byte) {
		if !json.Valid(raw) {
			return // decodeParams is only given valid JSON
		}
		m := ms[i%uint(len(ms))]
		fast := reflect.New(m.paramsType)
		if !m.in.decode(raw, fast.UnsafePointer()) {
			return
		}
		slow := reflect.New(m.paramsType)
		if e := decodeParamsSlow(raw, slow.Interface(), m.fields); e != nil {
			t.Fatalf("%s %s: fast path accepted, encoding/json: %v", m.name, raw, e)
		}
		if !reflect.DeepEqual(fast.Elem().Interface(), slow.Elem().Interface()) {
			t.Fatalf("%s %s: fast %#v, encoding/json %#v", m.name, raw, fast.Elem().Interface(), slow.Elem().Interface())
		}
	})
}

// FuzzFastResult: whenever the flat codec encodes a result, marshal writes
// the same bytes. Values come from raw decoded by encoding/json and from
// filling every field with text, n and raw (which may be invalid JSON).
func FuzzFastResult(f *testing.F) {
	ms := flatMethods(true)
	f.Add(uint(0), []byte(`{"value":{"a" : [1, "x"]},"text":"t","count":3}`), "plain", int64(7))
	f.Add(uint(0), []byte(" [ 1 ,\n2 ] "), "<&>\u2028\u2029\x00\x1f\"\\\b\f\n\r\t", int64(-1))
	f.Add(uint(0), []byte("1 2"), "\xff\xfe é", int64(0))
	f.Add(uint(0), []byte(""), "", int64(1<<62))
	f.Fuzz(func(t *testing.T, i uint, raw []byte, text string, n int64) {
		m := ms[i%uint(len(ms))]
		check := func(v reflect.Value) {
			got, ok := m.out.appendJSON([]byte("prefix"), v.UnsafePointer())
			want, err := marshal(v.Elem().Interface())
			if !ok {
				return
			}
			if err != nil || string(got) != "prefix"+string(want) {
				t.Fatalf("%s %#v: fast %s, marshal %s (%v)", m.name, v.Elem().Interface(), got, want, err)
			}
		}
		v := reflect.New(m.resultType)
		if json.Unmarshal(raw, v.Interface()) == nil {
			check(v)
		}
		v = reflect.New(m.resultType)
		for _, fl := range m.out.fields {
			p := unsafeAdd(v, fl.off)
			switch fl.kind {
			case flatString:
				*(*string)(p) = text
			case flatBool:
				*(*bool)(p) = n&1 != 0
			case flatInt, flatUint:
				for b := uintptr(0); b < fl.size; b++ {
					*(*byte)(unsafeAdd(v, fl.off+b)) = byte(n >> (8 * b))
				}
			case flatRaw:
				if n&2 != 0 {
					*(*json.RawMessage)(p) = raw
				}
			case flatStrings:
				if n&4 != 0 {
					*(*[]string)(p) = []string{text, text[:len(text)/2]}
				}
			}
		}
		check(v)
	})
}

func unsafeAdd(v reflect.Value, off uintptr) unsafe.Pointer {
	return unsafe.Add(v.UnsafePointer(), off)
}
