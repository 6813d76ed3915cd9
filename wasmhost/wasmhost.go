package wasmhost

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// DefaultMemoryLimitPages caps the guest's linear memory at 1 GiB (64 KiB
// pages). A Go guest grows its memory with its heap; the cap turns a runaway
// request into a failed call instead of a host that swaps.
const DefaultMemoryLimitPages = 16384

// Mount makes a host directory visible to the guest.
type Mount struct {
	// HostPath is the directory on the host.
	HostPath string
	// GuestPath is where the guest sees it. Empty means the same absolute
	// path as on the host, which keeps paths in responses identical to the
	// native engine's (the conformance suite relies on this).
	GuestPath string
	// ReadOnly refuses every write through this mount.
	ReadOnly bool
}

// Config configures a [Runtime]. The zero value works when the module can be
// found (see Wasm) and the library lies in a mount.
type Config struct {
	// Wasm is the libfiledex.wasm module. If nil it is read from WasmPath;
	// if that is empty too: the module embedded at build time (build tag
	// filedex_embed), else $FILEDEX_WASM, else libfiledex.wasm beside the
	// executable.
	Wasm     []byte
	WasmPath string
	// CacheDir holds wazero's compilation cache: the first start compiles
	// the module to machine code (seconds), later starts load it (≈0.1 s).
	// Empty means $XDG_CACHE_HOME/filedex/wazero (os.UserCacheDir); "-"
	// disables the cache.
	CacheDir string
	// Mounts are the only directories the guest can reach.
	Mounts []Mount
	// MemoryLimitPages caps guest memory; 0 means DefaultMemoryLimitPages.
	MemoryLimitPages uint32
	// Uncancellable compiles the guest without wazero's termination checks
	// (WithCloseOnContextDone off): calls then ignore their context and run
	// to completion. Measured on a trivial call: ≈2× faster guest code and
	// 0.4 µs instead of 2.6 µs per guest entry (the per-call watcher
	// goroutine goes away). For hosts that stop work by ending the process
	// rather than one call, such as a one-shot CLI. The compilation cache
	// keeps the two variants apart.
	Uncancellable bool
	// Stderr receives the guest's stderr (panic stacks with FILEDEX_DEBUG);
	// nil discards it.
	Stderr io.Writer
}

// Runtime is one instance of the WASI reactor. It may hold several open
// libraries ([Runtime.Open]); calls into it serialize, because a Wasm
// instance runs one call at a time.
type Runtime struct {
	mu  sync.Mutex
	rt  wazero.Runtime
	mod api.Module
	mem api.Memory
	fn  struct{ alloc, free, open, call, close, lastError api.Function }
	// callBuf is fdx_call_buf, nil in a module older than it: responses up
	// to reqCap bytes come back in the request buffer, with no fdx_free.
	callBuf api.Function
	reqPtr  uint32 // reusable request (and response) buffer in guest memory
	reqCap  uint32
	stack   [4]uint64 // params and results of guest calls, reused (r.mu held)
	dead    error     // set once the instance is closed or broken
	// uncancellable: Config.Uncancellable; the guest cannot be stopped
	// mid-call, so a done context is refused before entering it.
	uncancellable bool
	// mounts map a library's guest path to its host path (guard).
	mounts []Mount
}

// guard takes the native hold on the library opts name (core.GuardWASILibrary), found
// through the mount that holds it; a library in no mount gets an empty guard (the guest
// cannot open it anyway).
func (r *Runtime) guard(opts bindings.OpenOptions) (*core.WASIGuard, error) {
	lib := filepath.ToSlash(opts.Library)
	if !strings.HasPrefix(lib, "/") {
		lib = "/" + lib // the guest's working directory is "/"
	}
	lib = pathpkg.Clean(lib)
	best, host := -1, ""
	for _, m := range r.mounts {
		guest := m.GuestPath
		if guest == "" {
			guest, _ = filepath.Abs(m.HostPath)
		}
		guest = pathpkg.Clean(filepath.ToSlash(guest))
		rest, ok := strings.CutPrefix(lib, guest)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/") && guest != "/") || len(guest) <= best {
			continue
		}
		best, host = len(guest), filepath.Join(m.HostPath, filepath.FromSlash(rest))
	}
	if best < 0 {
		return nil, nil
	}
	g, err := core.GuardWASILibrary(host, opts.ReadOnly)
	if err != nil {
		return nil, bindings.AsError(err)
	}
	return g, nil
}

