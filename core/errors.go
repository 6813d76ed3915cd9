package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/migrations"
)

// Sentinel errors. Every error the core returns wraps exactly one of them (or is an *Error
// carrying its code), so callers use errors.Is and every transport maps them to the same
// stable code.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid argument")
	ErrReadOnly     = errors.New("library is read-only")
	ErrBusy         = errors.New("library is busy")
	ErrSandbox      = errors.New("outside the sandbox")
	ErrIncompatible = errors.New("incompatible library")
	// ErrFull reports a disk (or quota) that filled up mid-write. The write was rolled back
	// whole; the library is intact and usable once space is freed.
	ErrFull      = errors.New("disk full")
	ErrCancelled = errors.New("cancelled")
	ErrInternal  = errors.New("internal error")
)

// ErrUnsupported (sync.go) reports what this engine cannot do, such as network sync under
// WASI, which has no sockets.

// Code is the stable, transport-independent name of an error class.
type Code string

// The error codes. They are part of the public contract (JSON-RPC maps each to a number).
const (
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeInvalid      Code = "invalid"
	CodeReadOnly     Code = "read_only"
	CodeBusy         Code = "busy"
	CodeSandbox      Code = "sandbox"
	CodeIncompatible Code = "incompatible"
	CodeDiskFull     Code = "disk_full"
	CodeCancelled    Code = "cancelled"
	CodeInternal     Code = "internal"
	CodeUnsupported  Code = "unsupported"
)

var sentinelCodes = []struct {
	err  error
	code Code
}{
	{ErrNotFound, CodeNotFound},
	{ErrConflict, CodeConflict},
	{ErrInvalid, CodeInvalid},
	{ErrReadOnly, CodeReadOnly},
	{ErrBusy, CodeBusy},
	{ErrSandbox, CodeSandbox},
	{ErrIncompatible, CodeIncompatible},
	{ErrFull, CodeDiskFull},
	{ErrCancelled, CodeCancelled},
	{ErrUnsupported, CodeUnsupported},
	{ErrInternal, CodeInternal},
}

// Error is a core error with the operation that failed and, for invalid arguments, the
// offending field.
type Error struct {
	Op    string // what was being done, e.g. "tag.create"
	Field string // the parameter at fault, if any
	Err   error  // wraps one of the sentinels
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the stable code of err: the sentinel it wraps, SQLite's BUSY and constraint
// failures mapped to busy and conflict, FULL to disk_full, CORRUPT and NOTADB to incompatible,
// context cancellation to cancelled, anything else internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	for _, s := range sentinelCodes {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, sqlite3.INTERRUPT):
		return CodeCancelled
	case errors.Is(err, sqlite3.BUSY), errors.Is(err, sqlite3.LOCKED):
		return CodeBusy
	case errors.Is(err, sqlite3.READONLY):
		return CodeReadOnly
	case errors.Is(err, sqlite3.FULL):
		return CodeDiskFull
	case errors.Is(err, sqlite3.CORRUPT), errors.Is(err, sqlite3.NOTADB):
		// A damaged database is not something the caller can fix by retrying: it is the
		// same class as a library this binary cannot use, and the message says what to do.
		return CodeIncompatible
	case errors.Is(err, sqlite3.CONSTRAINT_UNIQUE), errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY):
		return CodeConflict
	case errors.Is(err, sqlite3.CONSTRAINT):
		return CodeInvalid
	case errors.Is(err, migrations.ErrTooNew), errors.Is(err, migrations.ErrChanged), schemaMismatch(err):
		return CodeIncompatible
	case errors.Is(err, migrations.ErrNotForced), errors.Is(err, migrations.ErrBadTarget):
		return CodeInvalid
	}
	return CodeInternal
}

func errInvalid(op, field, format string, args ...any) error {
	return &Error{Op: op, Field: field, Err: fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))}
}

func errNotFound(op, what string) error {
	return &Error{Op: op, Err: fmt.Errorf("%w: %s", ErrNotFound, what)}
}

func errConflict(op, what string) error {
	return &Error{Op: op, Err: fmt.Errorf("%w: %s", ErrConflict, what)}
}

// wrapDB gives a database error its class: SQLite's codes become the core's sentinels, so
// "database is locked" reaches a caller as ErrBusy and a UNIQUE violation as ErrConflict.
func wrapDB(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	switch CodeOf(err) {
	case CodeBusy:
		return &Error{Op: op, Err: fmt.Errorf("%w (another process holds the write lock; waited busy_timeout): %w", ErrBusy, err)}
	case CodeConflict:
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrConflict, uniqueText(err))}
	case CodeInvalid:
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	case CodeReadOnly:
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrReadOnly, err)}
	case CodeCancelled:
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrCancelled, err)}
	case CodeIncompatible:
		if errors.Is(err, sqlite3.CORRUPT) || errors.Is(err, sqlite3.NOTADB) {
			return &Error{Op: op, Err: fmt.Errorf("%w: the database is damaged (%w); run `filedex check` and restore a backup", ErrIncompatible, err)}
		}
		if schemaMismatch(err) {
			return &Error{Op: op, Err: fmt.Errorf("%w: the library's schema is not the one its migrations made (%w): damaged, or edited outside filedex; run `filedex check` and restore a backup", ErrIncompatible, err)}
		}
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrIncompatible, err)}
	case CodeDiskFull:
		return &Error{Op: op, Err: fmt.Errorf("%w: %w (nothing was written; free space and retry)", ErrFull, err)}
	}
	return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrInternal, err)}
}

// schemaMismatch reports SQLite refusing one of filedex's own statements because the schema
// lacks a table or column it names. The statements are fixed and tested against the schema
// the migrations make, so the schema is not that one: damaged (TestCorrupt_Database's byte
// flips hit a column name in sqlite_schema once migration 0008 moved the file's layout) or
// edited by hand. Not a bug to report as internal, not something a retry fixes.
func schemaMismatch(err error) bool {
	if !errors.Is(err, sqlite3.ERROR) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "no such column: ") || strings.Contains(msg, "no such table: ")
}

// textError is an error that reads as text while unwrapping to err: for messages rewritten
// for people (a cause's repeated prefix dropped, SQLite's constraint text replaced) that must
// keep the cause's identity for errors.Is.
type textError struct {
	text string
	err  error
}

func (e textError) Error() string { return e.text }
func (e textError) Unwrap() error { return e.err }

// uniqueNames say in the user's terms what a UNIQUE constraint of the schema protects,
// keyed by SQLite's column list ("UNIQUE constraint failed: entries.parent_id, entries.name").
var uniqueNames = map[string]string{
	"entries.parent_id, entries.name":     "an entry of that name already exists in that directory",
	"entries.location_id, entries.path":   "a directory with that path already exists in the location",
	"tags.name":                           "a tag of that name already exists",
	"labels.name":                         "a label of that name already exists under that parent",
	"locations.device_id, locations.path": "that directory is already a location",
}

// uniqueText rewrites SQLite's constraint text for people, keeping err for errors.Is.
func uniqueText(err error) error {
	msg := err.Error()
	i := strings.Index(msg, "UNIQUE constraint failed: ")
	if i < 0 {
		return err
	}
	cols := msg[i+len("UNIQUE constraint failed: "):]
	if j := strings.IndexByte(cols, '\n'); j >= 0 {
		cols = cols[:j]
	}
	if say, ok := uniqueNames[cols]; ok {
		return textError{say, err}
	}
	if strings.HasPrefix(cols, "index ") || strings.Contains(cols, "coalesce") {
		return textError{"that name is already taken", err}
	}
	return textError{"a row with the same " + cols + " already exists", err}
}
