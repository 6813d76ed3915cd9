package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// The WASI engines (libfiledex.wasm under wazero through wasmhost, and under
// Node's node:wasi through examples/node/filedex.mjs serve) answer the query
// scenarios as JSON-RPC calls, the only way an embedder reaches them. Every
// answer is checked: its bytes must equal the native bindings' answer to the
// same request on the same library (the project's "identical everywhere"
// rule), so a WASI engine that answered fast and wrong would fail.
//
// EngineRPC runs the same requests through the native bindings in process:
// the difference between it and filedex is JSON-RPC (encoding, dispatch),
// the difference between a WASI engine and it is Wasm and the host.

var goalWASI = harness.Goal{Text: "≤ 5× native (issue 5)"}

// wasiEngines are the engines of the JSON-RPC query scenarios.
var wasiEngines = []string{EngineRPC, EngineWazero, EngineNode}

// rpcQuery is one library query as a JSON-RPC request.
type rpcQuery struct {
	name, doc string
	point     bool
	// all follows the "next" cursor to the last page (the query's answer is
	// every row, as the seed's `.all(db)`).
	all bool
	// params returns the params of operation i (point queries cycle through
	// keys; the others ignore i). keys is how many distinct params exist.
	params func(ld *corelib.Loaded, k *Keys, i int) any
	keys   func(k *Keys) int
	method string
}

func one(*Keys) int { return 1 }

func rpcQueries() []rpcQuery {
	files := func(k *Keys) int { return len(k.Files) }
	return []rpcQuery{
		{name: "query/entry_by_path", point: true, method: "entry.get", keys: files,
			doc: "entry.get {path}: one entry by its absolute path (point).",
			params: func(ld *corelib.Loaded, k *Keys, i int) any {
				return map[string]any{"path": ld.Abs(k.Files[i%len(k.Files)].Path())}
			}},
		{name: "query/full_path", point: true, method: "entry.path", keys: files,
			doc: "entry.path {id}: an entry's absolute path from its id (point).",
			params: func(ld *corelib.Loaded, k *Keys, i int) any {
				return map[string]any{"id": ld.EntryID(k.Files[i%len(k.Files)])}
			}},
		{name: "query/list_dir", point: true, method: "entry.list", keys: func(k *Keys) int { return len(k.Dirs) },
			doc: "entry.list {path, limit: 50}: first page of a directory's children (point).",
			params: func(ld *corelib.Loaded, k *Keys, i int) any {
				return map[string]any{"path": ld.Abs(k.Dirs[i%len(k.Dirs)]), "limit": 50}
			}},
		{name: "query/subtree_stats", method: "tree.stats", keys: one,
			doc:    "tree.stats {path}: files, directories and bytes below the directory closest to 10% of the library.",
			params: func(ld *corelib.Loaded, k *Keys, _ int) any { return map[string]any{"path": ld.Abs(k.Subtree.Path)} }},
		{name: "query/ext_first_page", method: "entry.find", keys: one,
			doc: "entry.find {ext: [pdf], limit: 50}.",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any {
				return map[string]any{"ext": []string{k.Ext}, "limit": 50}
			}},
		{name: "query/ext_all", method: "entry.find", keys: one, all: true,
			doc: "entry.find {ext: [pdf]}, every page of 10,000.",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any {
				return map[string]any{"ext": []string{k.Ext}, "limit": core.MaxLimit}
			}},
		{name: "query/glob_first_page", method: "entry.find", keys: one,
			doc:    "entry.find {name: IMG_20??_*, limit: 50}.",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any { return map[string]any{"name": k.Glob, "limit": 50} }},
		{name: "query/word_prefix", method: "entry.find", keys: one,
			doc:    "entry.find {text: rep*, limit: 50} (FTS prefix query).",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any { return map[string]any{"text": k.Word + "*", "limit": 50} }},
		{name: "query/tag_entries", method: "entry.find", keys: one, all: true,
			doc: "entry.find {tags: [Important]}, every page of 10,000.",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any {
				return map[string]any{"tags": []string{k.Tag}, "limit": core.MaxLimit}
			}},
		{name: "query/label_entries", method: "entry.find", keys: one, all: true,
			doc: "entry.find {label: Work} (and its descendant labels), every page of 10,000.",
			params: func(_ *corelib.Loaded, k *Keys, _ int) any {
				return map[string]any{"label": k.Label, "limit": core.MaxLimit}
			}},
		{name: "query/favorites", method: "entry.find", keys: one,
			doc:    "entry.find {favorite: true, limit: 50}.",
			params: func(*corelib.Loaded, *Keys, int) any { return map[string]any{"favorite": true, "limit": 50} }},
		{name: "query/duplicates", method: "duplicates.find", keys: one, all: true,
			doc:    "duplicates.find {summary: true}: every duplicate group, most wasted bytes first, pages of 10,000 groups, without members.",
			params: func(*corelib.Loaded, *Keys, int) any { return map[string]any{"limit": core.MaxLimit, "summary": true} }},
		{name: "query/large_files_by_dir", method: "tree.large_files", keys: one,
			doc:    "tree.large_files {min_size: 100 MiB}: directories holding large files.",
			params: func(*corelib.Loaded, *Keys, int) any { return map[string]any{"min_size": 100 << 20} }},
		{name: "query/tag_stats", method: "tag.list", keys: one,
			doc:    "tag.list {}: tags with their usage counts.",
			params: func(*corelib.Loaded, *Keys, int) any { return map[string]any{"limit": core.MaxLimit} }},
		{name: "query/top_largest", method: "tree.usage", keys: one,
			doc:    "tree.usage {path: location, top: 100}: the location's size and its 100 largest files.",
			params: func(ld *corelib.Loaded, _ *Keys, _ int) any { return map[string]any{"path": ld.Root, "top": 100} }},
		{name: "query/dir_sizes", method: "tree.usage", keys: one,
			doc:    "tree.usage {path: location, depth: 1}: bytes and files of the location and of each top-level directory.",
			params: func(ld *corelib.Loaded, _ *Keys, _ int) any { return map[string]any{"path": ld.Root, "depth": 1} }},
	}
}

