package bindings

import (
	"bytes"

	"github.com/google/uuid"

	"encoding/json"
	"errors"
	"fmt"
	"github.com/filedex/filedex/core"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// OpenOptions are the options every transport accepts when it opens a library:
// fdx_open's options_json, the WASI reactor's fdx_open, and the Go engines.
// The JSON member names are a public contract (docs/rpc.md, "Opening a library").
type OpenOptions struct {
	// Library is the library directory. Required: an embedded engine must be
	// told which library to use (the CLI resolves $FILEDEX_LIBRARY and the XDG
	// default before it opens). A relative path is made absolute against the
	// process's working directory ("/" inside a WASI guest).
	Library string `json:"library"`
	// ReadOnly opens the library without writing to it; writes fail with CodeReadOnly.
	ReadOnly bool `json:"read_only,omitempty"`
	// FixedClock, an RFC 3339 time, replaces the wall clock, for reproducible
	// output (the conformance suite).
	FixedClock string `json:"fixed_clock,omitempty"`
	// UUIDSeed makes generated UUIDs a deterministic sequence.
	UUIDSeed *int64 `json:"uuid_seed,omitempty"`
	// Roots, if set, confines every path a request names (and the library
	// itself) to these directories: others get CodeSandbox. Beyond the
	// options every transport documents, for embedders that serve
	// untrusted clients; under WASI the mounts confine as well. The
	// conformance suite sets it so native and WASI engines refuse the same
	// paths with the same error.
	Roots []string `json:"roots,omitempty"`
	// SkipMigrations opens an existing library without applying pending migrations, for
	// the migrations.* methods (`filedex migrate`).
	SkipMigrations bool `json:"skip_migrations,omitempty"`
	// MustExist refuses to create the library (core.Options.MustExist): for clients that
	// only read. A filedex extension.
	MustExist bool `json:"must_exist,omitempty"`
	// ForRestore opens a library whose database cannot be opened (damaged, not a
	// database) for db.restore alone: every other method fails with the error the
	// open met. A damaged library is the usual reason to restore, and the advice
	// in that error is to restore (`filedex restore` sets it). A filedex extension.
	ForRestore bool `json:"for_restore,omitempty"`
}

var openOptionFields = jsonFieldNames(reflect.TypeFor[OpenOptions]())

// ParseOpenOptions decodes options JSON as strictly as method params: unknown
// members and wrong types are CodeInvalidParams errors naming the member.
func ParseOpenOptions(b []byte) (OpenOptions, error) {
	var o OpenOptions
	if len(b) > MaxRequestBytes {
		return o, Errorf(CodeInvalidRequest, "options too large")
	}
	if !json.Valid(b) {
		return o, parseError(b)
	}
	if e := decodeParams(bytes.TrimSpace(b), &o, openOptionFields, nil); e != nil {
		return o, e
	}
	return o, o.validate()
}

func (o *OpenOptions) validate() error {
	if o.Library == "" {
		return InvalidParams("library", "required")
	}
	if o.FixedClock != "" {
		if _, err := time.Parse(time.RFC3339, o.FixedClock); err != nil {
			return InvalidParams("fixed_clock", "not an RFC 3339 time: %q", o.FixedClock)
		}
	}
	return nil
}

// Session is one opened library as the method handlers see it. Transports do
// not use it directly: they go through an [Engine].
type Session struct {
	opts OpenOptions
	// roots are the directories this process may reach; nil means unrestricted
	// (native engines). Under WASI they are the preopened directories.
	roots []string
	// allowed are OpenOptions.Roots, absolute and resolved; nil means all.
	allowed []string
	lib     *core.Library
	// unopened is why lib is nil: the database could not be opened and the
	// session serves db.restore only (OpenOptions.ForRestore).
	unopened error
}

// openSession opens the library described by opts.
func openSession(opts OpenOptions) (*Session, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Session{opts: opts, roots: sandboxRoots()}
	for i, r := range opts.Roots {
		if !filepath.IsAbs(r) {
			return nil, InvalidParams(fmt.Sprintf("roots[%d]", i), "not an absolute path: %q", r)
		}
		s.allowed = append(s.allowed, resolve(r, s.roots))
	}
	dir, err := s.Path(opts.Library)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	s.opts.Library = dir
	co := s.coreOptions()
	if s.lib, err = core.Open(dir, co); err != nil {
		if opts.ForRestore && restorable(err) {
			s.unopened = err
			return s, nil
		}
		return nil, err
	}
	return s, nil
}

// restorable reports an open failure that a restore can cure: the database
// itself is unusable (damaged, another file in its place), as opposed to a
// library that is busy, missing or out of reach.
func restorable(err error) bool {
	switch core.CodeOf(err) {
	case core.CodeIncompatible, core.CodeInternal, core.CodeInvalid:
		return true
	}
	return false
}

// coreOptions are the core options the session's OpenOptions ask for.
func (s *Session) coreOptions() core.Options {
	opts := s.opts
	co := core.Options{ReadOnly: opts.ReadOnly, SkipMigrations: opts.SkipMigrations, MustExist: opts.MustExist}
	if opts.FixedClock != "" {
		t, _ := time.Parse(time.RFC3339, opts.FixedClock) // validated above
		co.Clock = core.FixedClock(t.UTC())
	}
	if opts.UUIDSeed != nil {
		co.UUIDs = core.SeededUUIDs(uint64(*opts.UUIDSeed))
	}
	if opts.FixedClock != "" || opts.UUIDSeed != nil {
		// Reproducible mode promises identical output on every engine, but
		// the probed device (host name, machine id, GOOS: wasip1 vs linux)
		// differs between a native process and a WASI guest on the same
		// machine. A fixed device description keeps library.info and every
		// device_id equal everywhere.
		co.Device = &reproducibleDevice
	}
	return co
}

// reproducibleDevice stands for "this machine" when output must not depend
// on the machine (fixed_clock or uuid_seed set).
var reproducibleDevice = core.DeviceInfo{
	UUID:          uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://filedex.invalid/device/reproducible")),
	Name:          "reproducible",
	OS:            "reproducible",
	HardwareModel: "reproducible",
}

// close releases the library.
func (s *Session) close() error {
	if s.lib == nil {
		return nil
	}
	return s.lib.Close()
}

// Library returns the open core library.
func (s *Session) Library() *core.Library { return s.lib }

// Options returns the options the session was opened with, Library made absolute.
func (s *Session) Options() OpenOptions { return s.opts }

// errSandbox is the cause of every sandbox refusal.
var errSandbox = errors.New("outside the sandbox")

// Path turns a path from a request into the absolute, clean path handlers must
// use, refusing (with a "sandbox" [Coded] error, CodeSandbox on the wire) any
// path that is outside the directories this engine may reach.
//
// Lexical cleaning removes "..", and the symlinks of the longest existing prefix
// are resolved before the check, so neither ".." nor a symlink inside a mount
// leads outside it. This is the guest's half of the sandbox: it turns an escape
// attempt into a clear error code. The host's half (wasmhost) refuses the same
// escapes at the file-system layer, so a bug here is not a hole there.
func (s *Session) Path(p string) (string, error) {
	if p == "" {
		return "", &KindError{Kind: "invalid", Err: errors.New("empty path")}
	}
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		p = abs
	}
	p = filepath.Clean(p)
	if s.roots == nil && s.allowed == nil {
		return p, nil
	}
	real := resolve(p, s.roots)
	for _, roots := range [][]string{s.roots, s.allowed} {
		if roots == nil {
			continue
		}
		if !under(p, roots) {
			return "", &KindError{Kind: "sandbox", Err: fmt.Errorf("%w: %s", errSandbox, p)}
		}
		if !under(real, roots) {
			return "", &KindError{Kind: "sandbox", Err: fmt.Errorf("%w: %s (a symlink leads outside)", errSandbox, p)}
		}
	}
	return p, nil
}

