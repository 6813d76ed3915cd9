package scenarios

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/wasmhost"
)

// rpcHost is a place where libfiledex.wasm (or, for the JSON-RPC reference,
// the native bindings) runs: it opens libraries and passes JSON-RPC
// requests to them. One host serves every library of a fixture; its mounts
// are fixed when it starts.
type rpcHost interface {
	open(opts bindings.OpenOptions) (rpcLib, error)
	close() error
}

// rpcLib is one library open in a host.
type rpcLib interface {
	// call sends one request and returns the response; err is a transport
	// failure (a JSON-RPC error is a response, checked by the caller).
	call(req []byte) ([]byte, error)
	close() error
}

// repoRoot is the filedex checkout the benchmarks run from (found upward
// from the working directory), where `make wasm` leaves build/.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/filedex/filedex\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the filedex repository (no go.mod of github.com/filedex/filedex above the working directory)")
		}
		dir = parent
	}
}

// buildArtifact returns the path of a `make wasm` product: $FILEDEX_WASM
// for the reactor if set, else build/NAME in the repository. A missing
// module is a failure, not a skip: `make test` and `make bench` build it
// first, so its absence is a broken build that must not pass as "skipped".
func buildArtifact(name string) (string, error) {
	if p := os.Getenv("FILEDEX_WASM"); p != "" && name == "libfiledex.wasm" {
		return p, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "build", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s missing: run `make wasm` first (%w)", p, err)
	}
	return p, nil
}

// ---- wazero (wasmhost) ------------------------------------------------------

type wazeroHost struct{ rt *wasmhost.Runtime }

