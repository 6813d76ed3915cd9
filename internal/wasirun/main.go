// Command wasirun runs a WASI command module (a `go test -c` binary built for
// GOOS=wasip1) under wazero, the runtime filedex ships with. `make test-wasi`
// uses it to run the core's own tests inside the WASI sandbox, where the
// dot-lock VFS, temp_store=MEMORY and the absence of shared memory apply.
//
//	wasirun [-cache DIR] [-dir DIR]... [-tmp DIR] MODULE.wasm [ARGS...]
//
// Each -dir is mounted at its own absolute path; the first is the working
// directory (PWD), as `go test` runs a test binary in its package directory.
// -tmp is created, mounted at its own path and exported as TMPDIR, so
// t.TempDir works. The exit code is the module's.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

type dirs []string

func (d *dirs) String() string     { return fmt.Sprint(*d) }
func (d *dirs) Set(s string) error { *d = append(*d, s); return nil }

func main() {
	var mounts dirs
	cache := flag.String("cache", "", "compilation cache directory")
	tmp := flag.String("tmp", "", "host directory mounted as the guest's TMPDIR")
	flag.Var(&mounts, "dir", "host directory to mount at its own path (repeatable; the first is the working directory)")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: wasirun [-cache DIR] [-dir DIR]... [-tmp DIR] MODULE.wasm [ARGS...]")
		os.Exit(2)
	}
	os.Exit(run(flag.Arg(0), flag.Args()[1:], mounts, *cache, *tmp))
}

func run(module string, args []string, mounts []string, cacheDir, tmp string) int {
	ctx := context.Background()
	wasm, err := os.ReadFile(module)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasirun:", err)
		return 1
	}
	rc := wazero.NewRuntimeConfig()
	if cacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasirun:", err)
			return 1
		}
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)

	fsc := wazero.NewFSConfig()
	var guestRoots []string
	mc := wazero.NewModuleConfig().
		WithArgs(append([]string{filepath.Base(module)}, args...)...).
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader)
	for i, d := range mounts {
		abs, err := filepath.Abs(d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasirun:", err)
			return 1
		}
		fsc = fsc.WithDirMount(abs, abs)
		guestRoots = append(guestRoots, abs)
		if i == 0 {
			mc = mc.WithEnv("PWD", abs) // Go's wasip1 runtime takes its cwd from PWD
		}
	}
	if tmp != "" {
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "wasirun:", err)
			return 1
		}
		abs, _ := filepath.Abs(tmp)
		dir, err := os.MkdirTemp(abs, "run")
		if err != nil {
			fmt.Fprintln(os.Stderr, "wasirun:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		fsc = fsc.WithDirMount(dir, dir)
		guestRoots = append(guestRoots, dir)
		mc = mc.WithEnv("TMPDIR", dir)
	}
	// A read-only skeleton at "/" (the mounts' empty ancestors) and
	// FILEDEX_SANDBOX_ROOTS naming the real mounts. filedex itself needs
	// neither (internal/wasivfs resolves the database path only where the
	// guest can see it; wasmhost preopens the mounts alone), but test binaries
	// wrap go-sqlite3's OS VFS directly (core's disk-full VFS), whose
	// full-pathname step lstats every ancestor of the database path.
	fsc = fsc.(sysfs.FSConfig).WithSysFSMount(&sysfs.AdaptFS{FS: skeleton(guestRoots)}, "/")
	roots, _ := json.Marshal(guestRoots)
	mc = mc.WithEnv("FILEDEX_SANDBOX_ROOTS", string(roots))
	_, err = rt.InstantiateModule(ctx, mustCompile(ctx, rt, wasm), mc.WithFSConfig(fsc))
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return int(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasirun:", err)
		return 1
	}
	return 0
}

func skeleton(roots []string) fs.FS {
	m := fstest.MapFS{}
	for _, r := range roots {
		m[strings.TrimPrefix(filepath.ToSlash(r), "/")] = &fstest.MapFile{Mode: fs.ModeDir | 0o555}
	}
	return m
}

func mustCompile(ctx context.Context, rt wazero.Runtime, wasm []byte) wazero.CompiledModule {
	m, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasirun: compile:", err)
		os.Exit(1)
	}
	return m
}
