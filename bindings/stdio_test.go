package bindings_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func TestServe(t *testing.T) {
	n := openNative(t)
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"debug.echo","params":{"value":"a"}}`,
		``,
		`{"jsonrpc":"2.0","method":"debug.echo"}`, // notification: no line
		`{"jsonrpc":"2.0","id":2,"method":"debug.echo","params":{"text":"` + strings.Repeat("x", bindings.MaxRequestBytes) + `"}}`,
		`{bad`,
		`{"jsonrpc":"2.0","id":3,"method":"debug.echo","params":{"value":"last, no newline"}}`,
	}, "\n")
	var out bytes.Buffer
	if err := bindings.Serve(context.Background(), n, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := `{"jsonrpc":"2.0","id":1,"result":{"value":"a"}}
{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request too large (limit 1048576 bytes)"}}
{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error at offset 2: invalid character 'b' looking for beginning of object key string"}}
{"jsonrpc":"2.0","id":3,"result":{"value":"last, no newline"}}
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestServe_ScanProgress: location.scan with "progress": true runs as one call and sends
// job.progress notifications on their own lines before its response; without it, the
// response is the only line, as before.
func TestServe_ScanProgress(t *testing.T) {
	n := openNative(t)
	root := t.TempDir()
	for i := range 30 {
		dir := filepath.Join(root, fmt.Sprintf("d%02d", i))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "f.txt"), []byte{byte(i)}, 0o644)
	}
	root2 := t.TempDir()
	os.WriteFile(filepath.Join(root2, "g.txt"), []byte("g"), 0o644)
	in := `{"jsonrpc":"2.0","id":1,"method":"location.scan","params":{"path":` + strconv.Quote(root) + `,"mode":"metadata","progress":true}}
{"jsonrpc":"2.0","id":2,"method":"location.scan","params":{"path":` + strconv.Quote(root2) + `,"mode":"metadata"}}
`
	var out bytes.Buffer
	if err := bindings.Serve(context.Background(), n, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("want notifications then two responses, got:\n%s", out.String())
	}
	var last map[string]json.RawMessage
	for i, l := range lines[:len(lines)-2] {
		var m struct {
			ID     *json.RawMessage   `json:"id"`
			Method string             `json:"method"`
			Params *core.ScanProgress `json:"params"`
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil || m.ID != nil || m.Method != "job.progress" || m.Params == nil || m.Params.JobID == 0 {
			t.Fatalf("line %d is not a job.progress notification: %s", i, l)
		}
	}
	final := lines[len(lines)-3]
	if !strings.Contains(final, `"phase":"done"`) || !strings.Contains(final, `"dirs":30`) {
		t.Errorf("last notification is not the finished scan: %s", final)
	}
	for i, want := range []string{`"id":1,"result"`, `"id":2,"result"`} {
		l := lines[len(lines)-2+i]
		if err := json.Unmarshal([]byte(l), &last); err != nil || !strings.Contains(l, want) || !strings.Contains(l, `"done":true`) {
			t.Errorf("response %d = %s", i+1, l)
		}
	}
}