// newWazeroHost starts the reactor under wasmhost with the compilation
// cache in build/wazero-cache (shared with the conformance suite and
// `make bench-bindings`), so only the first start of a build compiles.
func newWazeroHost(mounts []wasmhost.Mount) (rpcHost, error) {
	wasm, err := buildArtifact("libfiledex.wasm")
	if err != nil {
		return nil, err
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	rt, err := wasmhost.New(context.Background(), wasmhost.Config{
		WasmPath: wasm, CacheDir: filepath.Join(root, "build", "wazero-cache"), Mounts: mounts, Stderr: os.Stderr,
	})
	if err != nil {
		return nil, err
	}
	return &wazeroHost{rt: rt}, nil
}

func (h *wazeroHost) open(opts bindings.OpenOptions) (rpcLib, error) {
	e, err := h.rt.Open(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	return engineLib{e}, nil
}

func (h *wazeroHost) close() error { return h.rt.Close(context.Background()) }

// engineLib adapts a bindings.Engine (wasmhost's or the native one).
type engineLib struct{ e bindings.Engine }

func (l engineLib) call(req []byte) ([]byte, error) { return l.e.Call(context.Background(), req), nil }
func (l engineLib) close() error                    { return l.e.Close() }

// ---- native JSON-RPC (the transport-free reference) ------------------------

// nativeRPCHost serves the same JSON-RPC requests through bindings.OpenNative
// in this process: the native core plus JSON encoding and dispatch, without
// Wasm. Its figures split a WASI engine's ratio into "JSON-RPC" and "Wasm".
type nativeRPCHost struct{}

func (nativeRPCHost) open(opts bindings.OpenOptions) (rpcLib, error) {
	e, err := bindings.OpenNative(opts)
	if err != nil {
		return nil, err
	}
	return engineLib{e}, nil
}

func (nativeRPCHost) close() error { return nil }

// ---- Node (node:wasi) -------------------------------------------------------

// nodeHost is one long-lived `node examples/node/filedex.mjs serve` child
// process: the reactor instantiated once under node:wasi, requests and
// responses one per line over pipes (the serve protocol in filedex.mjs).
type nodeHost struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr strings.Builder
	buf    []byte
}

// newNodeHost starts the driver with dirs preopened at their own paths.
// Node missing is an error, never a skip: Node is required on every machine
// (README), and a benchmark that silently lost an engine would read as
// complete.
func newNodeHost(dirs []string) (rpcHost, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH: the %s engine needs Node >= 20 (%w)", EngineNode, err)
	}
	wasm, err := buildArtifact("libfiledex.wasm")
	if err != nil {
		return nil, err
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	args := append([]string{"--no-warnings", filepath.Join(root, "examples", "node", "filedex.mjs"), "serve", wasm}, dirs...)
	h := &nodeHost{cmd: exec.Command(node, args...)}
	h.cmd.Stderr = &h.stderr
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h.out = bufio.NewReaderSize(stdout, 1<<20)
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	return h, nil
}

// roundTrip sends one command line and reads its one answer line.
func (h *nodeHost) roundTrip(parts ...[]byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf = h.buf[:0]
	for i, p := range parts {
		if i > 0 {
			h.buf = append(h.buf, ' ')
		}
		h.buf = append(h.buf, p...)
	}
	h.buf = append(h.buf, '\n')
	if _, err := h.stdin.Write(h.buf); err != nil {
		return nil, h.failed(err)
	}
	line, err := h.out.ReadBytes('\n')
	if err != nil {
		return nil, h.failed(err)
	}
	return line[:len(line)-1], nil
}

func (h *nodeHost) failed(err error) error {
	return fmt.Errorf("node driver: %w; stderr: %s", err, strings.TrimSpace(h.stderr.String()))
}

func (h *nodeHost) open(opts bindings.OpenOptions) (rpcLib, error) {
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	line, err := h.roundTrip([]byte("open"), b)
	if err != nil {
		return nil, err
	}
	var ans struct {
		Handle string          `json:"handle"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(line, &ans); err != nil || ans.Handle == "" {
		return nil, fmt.Errorf("node driver: open: %s", line)
	}
	return &nodeLib{h: h, handle: []byte(ans.Handle)}, nil
}

// close ends the driver. Node can take 10–20 s to exit on its own after the
// work (examples/node: V8 finishing background compilation), so once stdin
// is closed and the libraries are closed the process is killed.
func (h *nodeHost) close() error {
	h.stdin.Close()
	h.cmd.Process.Kill()
	h.cmd.Wait()
	return nil
}

type nodeLib struct {
	h      *nodeHost
	handle []byte
}

func (l *nodeLib) call(req []byte) ([]byte, error) {
	if len(req) > 0 && strings.ContainsRune(string(req), '\n') {
		return nil, errors.New("node driver: a request must be one line")
	}
	return l.h.roundTrip([]byte("call"), l.handle, req)
}

func (l *nodeLib) close() error {
	line, err := l.h.roundTrip([]byte("close"), l.handle)
	if err != nil {
		return err
	}
	if string(line) != `{"rc":0}` {
		return fmt.Errorf("node driver: close: %s", line)
	}
	return nil
}

// ---- hosts per fixture ------------------------------------------------------

// EngineRPC is filedex's native core behind its JSON-RPC method table, in
// process: the WASI engines' requests without Wasm.
const EngineRPC = "filedex-jsonrpc"

// startHost starts engine's host for a fixture, with dirs mounted (the
// first ones writable, readOnly ones read-only where the host can).
func startHost(engine string, dirs, readOnly []string) (rpcHost, error) {
	switch engine {
	case EngineWazero:
		var ms []wasmhost.Mount
		for _, d := range dirs {
			ms = append(ms, wasmhost.Mount{HostPath: d})
		}
		for _, d := range readOnly {
			ms = append(ms, wasmhost.Mount{HostPath: d, ReadOnly: true})
		}
		return newWazeroHost(ms)
	case EngineNode:
		// node:wasi has no read-only preopens.
		return newNodeHost(append(append([]string(nil), dirs...), readOnly...))
	case EngineRPC:
		return nativeRPCHost{}, nil
	}
	return nil, fmt.Errorf("unknown WASI engine %q", engine)
}

// sharedHost returns the fixture's host for engine and purpose, started once
// and closed with the fixture.
func sharedHost(f *harness.Fixture, engine, purpose string, dirs, readOnly []string) (rpcHost, error) {
	v, err := f.Shared(engine+"/host/"+purpose, func() (any, func() error, error) {
		h, err := startHost(engine, dirs, readOnly)
		if err != nil {
			return nil, nil, err
		}
		return h, h.close, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(rpcHost), nil
}