// New compiles (or loads from the cache) and instantiates the reactor.
func New(ctx context.Context, cfg Config) (*Runtime, error) {
	wasm, err := cfg.module()
	if err != nil {
		return nil, err
	}
	rc := wazero.NewRuntimeConfig().
		// Cancelling a call's context ends the guest wherever it is (wazero
		// checks at function entries and loop back-edges). The instance is
		// closed by it: see Engine.Call. Those checks are compiled into
		// every guest function and wazero starts a watcher goroutine per
		// call, which is why Uncancellable exists.
		WithCloseOnContextDone(!cfg.Uncancellable)
	pages := cfg.MemoryLimitPages
	if pages == 0 {
		pages = DefaultMemoryLimitPages
	}
	rc = rc.WithMemoryLimitPages(pages)
	if cfg.CacheDir != "-" {
		dir := cfg.CacheDir
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("wasmhost: cache dir: %w", err)
			}
			dir = filepath.Join(base, "filedex", "wazero")
			// Only the default cache is pruned: a directory the caller chose (tests share
			// one across packages and variants) is the caller's to manage.
			defer pruneCache(dir)
		}
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			return nil, fmt.Errorf("wasmhost: compilation cache: %w", err)
		}
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	r := &Runtime{rt: rt, uncancellable: cfg.Uncancellable}
	if err := r.instantiate(ctx, wasm, cfg); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return r, nil
}

func (r *Runtime) instantiate(ctx context.Context, wasm []byte, cfg Config) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r.rt); err != nil {
		return fmt.Errorf("wasmhost: wasi: %w", err)
	}
	compiled, err := r.rt.CompileModule(ctx, wasm)
	if err != nil {
		return fmt.Errorf("wasmhost: compile: %w", err)
	}
	fsc := wazero.NewFSConfig()
	for _, m := range cfg.Mounts {
		cfs, err := newConfinedFS(m.HostPath)
		if err != nil {
			return fmt.Errorf("wasmhost: mount %s: %w", m.HostPath, err)
		}
		guest := m.GuestPath
		if guest == "" {
			// The host path as given (made absolute), not the resolved one:
			// the caller's paths are what the guest will be asked about.
			guest, _ = filepath.Abs(m.HostPath)
		}
		var mfs experimentalsys.FS = cfs
		if m.ReadOnly {
			mfs = &sysfs.ReadFS{FS: cfs}
		}
		guest = filepath.ToSlash(filepath.Clean(guest))
		fsc = fsc.(sysfs.FSConfig).WithSysFSMount(mfs, guest)
	}
	stderr := cfg.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	mc := wazero.NewModuleConfig().
		WithName("filedex").
		// A reactor: _initialize runs the Go runtime's and packages' init,
		// then returns, leaving the exports callable.
		WithStartFunctions("_initialize").
		WithFSConfig(fsc).
		WithStderr(stderr).
		// wazero's defaults are deterministic fake clocks and a fixed
		// random source, good for tests of wazero, wrong for a database
		// that records times and generates UUIDs.
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader)
	// The mounts are all the guest sees, so they are its sandbox roots (it
	// reads them from its preopens). The machine id is the one host fact it
	// needs from outside them: see machineID.
	if id := machineID(); id != "" {
		mc = mc.WithEnv("FILEDEX_MACHINE_ID", id)
	}
	if os.Getenv("FILEDEX_DEBUG") != "" {
		mc = mc.WithEnv("FILEDEX_DEBUG", "1")
	}
	mod, err := r.rt.InstantiateModule(ctx, compiled, mc)
	if err != nil {
		return fmt.Errorf("wasmhost: instantiate: %w", err)
	}
	r.mod, r.mem = mod, mod.Memory()
	r.mounts = cfg.Mounts
	for name, dst := range map[string]*api.Function{
		"fdx_alloc": &r.fn.alloc, "fdx_free": &r.fn.free, "fdx_open": &r.fn.open,
		"fdx_call": &r.fn.call, "fdx_close": &r.fn.close, "fdx_last_error": &r.fn.lastError,
	} {
		if *dst = mod.ExportedFunction(name); *dst == nil {
			return fmt.Errorf("wasmhost: module does not export %s: not a libfiledex.wasm?", name)
		}
	}
	r.callBuf = mod.ExportedFunction("fdx_call_buf")
	return nil
}