// EntryPath is [Session.Path] for a path that names an indexed entry rather
// than a file to open: its last component is judged as it is, not followed.
// The index records a symlink as a symlink and never follows it, so a link
// inside the sandbox is an entry like any other even when it points outside
// (entry.get, tag.apply or metadata.set of data/escape); refusing it would
// leave the entry unreachable by path. The directories above it are resolved
// as Path resolves them, so ".." and linked parents cannot lead outside.
func (s *Session) EntryPath(p string) (string, error) {
	got, err := s.Path(p)
	var ke *KindError
	if err == nil || !errors.As(err, &ke) || ke.Kind != "sandbox" {
		return got, err // accepted, or refused for a reason that is not where it leads
	}
	clean := p
	if !filepath.IsAbs(clean) {
		if clean, err = filepath.Abs(clean); err != nil {
			return "", err
		}
	}
	clean = filepath.Clean(clean)
	dir := filepath.Dir(clean)
	if dir == clean {
		return "", err // the root: nothing above it to resolve
	}
	for _, roots := range [][]string{s.roots, s.allowed} {
		if roots != nil && !under(clean, roots) {
			return "", err
		}
	}
	if _, derr := s.Path(dir); derr != nil {
		return "", err
	}
	return clean, nil
}

// under reports whether clean absolute path p is one of roots or inside one.
func under(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || r == "/" || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// resolve returns p with every symlink resolved, component by component,
// as far as the path exists; the missing rest is appended as it is, so a path
// that does not exist yet (a move target, a new library) is judged by its
// existing ancestors. Unlike filepath.EvalSymlinks it does not give up on the
// whole path when one step fails: under WASI a symlink to outside the mounts
// cannot even be stat'ed, and giving up there would let the unresolved link
// pass the check.
func resolve(p string, roots []string) string {
	const maxHops = 40 // like Linux's MAXSYMLINKS: a loop ends in a finite path
	hops := 0
	cur := "/"
	rest := strings.Split(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		if c == "" || c == "." {
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil && aboveRoot(next, roots) {
			// A WASI guest cannot stat the ancestors of its mounts (/tmp
			// above /tmp/x): they are plain directories to it.
			cur = next
			continue
		}
		if err != nil {
			// Missing or unreachable: nothing below can be a symlink we
			// could follow, so the lexical remainder is the answer.
			return filepath.Join(append([]string{next}, rest...)...)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := os.Readlink(next)
		if err != nil || hops >= maxHops {
			return filepath.Join(append([]string{next}, rest...)...)
		}
		hops++
		if !filepath.IsAbs(target) {
			target = filepath.Join(cur, target)
		}
		// Restart from the target: its own components may be links too.
		rest = append(strings.Split(strings.TrimPrefix(filepath.Clean(target), "/"), "/"), rest...)
		cur = "/"
	}
	return cur
}

// aboveRoot reports whether p is a strict ancestor of one of roots.
func aboveRoot(p string, roots []string) bool {
	for _, r := range roots {
		if p == "/" || strings.HasPrefix(r, p+"/") {
			return true
		}
	}
	return false
}