// request encodes one JSON-RPC request (always id 1: the reference answer
// must be byte-identical).
func (q rpcQuery) request(ld *corelib.Loaded, k *Keys, i int) ([]byte, error) {
	p, err := json.Marshal(q.params(ld, k, i))
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":1,"method":%q,"params":%s}`, q.method, p), nil
}

var answerSeed = maphash.MakeSeed()

// run sends the request of operation i (and, for an "all" query, the
// following pages) and returns a hash of every response and how many
// responses there were.
func (q rpcQuery) run(lib rpcLib, req []byte) (uint64, int, error) {
	var h maphash.Hash
	h.SetSeed(answerSeed)
	pages := 0
	for {
		resp, err := lib.call(req)
		if err != nil {
			return 0, pages, err
		}
		pages++
		h.Write(resp)
		if !q.all {
			break
		}
		next, ok := nextCursor(resp)
		if !ok {
			break
		}
		if req, err = withCursor(req, next); err != nil {
			return 0, pages, err
		}
	}
	return h.Sum64(), pages, nil
}

// nextCursor finds the "next" cursor of a page without decoding the whole
// response (an "all" query's pages are megabytes; decoding them would time
// the harness). `,"next":"` cannot occur inside a JSON string (its quote
// would be escaped), and results end with next (entry lists: null when
// done; duplicate groups: omitted when done).
func nextCursor(resp []byte) (string, bool) {
	const key = `,"next":"`
	i := bytes.LastIndex(resp, []byte(key))
	if i < 0 {
		return "", false
	}
	rest := resp[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// withCursor returns req with params.after set to cursor.
func withCursor(req []byte, cursor string) ([]byte, error) {
	var r map[string]json.RawMessage
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, err
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(r["params"], &p); err != nil {
		return nil, err
	}
	p["after"], _ = json.Marshal(cursor)
	r["params"], _ = json.Marshal(p)
	return json.Marshal(r)
}

// wasiLibrary is a library copy and its open handle in one engine's host.
type wasiLibrary struct {
	lib rpcLib
}

// copyLibrary copies the native library's database (and WAL) into dir.
// The WASI build locks with dot-lock files and keeps its WAL index in guest
// memory, the native build uses fcntl locks and a shared-memory -shm: neither
// sees the other's locks (wasmhost's doc), so a WASI engine must not open the
// library the native engine holds open — the native move_dir scenario writes
// to it. A byte copy taken while nobody writes is the same library: same
// rows, same pages, same location paths.
func copyLibrary(ld *corelib.Loaded, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal"} {
		src := filepath.Join(ld.Dir, core.DatabaseFile+suffix)
		in, err := os.Open(src)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(dir, core.DatabaseFile+suffix))
		if err == nil {
			_, err = io.Copy(out, in)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		in.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// rpcLibFor opens the fixture's library in engine, once per fixture: the
// native JSON-RPC engine opens the native library itself (read-only, same
// process: its locks are the native ones), a WASI engine a copy of it, with
// the copy's directory and the (empty) location directory mounted — a
// request's paths must lie in a mount.
func rpcLibFor(f *harness.Fixture, engine string, ld *corelib.Loaded) (rpcLib, error) {
	// Fixture.Shared does not nest (it holds the fixture's lock while it
	// builds): each step is its own shared value.
	dir := ld.Dir
	var mounts []string
	if engine != EngineRPC {
		dir = filepath.Join(f.Work, engine+"-library")
		mounts = []string{dir}
		if _, err := f.Shared(engine+"/library-copy", func() (any, func() error, error) {
			if err := copyLibrary(ld, dir); err != nil {
				return nil, nil, fmt.Errorf("copy the library: %w", err)
			}
			return nil, nil, nil
		}); err != nil {
			return nil, err
		}
	}
	h, err := sharedHost(f, engine, "library", mounts, []string{ld.Root})
	if err != nil {
		return nil, err
	}
	v, err := f.Shared(engine+"/library", func() (any, func() error, error) {
		lib, err := h.open(bindings.OpenOptions{Library: dir, ReadOnly: true})
		if err != nil {
			return nil, nil, fmt.Errorf("open the library in %s: %w", engine, err)
		}
		return &wasiLibrary{lib: lib}, lib.close, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*wasiLibrary).lib, nil
}

// expected returns the reference answers of q on the fixture: the hash of
// the native bindings' responses for each distinct request, computed once.
func expected(f *harness.Fixture, q rpcQuery, ld *corelib.Loaded, k *Keys) ([]uint64, error) {
	ref, err := rpcLibFor(f, EngineRPC, ld)
	if err != nil {
		return nil, err
	}
	v, err := f.Shared("expected/"+q.name, func() (any, func() error, error) {
		// Operations cycle through the keys; a run never uses more of
		// them than its operations (a smoke run: 2), so computing more
		// would only slow the setup.
		n := min(q.keys(k), f.Opts.Warmup+f.Opts.PointOps+1)
		out := make([]uint64, n)
		for i := range n {
			req, err := q.request(ld, k, i)
			if err != nil {
				return nil, nil, err
			}
			resp, err := ref.call(req)
			if err != nil {
				return nil, nil, err
			}
			if !bytes.Contains(resp, []byte(`"result":`)) {
				return nil, nil, fmt.Errorf("reference answer is an error: %s", resp)
			}
			if out[i], _, err = q.run(ref, req); err != nil {
				return nil, nil, err
			}
		}
		return out, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]uint64), nil
}

// wasiSizeOK skips a WASI engine on datasets above Options.WASIMaxEntries:
// Go compiled to wasm runs SQLite 20-300x slower than native here (RESULTS.md),
// so a duplicates query at 100k entries would take most of a full run.
func wasiSizeOK(f *harness.Fixture, engine string) error {
	if engine == EngineRPC || f.Opts == nil || f.Opts.WASIMaxEntries <= 0 || f.Size <= f.Opts.WASIMaxEntries {
		return nil
	}
	return harness.Skipf("the WASI engines run on datasets of up to %d entries in this run (fdxbench -wasi-max-entries); this one has %d", f.Opts.WASIMaxEntries, f.Size)
}

func rpcScenario(q rpcQuery, engine string) harness.Scenario {
	goal := goalWASI
	if engine == EngineRPC {
		goal = harness.Goal{}
	}
	return harness.Scenario{
		Name: q.name, Engine: engine, Data: harness.Library, Point: q.point, Goal: goal, Doc: q.doc,
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			if err := wasiSizeOK(f, engine); err != nil {
				return nil, err
			}
			ld, k, err := libAndKeys(f)
			if err != nil {
				return nil, err
			}
			want, err := expected(f, q, ld, k)
			if err != nil {
				return nil, fmt.Errorf("reference answers: %w", err)
			}
			lib, err := rpcLibFor(f, engine, ld)
			if err != nil {
				return nil, err
			}
			reqs := make([][]byte, len(want))
			for i := range reqs {
				if reqs[i], err = q.request(ld, k, i); err != nil {
					return nil, err
				}
			}
			return &harness.Bench{Op: func(i int) error {
				j := i % len(reqs)
				got, _, err := q.run(lib, reqs[j])
				if err == nil && got != want[j] {
					resp, _ := lib.call(reqs[j])
					err = fmt.Errorf("answer differs from the native bindings' to %s: %.300s", reqs[j], resp)
				}
				return err
			}}, nil
		},
	}
}

// WASIQueries returns the library query scenarios of the JSON-RPC engines.
func WASIQueries() []harness.Scenario {
	var s []harness.Scenario
	for _, q := range rpcQueries() {
		for _, e := range wasiEngines {
			s = append(s, rpcScenario(q, e))
		}
	}
	return s
}

// wasiScan is a first scan of the fixture's tree through location.scan in
// a WASI engine: the tree is mounted read-only, the library lives in a
// writable scratch mount and is removed and reopened (untimed) before each
// scan, like the native scanFresh.
func wasiScan(name string, mode core.IndexMode, engine string) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: engine, Data: harness.Tree, Goal: goalWASI,
		Doc: "location.scan {path, mode: " + string(mode) + "} into a new library, in one call.",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			if err := wasiSizeOK(f, engine); err != nil {
				return nil, err
			}
			scratch, err := f.Dir(engine + "-scan-" + string(mode))
			if err != nil {
				return nil, err
			}
			h, err := sharedHost(f, engine, "scan-"+string(mode), []string{scratch}, []string{f.Tree.Root})
			if err != nil {
				return nil, err
			}
			libDir := filepath.Join(scratch, "lib")
			var lib rpcLib
			closeLib := func() error {
				if lib == nil {
					return nil
				}
				err := lib.close()
				lib = nil
				return err
			}
			req := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":1,"method":"location.scan","params":{"path":%s,"mode":%q}}`,
				strconv.Quote(f.Tree.Root), mode)
			var last core.ScanSummary
			return &harness.Bench{
				Items: int64(f.Tree.Files), ItemUnit: "files",
				Prepare: func(int) error {
					if err := closeLib(); err != nil {
						return err
					}
					if err := os.RemoveAll(libDir); err != nil {
						return err
					}
					// The new library is created natively (schema, device
					// row), then opened in the engine: creating it inside
					// the guest runs every migration in Wasm, which took
					// over the core's 10 s connect timeout on a loaded
					// 2-core machine. The scan, the timed part, is the same.
					nl, err := core.Open(libDir, core.Options{})
					if err != nil {
						return err
					}
					if err := nl.Close(); err != nil {
						return err
					}
					// core.Library.Close leaves no database.db-shm for the
					// WASI build's dot-lock VFS to refuse (RATIONALE.md).
					lib, err = h.open(bindings.OpenOptions{Library: libDir})
					return err
				},
				Op: func(int) error {
					resp, err := lib.call(req)
					if err != nil {
						return err
					}
					var r struct {
						Result *core.ScanResult `json:"result"`
						Error  json.RawMessage  `json:"error"`
					}
					if err := json.Unmarshal(resp, &r); err != nil || r.Result == nil {
						return fmt.Errorf("location.scan: %.300s", resp)
					}
					if !r.Result.Done {
						return fmt.Errorf("scan not done: %+v", r.Result.Progress)
					}
					if r.Result.Summary.Files != int64(f.Tree.Files) {
						return fmt.Errorf("scan saw %d files, the tree has %d", r.Result.Summary.Files, f.Tree.Files)
					}
					last = r.Result.Summary
					return nil
				},
				Close: func() error {
					err := closeLib()
					if last.WarningCount > 0 && err == nil {
						err = fmt.Errorf("%d scan warnings, first: %v", last.WarningCount, last.Warnings)
					}
					return err
				},
			}, nil
		},
	}
}

// WASIScans returns the tree scans of the WASI engines.
func WASIScans() []harness.Scenario {
	var s []harness.Scenario
	for _, e := range []string{EngineWazero, EngineNode} {
		s = append(s, wasiScan(ScanMetadata, core.ModeMetadata, e), wasiScan(ScanContent, core.ModeContent, e))
	}
	return s
}
