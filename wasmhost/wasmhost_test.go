package wasmhost_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

// wasmPath finds the module `make wasm` builds. Without it the tests skip,
// unless FILEDEX_REQUIRE_ARTIFACTS is set (make test sets it), where a
// missing module is a failure: CI must never pass by skipping.
func wasmPath(t testing.TB) string {
	t.Helper()
	p, _ := filepath.Abs("../build/libfiledex.wasm")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("FILEDEX_REQUIRE_ARTIFACTS") != "" {
			t.Fatalf("%s missing: run make wasm", p)
		}
		t.Skipf("%s missing: run make wasm (or make test)", p)
	}
	return p
}

// cacheDir is shared by all test runs so only the first compiles.
func cacheDir() string { p, _ := filepath.Abs("../build/wazero-cache"); return p }

func newRuntime(t testing.TB, mounts ...wasmhost.Mount) *wasmhost.Runtime {
	t.Helper()
	r, err := wasmhost.New(context.Background(), wasmhost.Config{WasmPath: wasmPath(t), CacheDir: cacheDir(), Mounts: mounts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	return r
}

const infoReq = `{"jsonrpc":"2.0","id":1,"method":"library.info"}`

func TestRuntime_SameAsNative(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, wasmhost.Mount{HostPath: dir})
	seed := int64(7)
	opts := bindings.OpenOptions{Library: filepath.Join(dir, "lib"), FixedClock: "2026-01-02T03:04:05Z", UUIDSeed: &seed}
	reqs := []string{
		infoReq,
		`{"jsonrpc":"2.0","id":2,"method":"debug.echo","params":{"text":"<ü>","value":[1,{"a":null}]}}`,
		`{"jsonrpc":"2.0","id":3,"method":"debug.panic","params":{"message":"in wasm"}}`,
		`{"jsonrpc":"2.0","id":4,"method":"debug.echo","params":{"count":"x"}}`,
		`{nope`,
	}
	// One engine at a time on the library: the WASI build locks with the
	// dot-lock VFS (a directory beside the database), the native build with
	// shared memory, and the two do not understand each other's locks.
	w, err := r.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var wasi [][]byte
	for _, req := range reqs {
		wasi = append(wasi, w.Call(context.Background(), []byte(req)))
	}
	if got := w.Call(context.Background(), []byte(`{"jsonrpc":"2.0","method":"debug.echo"}`)); got != nil {
		t.Errorf("notification answered: %s", got)
	}
	// The instance survived the panic: still serving.
	if got := string(w.Call(context.Background(), []byte(infoReq))); !strings.Contains(got, `"result"`) {
		t.Errorf("after panic: %s", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Native on the library the guest created: the same answers, and proof
	// that a library closed by one engine opens in the other.
	n, err := bindings.OpenNative(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for i, req := range reqs {
		if want := n.Call(context.Background(), []byte(req)); string(wasi[i]) != string(want) {
			t.Errorf("%s\nwasi   %s\nnative %s", req, wasi[i], want)
		}
	}
}

func TestRuntime_ReadOnlyMount(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: lib}) // create it
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	r := newRuntime(t, wasmhost.Mount{HostPath: dir, ReadOnly: true})
	// A read-write open needs to write (WAL, locks): refused by the mount.
	if _, err := r.Open(context.Background(), bindings.OpenOptions{Library: lib}); err == nil {
		t.Fatal("read-write open through a read-only mount succeeded")
	}
	e, err := r.Open(context.Background(), bindings.OpenOptions{Library: lib, ReadOnly: true})
	if err != nil {
		t.Skipf("read-only open through a read-only mount: %v (needs the core's immutable open)", err)
	}
	defer e.Close()
	got := string(e.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"location.add","params":{"path":"`+dir+`"}}`)))
	if !strings.Contains(got, `"code":-32003`) {
		t.Errorf("write through a read-only library: %s", got)
	}
}

func TestRuntime_Sandbox(t *testing.T) {
	dir := t.TempDir()
	mounted := filepath.Join(dir, "mounted")
	outside := filepath.Join(dir, "outside")
	for _, d := range []string{mounted, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(mounted, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside", filepath.Join(mounted, "relescape")); err != nil {
		t.Fatal(err)
	}
	r := newRuntime(t, wasmhost.Mount{HostPath: mounted})
	for _, lib := range []string{
		filepath.Join(outside, "lib"),
		filepath.Join(mounted, "..", "outside", "lib"),
		filepath.Join(mounted, "escape", "lib"),
		filepath.Join(mounted, "relescape", "lib"),
		"/etc",
	} {
		_, err := r.Open(context.Background(), bindings.OpenOptions{Library: lib})
		var e *bindings.Error
		if !asError(err, &e) || e.Code != bindings.CodeSandbox {
			t.Errorf("library %s: got %v, want sandbox error", lib, err)
		}
	}
	for _, p := range []string{outside, filepath.Join(outside, "lib")} {
		if _, err := os.Stat(filepath.Join(p, "database.db")); err == nil {
			t.Errorf("%s was written through the sandbox", p)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "lib")); err == nil {
		t.Errorf("outside/lib created through the sandbox")
	}
	// Inside the mount works.
	e, err := r.Open(context.Background(), bindings.OpenOptions{Library: filepath.Join(mounted, "lib")})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
}

func asError(err error, target **bindings.Error) bool {
	e, ok := err.(*bindings.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestRuntime_BadOptions(t *testing.T) {
	r := newRuntime(t)
	_, err := r.Open(context.Background(), bindings.OpenOptions{Library: "/x", FixedClock: "soon"})
	want := `invalid params: fixed_clock: not an RFC 3339 time: "soon" (-32602)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestRuntime_Cancel(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, wasmhost.Mount{HostPath: dir})
	e, err := r.Open(context.Background(), bindings.OpenOptions{Library: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := string(e.Call(ctx, []byte(infoReq)))
	if want := `{"jsonrpc":"2.0","id":1,"error":{"code":-32007,"message":"context canceled"}}`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	got = string(e.Call(context.Background(), []byte(infoReq)))
	if !strings.Contains(got, `"code":-32000`) || !strings.Contains(got, "instance stopped") {
		t.Fatalf("after cancel: %s", got)
	}
}

func TestRuntime_MemoryLimit(t *testing.T) {
	_, err := wasmhost.New(context.Background(), wasmhost.Config{WasmPath: wasmPath(t), CacheDir: cacheDir(), MemoryLimitPages: 2})
	if err == nil {
		t.Fatal("a 128 KiB limit accepted a Go module")
	}
}

func TestRuntime_Concurrent(t *testing.T) {
	dir := t.TempDir()
	r := newRuntime(t, wasmhost.Mount{HostPath: dir})
	var engines []*wasmhost.Engine
	for i := range 2 {
		e, err := r.Open(context.Background(), bindings.OpenOptions{Library: filepath.Join(dir, string(rune('a'+i)))})
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			e := engines[i%2]
			for range 50 {
				got := string(e.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":7,"method":"debug.echo","params":{"text":"`+strings.Repeat("x", 1+i*1000)+`"}}`)))
				if !strings.HasSuffix(got, strings.Repeat("x", 1+i*1000)+`"}}`) {
					t.Errorf("bad response %.80s", got)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, e := range engines {
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(engines[0].Call(context.Background(), []byte(infoReq))); !strings.Contains(got, "engine is closed") {
		t.Fatalf("after close: %s", got)
	}
}

// TestRuntime_OpensClosedNativeLibrary: a user who indexes natively and then
// runs `filedex --engine wasi` must get the library, not "locking protocol".
// The native engine's Close removes database.db-shm (see core.Library.Close);
// a left one is a regular file where the WASI build's dot-lock VFS wants to
// create its lock directory.
func TestRuntime_OpensClosedNativeLibrary(t *testing.T) {
	dir := t.TempDir()
	opts := bindings.OpenOptions{Library: filepath.Join(dir, "lib")}
	n, err := bindings.OpenNative(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []string{infoReq, `{"jsonrpc":"2.0","id":2,"method":"tag.create","params":{"name":"native"}}`, infoReq} {
		if got := string(n.Call(context.Background(), []byte(req))); !strings.Contains(got, `"result"`) {
			t.Fatalf("native %s: %s", req, got)
		}
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	r := newRuntime(t, wasmhost.Mount{HostPath: dir})
	w, err := r.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("WASI open of a closed native library: %v", err)
	}
	defer w.Close()
	got := string(w.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":3,"method":"tag.list"}`)))
	if !strings.Contains(got, `"native"`) {
		t.Errorf("tag.list through WASI: %s", got)
	}
}

// TestRuntime_Uncancellable: without termination checks a cancelled context
// is refused before the guest runs, and the instance stays usable (with them,
// TestRuntime_Cancel, the instance is stopped).
func TestRuntime_Uncancellable(t *testing.T) {
	dir := t.TempDir()
	r, err := wasmhost.New(context.Background(), wasmhost.Config{WasmPath: wasmPath(t), CacheDir: cacheDir(), Mounts: []wasmhost.Mount{{HostPath: dir}}, Uncancellable: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	e, err := r.Open(context.Background(), bindings.OpenOptions{Library: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := string(e.Call(ctx, []byte(infoReq)))
	if want := `{"jsonrpc":"2.0","id":1,"error":{"code":-32007,"message":"context canceled"}}`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if got := string(e.Call(context.Background(), []byte(infoReq))); !strings.Contains(got, `"result"`) {
		t.Fatalf("after a refused cancelled call: %s", got)
	}
}

// TestRuntime_PlainPreopens: the guest opens libraries with nothing preopened
// but the mounts, as any WASI runtime gives them (wasmtime run --dir /abs/lib).
// SQLite resolves the database path's symlinks; under WASI the mounts'
// ancestors ("/", "/tmp", …) cannot be stat'ed, which once failed every open
// with "lstat /tmp: bad file descriptor". A library reached through a symlink
// inside the mount still gets its files beside the real database, and the
// guest's device is the host's (the machine id passed in its environment).
func TestRuntime_PlainPreopens(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "deep", "er", "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("er/real", filepath.Join(dir, "deep", "link")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(filepath.Join(data, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Two mounts, neither an ancestor of the other: nothing above them is
	// visible to the guest.
	r := newRuntime(t, wasmhost.Mount{HostPath: filepath.Join(dir, "deep")}, wasmhost.Mount{HostPath: data})
	for _, lib := range []string{filepath.Join(dir, "deep", "plain"), filepath.Join(dir, "deep", "link")} {
		e, err := r.Open(context.Background(), bindings.OpenOptions{Library: lib})
		if err != nil {
			t.Fatalf("open %s with plain preopens: %v", lib, err)
		}
		for _, req := range []string{
			infoReq,
			`{"jsonrpc":"2.0","id":2,"method":"location.add","params":{"path":"` + data + `","mode":"metadata"}}`,
			`{"jsonrpc":"2.0","id":3,"method":"location.scan","params":{"path":"` + data + `"}}`,
		} {
			if got := string(e.Call(context.Background(), []byte(req))); !strings.Contains(got, `"result"`) {
				t.Errorf("%s: %s: %s", lib, req, got)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The linked library's database is the real directory's.
	if _, err := os.Stat(filepath.Join(real, "database.db")); err != nil {
		t.Errorf("library opened through deep/link: %v", err)
	}
	// The location the guest added is this machine's: natively it is listed
	// (locations of another device are not).
	n, err := bindings.OpenNative(bindings.OpenOptions{Library: filepath.Join(dir, "deep", "plain")})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if got := string(n.Call(context.Background(), []byte(`{"jsonrpc":"2.0","id":5,"method":"location.list"}`))); !strings.Contains(got, `"path":"`+data+`"`) {
		t.Errorf("the guest's location is not this device's: %s", got)
	}
}