// machineID is the host's machine id, which the guest cannot read itself
// (no mount holds /etc). The core identifies the device it runs on by it
// (core.LocalDevice), and locations belong to a device: without it a guest
// is another device, and a library indexed natively on this machine shows it
// no locations at all (every path "not found"). A WASI engine on this
// machine is this machine.
func machineID() string {
	for _, p := range machineIDFiles {
		if b, err := os.ReadFile(p); err == nil {
			if id := strings.TrimSpace(string(b)); id != "" {
				return id
			}
		}
	}
	return ""
}

// machineIDFiles are where core.LocalDevice looks for the machine id, in its
// order.
var machineIDFiles = []string{"/etc/machine-id", "/var/lib/dbus/machine-id"}

// Close ends the instance and every library open in it.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead == nil {
		r.dead = errors.New("wasmhost: runtime closed")
	}
	return r.rt.Close(ctx)
}

// Open opens a library in the guest. The error is a *bindings.Error, as from
// bindings.OpenNative: the same options fail the same way on every engine.
func (r *Runtime) Open(ctx context.Context, opts bindings.OpenOptions) (*Engine, error) {
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead != nil {
		return nil, bindings.Errorf(bindings.CodeInternal, "%v", r.dead)
	}
	// The guest's SQLite marks the library in use with files a killed guest leaves behind;
	// the guard, held natively for the engine's life, is what tells others they are live
	// (core/lock_wasi.go), and removes a dead guest's marks first.
	guard, err := r.guard(opts)
	if err != nil {
		return nil, err
	}
	ptr, err := r.writeRequest(ctx, b)
	if err != nil {
		guard.Release()
		return nil, r.broken(err)
	}
	res, err := r.fn.open.Call(ctx, uint64(ptr), uint64(len(b)))
	if err != nil {
		guard.Release()
		return nil, r.broken(err)
	}
	if h := res[0]; h != 0 {
		if err := guard.Attach(opts.ReadOnly); err != nil {
			guard.Release()
			r.fn.close.Call(context.Background(), h)
			return nil, bindings.AsError(err)
		}
		return &Engine{r: r, h: h, guard: guard}, nil
	}
	guard.Release()
	res, err = r.fn.lastError.Call(ctx)
	if err != nil {
		return nil, r.broken(err)
	}
	msg, err := r.take(ctx, res[0])
	if err != nil {
		return nil, r.broken(err)
	}
	var e bindings.Error
	if err := json.Unmarshal(msg, &e); err != nil {
		return nil, bindings.Errorf(bindings.CodeInternal, "wasmhost: bad error from guest: %s", msg)
	}
	return nil, &e
}

// minRequestBuffer is the smallest request buffer: with fdx_call_buf it is
// also where responses come back, so it is sized for most of them.
const minRequestBuffer = 16 << 10

// writeRequest copies b into the reusable guest buffer, growing it when
// needed. Reusing one buffer saves two guest calls (alloc, free) per request.
func (r *Runtime) writeRequest(ctx context.Context, b []byte) (uint32, error) {
	if uint32(len(b)) > r.reqCap || r.reqPtr == 0 {
		if r.reqPtr != 0 {
			if _, err := r.fn.free.Call(ctx, uint64(r.reqPtr)); err != nil {
				return 0, err
			}
			r.reqPtr, r.reqCap = 0, 0
		}
		size := max(uint32(len(b)), minRequestBuffer)
		res, err := r.fn.alloc.Call(ctx, uint64(size))
		if err != nil {
			return 0, err
		}
		if res[0] == 0 {
			return 0, errors.New("wasmhost: guest allocation failed")
		}
		r.reqPtr, r.reqCap = uint32(res[0]), size
	}
	if !r.mem.Write(r.reqPtr, b) {
		return 0, errors.New("wasmhost: request buffer out of range")
	}
	return r.reqPtr, nil
}

// take copies the packed (ptr<<32 | len) guest buffer out and frees it.
func (r *Runtime) take(ctx context.Context, packed uint64) ([]byte, error) {
	if packed == 0 {
		return nil, nil
	}
	ptr, n := uint32(packed>>32), uint32(packed)
	view, ok := r.mem.Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("wasmhost: response [%d,+%d) out of range", ptr, n)
	}
	out := append([]byte(nil), view...) // the view dies with fdx_free
	if ptr == r.reqPtr {
		return out, nil // fdx_call_buf answered in the host's own buffer
	}
	r.stack[0] = uint64(ptr)
	if err := r.fn.free.CallWithStack(ctx, r.stack[:]); err != nil {
		return nil, err
	}
	return out, nil
}

