package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// wasmtimeVersion keys the compiled-module cache: serialized code only loads
// into the wasmtime that wrote it.
const wasmtimeVersion = "v39.0.1"

// runtime is one compiled module and the engine that runs it; each command
// or reactor gets a store of its own.
type runtime struct {
	engine *wasmtime.Engine
	module *wasmtime.Module
}

func newRuntime(wasmPath, cacheDir string) (*runtime, error) {
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return nil, err
	}
	engine := wasmtime.NewEngine()
	sum := sha256.Sum256(wasm)
	cached := ""
	if cacheDir != "" {
		cached = filepath.Join(cacheDir, wasmtimeVersion+"-"+hex.EncodeToString(sum[:16])+".cwasm")
		if m, err := wasmtime.NewModuleDeserializeFile(engine, cached); err == nil {
			return &runtime{engine: engine, module: m}, nil
		}
	}
	m, err := wasmtime.NewModule(engine, wasm)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", wasmPath, err)
	}
	if cached != "" {
		// A cache that cannot be written only costs the next start a compile.
		if b, err := m.Serialize(); err == nil {
			if os.MkdirAll(cacheDir, 0o755) == nil {
				tmp := cached + ".tmp" + fmt.Sprint(os.Getpid())
				if os.WriteFile(tmp, b, 0o644) == nil {
					os.Rename(tmp, cached)
				}
			}
		}
	}
	return &runtime{engine: engine, module: m}, nil
}

// extraEnv is what -env adds to every guest's environment.
var extraEnv [][2]string

// stdio names the files a command's standard streams are; empty inherits
// this process's.
type stdio struct{ stdin, stdout, stderr string }

// wasiConfig preopens each dir at its own absolute path (read-write) and
// passes the host's machine id, so a guest on this machine is this machine's
// device (core.LocalDevice; no preopen holds /etc/machine-id).
func wasiConfig(args, dirs []string, io stdio) (*wasmtime.WasiConfig, error) {
	c := wasmtime.NewWasiConfig()
	c.SetArgv(args)
	var keys, values []string
	if id := machineID(); id != "" {
		keys, values = append(keys, "FILEDEX_MACHINE_ID"), append(values, id)
	}
	for _, kv := range extraEnv {
		keys, values = append(keys, kv[0]), append(values, kv[1])
	}
	c.SetEnv(keys, values)
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if err := c.PreopenDir(abs, abs, wasmtime.DIR_READ|wasmtime.DIR_WRITE, wasmtime.FILE_READ|wasmtime.FILE_WRITE); err != nil {
			return nil, fmt.Errorf("preopen %s: %w", abs, err)
		}
	}
	set := func(path string, file func(string) error, inherit func()) error {
		if path == "" {
			inherit()
			return nil
		}
		return file(path)
	}
	if err := set(io.stdin, c.SetStdinFile, c.InheritStdin); err != nil {
		return nil, err
	}
	if err := set(io.stdout, c.SetStdoutFile, c.InheritStdout); err != nil {
		return nil, err
	}
	if err := set(io.stderr, c.SetStderrFile, c.InheritStderr); err != nil {
		return nil, err
	}
	return c, nil
}

func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			if id := strings.TrimSpace(string(b)); id != "" {
				return id
			}
		}
	}
	return ""
}

// instantiate links WASI into a new store and instantiates the module.
func (rt *runtime) instantiate(args, dirs []string, io stdio) (*wasmtime.Store, *wasmtime.Instance, error) {
	wc, err := wasiConfig(args, dirs, io)
	if err != nil {
		return nil, nil, err
	}
	store := wasmtime.NewStore(rt.engine)
	store.SetWasi(wc)
	linker := wasmtime.NewLinker(rt.engine)
	defer linker.Close()
	if err := linker.DefineWasi(); err != nil {
		store.Close()
		return nil, nil, err
	}
	inst, err := linker.Instantiate(store, rt.module)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, inst, nil
}

// command runs the module's _start and returns its exit code.
func (rt *runtime) command(dirs, args []string, io stdio) (int, error) {
	store, inst, err := rt.instantiate(append([]string{"filedex"}, args...), dirs, io)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	start := inst.GetFunc(store, "_start")
	if start == nil {
		return 0, errors.New("module exports no _start: not a command (filedex.wasm)?")
	}
	_, err = start.Call(store)
	if err == nil {
		return 0, nil
	}
	var we *wasmtime.Error
	if errors.As(err, &we) {
		if code, ok := we.ExitStatus(); ok {
			return int(code), nil
		}
	}
	return 0, err
}
