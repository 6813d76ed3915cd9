package bindings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// OpenOptions are the options every transport accepts when it opens a library:
// fdx_open's options_json, the WASI reactor's fdx_open, and the Go engines.
// The JSON member names are the contract of INTERFACES.md.
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
	if e := decodeParams(bytes.TrimSpace(b), &o, openOptionFields); e != nil {
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
	clock time.Time // zero unless FixedClock
}

// openSession opens the library described by opts.
func openSession(opts OpenOptions) (*Session, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Session{opts: opts, roots: sandboxRoots()}
	if opts.FixedClock != "" {
		s.clock, _ = time.Parse(time.RFC3339, opts.FixedClock)
	}
	lib, err := s.Path(opts.Library)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	s.opts.Library = lib
	if err := os.MkdirAll(lib, 0o755); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	return s, nil
}

// close releases the library.
func (s *Session) close() error { return nil }

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
	if s.roots == nil {
		return p, nil
	}
	if !under(p, s.roots) {
		return "", &KindError{Kind: "sandbox", Err: fmt.Errorf("%w: %s", errSandbox, p)}
	}
	if real, err := evalExisting(p); err == nil && !under(real, s.roots) {
		return "", &KindError{Kind: "sandbox", Err: fmt.Errorf("%w: %s (resolves to %s)", errSandbox, p, real)}
	}
	return p, nil
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

// evalExisting resolves symlinks in the longest existing prefix of p and
// re-appends the rest, so a path that does not exist yet (a move target, a new
// library) is still checked through its existing parent.
func evalExisting(p string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}