// broken records that the instance can no longer be trusted (the guest
// trapped, exited or its context ended: wazero has closed it) and returns an
// error for the caller.
func (r *Runtime) broken(err error) error {
	r.dead = fmt.Errorf("wasmhost: instance stopped: %w", err)
	return bindings.Errorf(bindings.CodeInternal, "%v", r.dead)
}

var _ bindings.Engine = (*Engine)(nil)

// Engine is one library open in a [Runtime]; it implements bindings.Engine.
type Engine struct {
	r      *Runtime
	h      uint64
	closed bool
	// own is set by [Open]: the engine owns its runtime and closes it.
	own bool
	// guard is the native hold on the library (Runtime.guard), released after fdx_close.
	guard *core.WASIGuard
}

// Open is the one-library convenience: a new Runtime with cfg, and the library
// opts in it. Closing the engine closes the runtime. This is what the CLI's
// --engine wasi uses.
func Open(ctx context.Context, cfg Config, opts bindings.OpenOptions) (*Engine, error) {
	r, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	e, err := r.Open(ctx, opts)
	if err != nil {
		r.Close(ctx)
		return nil, err
	}
	e.own = true
	return e, nil
}

// Call implements bindings.Engine.
//
// Cancelling ctx stops the guest mid-call and returns a CodeCancelled error;
// because wazero stops a Wasm instance by closing it, the Runtime is unusable
// afterwards (every later call gets CodeInternal "instance stopped") and must
// be replaced. Database state is safe: SQLite's journal rolls the
// interrupted transaction back at the next open.
func (e *Engine) Call(ctx context.Context, request []byte) []byte {
	r := e.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.closed {
		return bindings.ErrorResponse(request, bindings.Errorf(bindings.CodeInvalidRequest, "engine is closed"))
	}
	if r.dead != nil {
		return bindings.ErrorResponse(request, bindings.Errorf(bindings.CodeInternal, "%v", r.dead))
	}
	if len(request) > bindings.MaxRequestBytes {
		// Refuse before copying a huge request into guest memory; the guest
		// would refuse it anyway, with this same response.
		return bindings.ErrorResponse(nil, bindings.Errorf(bindings.CodeInvalidRequest, "request too large: %d bytes (limit %d)", len(request), bindings.MaxRequestBytes))
	}
	if r.uncancellable && ctx.Err() != nil {
		// Nothing to stop: the instance stays usable.
		return bindings.ErrorResponse(request, ctx.Err())
	}
	resp, err := e.call(ctx, request)
	if err != nil {
		if ctx.Err() != nil {
			r.dead = fmt.Errorf("wasmhost: instance stopped: call cancelled: %w", ctx.Err())
			return bindings.ErrorResponse(request, ctx.Err())
		}
		return bindings.ErrorResponse(request, r.broken(err))
	}
	if len(resp) == 0 {
		return nil // a notification
	}
	return resp
}

func (e *Engine) call(ctx context.Context, request []byte) ([]byte, error) {
	r := e.r
	ptr, err := r.writeRequest(ctx, request)
	if err != nil {
		return nil, err
	}
	// CallWithStack on the runtime's stack: Call would allocate the
	// params and results on every call.
	r.stack = [4]uint64{e.h, uint64(ptr), uint64(len(request)), uint64(r.reqCap)}
	fn := r.callBuf
	if fn == nil {
		fn = r.fn.call
	}
	if err := fn.CallWithStack(ctx, r.stack[:]); err != nil {
		return nil, err
	}
	return r.take(ctx, r.stack[0])
}

// Close implements bindings.Engine.
func (e *Engine) Close() error {
	r := e.r
	r.mu.Lock()
	if e.closed {
		r.mu.Unlock()
		return nil
	}
	e.closed = true
	var err error
	if r.dead == nil {
		var res []uint64
		res, err = r.fn.close.Call(context.Background(), e.h)
		if err == nil && int32(res[0]) != 0 {
			err = errors.New("wasmhost: fdx_close failed")
		}
	}
	r.mu.Unlock()
	if gerr := e.guard.Release(); err == nil {
		err = gerr
	}
	if e.own {
		if cerr := r.Close(context.Background()); err == nil {
			err = cerr
		}
	}
	return err
}
