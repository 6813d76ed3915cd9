// Command wasmtimerun runs filedex's WASI builds under wasmtime
// (github.com/bytecodealliance/wasmtime-go), a third WASI runtime beside
// wazero (wasmhost) and Node (examples/node), with plain preopens: each
// directory at its own absolute path and nothing else, what
// `wasmtime run --dir /abs/lib --dir /abs/data` gives a guest.
//
// It lives in a module of its own: wasmtime-go is cgo and ships a static
// library of its own (about 200 MB of module), which the main module's users
// should not download. `make test` builds it into build/wasmtimerun, and the
// conformance suite runs it as a program, as it runs Node.
//
//	wasmtimerun [-cache DIR] [-env K=V]... command WASM DIR... -- ARGS...   # filedex.wasm as a command
//	wasmtimerun [-cache DIR] scripts WASM JOBS_JSON           # the reactor, every job in one instance
//	wasmtimerun [-cache DIR] command-scripts WASM JOBS_JSON   # `filedex rpc` once per job
//	wasmtimerun [-cache DIR] serve WASM DIR...                # the reactor, driven line by line
//	wasmtimerun [-cache DIR] rpc WASM OPTIONS_JSON DIR...     # the reactor: one library, requests on stdin
//
// JOBS_JSON is [{"name","options","dirs","input"}], the conformance suite's
// jobs; scripts modes print the transcripts as a JSON array of strings (the
// protocol of internal/conformance/node_scripts.mjs). serve speaks the
// protocol of examples/node/filedex.mjs serve. -cache holds compiled modules
// (wasmtime's serialized code, keyed by the module's hash): compiling the
// 24 MB module takes tens of seconds of CPU, loading it a fraction of one.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	cache := flag.String("cache", "", "directory for compiled modules (empty: compile every time)")
	flag.Func("env", "KEY=VALUE for the guest's environment (repeatable; e.g. TMPDIR and PWD to run a go test binary)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("-env %q: want KEY=VALUE", s)
		}
		extraEnv = append(extraEnv, [2]string{k, v})
		return nil
	})
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wasmtimerun [-cache DIR] command WASM DIR... -- ARGS... | scripts WASM JOBS_JSON | command-scripts WASM JOBS_JSON | serve WASM DIR... | rpc WASM OPTIONS_JSON DIR...")
		os.Exit(2)
	}
	flag.Parse()
	args := flag.Args()
	if len(args) < 2 {
		flag.Usage()
	}
	mode, wasm, rest := args[0], args[1], args[2:]
	rt, err := newRuntime(wasm, *cache)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtimerun:", err)
		os.Exit(1)
	}
	switch {
	case mode == "command" && slices.Contains(rest, "--"):
		i := slices.Index(rest, "--")
		code, err := rt.command(rest[:i], rest[i+1:], stdio{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasmtimerun:", err)
			os.Exit(1)
		}
		os.Exit(code)
	case mode == "scripts" && len(rest) == 1:
		err = runScripts(rt, rest[0])
	case mode == "command-scripts" && len(rest) == 1:
		err = runCommandScripts(rt, rest[0])
	case mode == "rpc" && len(rest) >= 1:
		code, err := rpc(rt, rest[0], rest[1:], os.Stdin, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasmtimerun:", err)
			os.Exit(1)
		}
		os.Exit(code)
	case mode == "serve":
		err = serve(rt, rest, os.Stdin, os.Stdout)
	default:
		flag.Usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtimerun:", err)
		os.Exit(1)
	}
}
