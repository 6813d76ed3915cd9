package bindings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

// FuzzDispatch feeds arbitrary bytes to the engine. Whatever comes in, the
// response must be one valid JSON-RPC 2.0 response object (or nothing, for a
// notification) carrying exactly one of result and error, with a well-formed
// error object. (Determinism across engines is the conformance suite's job:
// here methods change the library, so a repeated request may rightly differ.)
// Seeds: testdata/fuzz/FuzzDispatch plus every conformance script. The
// library is confined to its temp dir ("roots"), so whatever paths the fuzzer
// invents, it cannot index the machine.
func FuzzDispatch(f *testing.F) {
	scripts, _ := filepath.Glob("../testdata/conformance/*.jsonl")
	for _, s := range scripts {
		if strings.HasSuffix(s, ".golden.jsonl") {
			continue
		}
		for _, l := range readLines(f, s) {
			f.Add(l)
		}
	}
	dir := f.TempDir()
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(dir, "lib"), Roots: []string{dir}})
	if err != nil {
		f.Fatal(err)
	}
	defer n.Close()
	f.Fuzz(func(t *testing.T, req []byte) {
		resp := n.Call(context.Background(), req)
		if resp == nil {
			return // a notification; the next check ensures it was one
		}
		var r map[string]json.RawMessage
		if err := json.Unmarshal(resp, &r); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, resp)
		}
		_, hasID := r["id"]
		_, hasResult := r["result"]
		errObj, hasError := r["error"]
		if string(r["jsonrpc"]) != `"2.0"` || !hasID || hasResult == hasError || len(r) != 3 {
			t.Fatalf("malformed response %s", resp)
		}
		if hasError {
			var e struct {
				Code    *int    `json:"code"`
				Message *string `json:"message"`
				Data    *struct {
					Field *string `json:"field"`
				} `json:"data"`
			}
			dec := json.NewDecoder(bytes.NewReader(errObj))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || e.Code == nil || e.Message == nil || *e.Code > -32000 || *e.Code < -32768 {
				t.Fatalf("malformed error (%v) %s", err, resp)
			}
		}
	})
}

func readLines(f *testing.F, path string) [][]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 && !bytes.HasPrefix(l, []byte("//")) {
			out = append(out, l)
		}
	}
	return out
}
