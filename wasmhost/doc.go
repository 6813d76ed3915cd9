// Package wasmhost hosts libfiledex.wasm, the WASI build of filedex, with
// wazero, and serves it through the same bindings.Engine interface as the
// native engine: `filedex --engine wasi` works for every method.
//
//	e, err := wasmhost.Open(ctx, wasmhost.Config{
//		Mounts: []wasmhost.Mount{{HostPath: libDir}, {HostPath: photos, ReadOnly: true}},
//	}, bindings.OpenOptions{Library: libDir})
//	resp := e.Call(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"library.info"}`))
//
// # Compilation cache
//
// Compiling the ~20 MB module to machine code takes seconds (6–8 s measured,
// more on a busy machine). [Config.CacheDir] (default: the user cache
// directory) keeps the compiled code, so later starts load it: ~0.1–0.2 s.
//
// # Where the module comes from
//
// go:embed needs the file when Go compiles, and the module is a build product
// of `make wasm`, not a committed file. So embedding is opt-in: build with
// `-tags filedex_embed` after `make embed` copied it beside this package.
// Without the tag (a fresh clone's `go build ./...` and `go test ./...`), the
// module is read at run time from [Config.WasmPath], $FILEDEX_WASM, or
// libfiledex.wasm beside the executable.
//
// # Sandbox
//
// The guest reaches only [Config.Mounts], each at its host path by default
// (so paths in responses equal the native engine's). Two layers refuse
// escapes: the guest checks every path from a request (after resolving ".."
// and symlinks) and answers with the sandbox error code (-32005); and each
// mount is a file system that refuses, with EACCES, any operation whose path
// resolves outside it — wazero's own directory mounts follow host symlinks
// wherever they point. Nothing else is preopened: the guest works with the
// plain preopens any WASI runtime gives (wasmtime run --dir, node:wasi). The
// host's machine id reaches it as $FILEDEX_MACHINE_ID, so a guest on this
// machine is this machine's device.
//
// # Caveats
//
//   - Calls into one [Runtime] serialize: a Wasm instance runs one call at a time.
//   - Cancelling a call's context stops the guest mid-call, and with it the
//     instance: later calls on that Runtime fail with "instance stopped".
//     SQLite's journal rolls back the interrupted transaction at next open.
//   - Do not open one library from a WASI engine and a native engine at the
//     same time: the WASI build locks with dot-lock files, the native build
//     with shared memory, and neither sees the other's lock.
//   - The symlink checks and the use of a path are two steps; a
//     concurrent rename on the host between them could race (no
//     openat2(RESOLVE_BENEATH) in wazero's file-system interface).
package wasmhost
