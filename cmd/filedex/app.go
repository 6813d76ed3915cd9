package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// app is one invocation: the global flags, the standard streams and, once a
// command asks for it, the engine.
type app struct {
	library    string
	json       bool
	quiet      bool
	engineName string
	// skipMigrations: the migrate commands open a library without applying pending migrations.
	skipMigrations bool
	// mayCreate: the command writes and may create the library (createsLibrary).
	mayCreate bool
	// forRestore: restore opens a library whose database is unreadable (OpenOptions.ForRestore).
	forRestore bool

	stdin          io.Reader
	stdout, stderr io.Writer
	// stderrTTY: progress bars go to stderr only when it is a terminal.
	stderrTTY bool
	// color: stdout is a terminal and NO_COLOR is not set.
	color bool
	cwd   string

	cmdPath string // the command being run, for usage hints
	eng     bindings.Engine
	nextID  int64
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	a.stderrTTY = isTerminal(stderr)
	_, noColor := os.LookupEnv("NO_COLOR")
	a.color = !noColor && isTerminal(stdout) && os.Getenv("TERM") != "dumb"
	a.cwd, _ = os.Getwd()
	return a
}

// checkGlobals validates the global flags before any command runs.
func (a *app) checkGlobals() error {
	switch a.engineName {
	case "native", "wasi":
	default:
		return usagef("--engine must be native or wasi, not %q", a.engineName)
	}
	if a.json {
		a.color = false
	}
	return nil
}

// showProgress reports whether a live progress bar may be drawn.
func (a *app) showProgress() bool { return a.stderrTTY && !a.quiet && !a.json }

// libraryDir resolves the library directory: --library, else core.DefaultDir.
func (a *app) libraryDir() (string, error) {
	dir := a.library
	if dir == "" {
		d, err := core.DefaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	return filepath.Abs(dir)
}

// open opens the engine once per invocation. paths are the files and
// directories the command names: the WASI engine mounts them (each
// directory, or the directory of a file) beside the library and nothing else.
// The native engine needs no mounts: it is this process.
func (a *app) open(ctx context.Context, paths ...string) (bindings.Engine, error) {
	if a.eng != nil {
		return a.eng, nil
	}
	dir, err := a.libraryDir()
	if err != nil {
		return nil, err
	}
	if !a.mayCreate {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return nil, noLibraryError(dir)
		}
	}
	readOnly := false
	if err := checkLibraryDir(dir); err != nil {
		// A library this user may read but not write (a 0555 directory, another user's,
		// read-only media) is opened read-only: reads work, writes say read-only.
		if !readableLibrary(dir) {
			return nil, err
		}
		readOnly = true
	}
	opts := bindings.OpenOptions{Library: dir, SkipMigrations: a.skipMigrations, MustExist: !a.mayCreate, ForRestore: a.forRestore, ReadOnly: readOnly}
	var eng bindings.Engine
	switch a.engineName {
	case "wasi":
		// The library directory must exist to be mounted; the native
		// engine creates it inside core.Open, the guest cannot create its
		// own mount point.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, libraryError(dir, err)
		}
		mounts, err := mountDirs(dir, paths)
		if err != nil {
			return nil, err
		}
		// The first start of a build compiles the module (about 40 s on 2 cores, with a
		// compilation cache of about 112 MB): say so rather than sit silent. spin draws only
		// after 300 ms, so a start from the cache (≈0.1 s) shows nothing.
		stop := a.spin("starting the WASI engine (its first start compiles it, about a minute)")
		eng, err = openWASI(ctx, mounts, opts)
		stop()
		if err != nil {
			var be *bindings.Error
			if errors.As(err, &be) && be.Code == bindings.CodeNotFound && !a.mayCreate {
				return nil, noLibraryError(dir)
			}
			return nil, openError(dir, err)
		}
	default:
		n, err := bindings.OpenNative(opts)
		if err != nil {
			var be *bindings.Error
			if errors.As(err, &be) && be.Code == bindings.CodeNotFound && !a.mayCreate {
				return nil, noLibraryError(dir)
			}
			return nil, openError(dir, err)
		}
		eng = n
	}
	a.eng = eng
	return eng, nil
}

// createsLibrary lists the commands (path below the root) that write and may therefore
// create a missing library. The rpc server serves clients that create libraries; restore
// puts a library in place.
var createsLibrary = map[string]bool{
	"scan": true, "location add": true, "tag create": true, "label create": true,
	"restore": true, "rpc": true, "migrate fresh": true,
}

// noLibraryError is a read command's answer on a library that does not exist.
func noLibraryError(dir string) error {
	return &rpcError{Code: bindings.CodeNotFound, Message: fmt.Sprintf("no library at %s (nothing indexed there yet: check --library, or create it with 'filedex scan DIR')", dir)}
}

// close releases the engine, if one was opened.
func (a *app) close() error {
	if a.eng == nil {
		return nil
	}
	err := a.eng.Close()
	a.eng = nil
	return err
}

// checkLibraryDir turns the common ways a library directory is unusable into
// one clear line before the engine sees them: the engine's own messages name
// database files and SQLite codes, which tell a user less.
func checkLibraryDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("library %s is a file, not a directory", dir)
	case err == nil:
		// Writable? Open creates database.db and its WAL here.
		f, err := os.CreateTemp(dir, ".filedex-probe-*")
		if err != nil {
			return libraryError(dir, err)
		}
		f.Close()
		os.Remove(f.Name())
		return nil
	case errors.Is(err, os.ErrNotExist):
		// Open creates it; make sure it can, with the same message as above.
		parent := dir
		for {
			parent = filepath.Dir(parent)
			pfi, perr := os.Stat(parent)
			if perr == nil {
				if !pfi.IsDir() {
					return fmt.Errorf("library %s: %s is a file, not a directory", dir, parent)
				}
				break
			}
			if parent == filepath.Dir(parent) {
				break
			}
		}
		return nil
	default:
		return libraryError(dir, err)
	}
}

// readableLibrary reports a library directory that cannot be written but whose database
// can be read.
func readableLibrary(dir string) bool {
	f, err := os.Open(filepath.Join(dir, core.DatabaseFile))
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func libraryError(dir string, err error) error {
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("library %s: permission denied (choose another with --library or $FILEDEX_LIBRARY)", dir)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("library %s: %v", dir, err)
}

// openError words a failed open for a person. The engine's error is a
// *bindings.Error; its code is kept for --json.
func openError(dir string, err error) error {
	var be *bindings.Error
	if errors.As(err, &be) {
		re := &rpcError{Code: be.Code, Message: be.Message}
		if strings.Contains(strings.ToLower(be.Message), "permission denied") {
			re.Message = fmt.Sprintf("library %s: permission denied (choose another with --library or $FILEDEX_LIBRARY)", dir)
		} else {
			re.Message = fmt.Sprintf("cannot open library %s: %s", dir, stripOps(be.Message))
		}
		return re
	}
	return fmt.Errorf("cannot open library %s: %w", dir, err)
}

// absPaths makes command-line paths absolute against the working directory,
// the form every method expects.
func (a *app) absPaths(ps []string) ([]string, error) {
	out := make([]string, len(ps))
	for i, p := range ps {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out[i] = abs
	}
	return out, nil
}
