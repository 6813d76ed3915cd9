package bindings

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Every example of the method reference decodes and validates as a request would, and
// documents a method that exists.
func TestDiscover_Examples(t *testing.T) {
	for name, d := range methodDocs {
		m := methods[name]
		if m == nil {
			t.Errorf("methodDocs documents %s, which the table does not serve", name)
			continue
		}
		if d.summary == "" || d.example == "" {
			t.Errorf("%s: summary and example are both required", name)
		}
		if e := m.check(json.RawMessage(d.example)); e != nil {
			t.Errorf("%s: example %s is refused: %v", name, d.example, e)
		}
	}
}

// rpc.discover, served like any method, lists every method of the table with the members
// its params type decodes, so the document and the table cannot disagree.
func TestDiscover_MatchesTable(t *testing.T) {
	n, err := OpenNative(OpenOptions{Library: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	resp := n.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}`))
	var r struct {
		Result OpenRPC `json:"result"`
		Error  *Error  `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || r.Error != nil {
		t.Fatalf("rpc.discover: %v %v\n%.300s", err, r.Error, resp)
	}
	doc := r.Result
	if doc.OpenRPC == "" || doc.Info.Version != Version {
		t.Errorf("document header: %+v", doc.Info)
	}
	var names []string
	for _, m := range doc.Methods {
		names = append(names, m.Name)
		want := make([]string, 0)
		for f := range methods[m.Name].fields {
			want = append(want, f)
		}
		sort.Strings(want)
		var got []string
		for _, p := range m.Params {
			got = append(got, p.Name)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: params %v, but the decoder takes %v", m.Name, got, want)
		}
		if len(m.Errors) == 0 || m.Result.Schema == nil {
			t.Errorf("%s: no errors or result schema", m.Name)
		}
	}
	if !slices.Equal(names, Methods()) {
		t.Errorf("rpc.discover lists %v,\nthe table serves %v", names, Methods())
	}
	for _, ref := range []string{"Entry", "EntryList", "DupesResult"} {
		if _, ok := doc.Components.Schemas[ref]; !ok {
			t.Errorf("components.schemas lacks %s", ref)
		}
	}
	entry := doc.Components.Schemas["Entry"]["properties"].(map[string]any)
	for _, member := range []string{"path", "path_b64", "name", "name_b64", "modified_at"} {
		if _, ok := entry[member]; !ok {
			t.Errorf("Entry schema lacks %s: %v", member, entry)
		}
	}
}

// docs/rpc.md's method reference is the one MethodReference renders from the table. With
// FILEDEX_UPDATE_DOCS=1 (make docs) the test rewrites it instead.
func TestRPCDoc_UpToDate(t *testing.T) {
	const path = "../docs/rpc.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- methods:begin -->\n", "<!-- methods:end -->"
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q … %q section", path, begin, end)
	}
	want := MethodReference(Discover())
	if got := s[i+len(begin) : j]; got != want {
		if os.Getenv("FILEDEX_UPDATE_DOCS") != "" {
			if err := os.WriteFile(path, []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s is stale: run make docs (FILEDEX_UPDATE_DOCS=1 go test -run TestRPCDoc_UpToDate ./bindings)", path)
	}
}
