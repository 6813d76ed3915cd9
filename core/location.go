package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/filedex/filedex/core/internal/walk"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
)

// IndexMode is how deeply a location is indexed.
type IndexMode string

// The index modes of the seed.
const (
	// ModeMetadata walks and lstats: names, kinds, sizes, times, permissions, inodes.
	ModeMetadata IndexMode = "metadata"
	// ModeContent adds a content identity (sampled BLAKE3 cas_id and a content kind) per file.
	ModeContent IndexMode = "content"
	// ModeDeep adds a full-content integrity hash and media data (image dimensions).
	ModeDeep IndexMode = "deep"
)

// Valid reports whether m is one of the three modes.
func (m IndexMode) Valid() bool { return m == ModeMetadata || m == ModeContent || m == ModeDeep }

// ScanState is where a location's indexing stands.
type ScanState string

// The scan states of the seed.
const (
	ScanPending  ScanState = "pending"
	ScanScanning ScanState = "scanning"
	ScanComplete ScanState = "complete"
	ScanError    ScanState = "error"
	ScanPaused   ScanState = "paused"
)

// Location is an indexed directory.
type Location struct {
	ID             int64      `json:"id"`
	UUID           uuid.UUID  `json:"uuid"`
	DeviceID       int64      `json:"device_id"`
	Path           string     `json:"path"`
	Name           string     `json:"name,omitempty"`
	IndexMode      IndexMode  `json:"index_mode"`
	ScanState      ScanState  `json:"scan_state"`
	LastScanAt     *time.Time `json:"last_scan_at"`
	ErrorMessage   string     `json:"error_message,omitempty"`
	TotalFileCount int64      `json:"total_file_count"`
	TotalByteSize  int64      `json:"total_byte_size"`
	IgnoreGlobs    []string   `json:"ignore_globs,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// RootID is the entry of the location's root directory.
	RootID int64 `json:"root_id"`
}

// Locations is the typed API over the locations table.
type Locations struct{ l *Library }

// Locations returns the location API.
func (l *Library) Locations() Locations { return Locations{l} }

const locationCols = `l.id, l.uuid, l.device_id, l.path, l.name, l.index_mode, l.scan_state, l.last_scan_at, l.error_message,
 l.total_file_count, l.total_byte_size, l.ignore_globs, l.created_at, l.updated_at,
 (SELECT r.id FROM entries r WHERE r.location_id = l.id AND r.path = '')`

func scanLocation(sc interface{ Scan(...any) error }) (Location, error) {
	var x Location
	var name, errMsg, ignore sql.NullString
	var last sql.NullInt64
	var root sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&x.ID, &x.UUID, &x.DeviceID, &x.Path, &name, &x.IndexMode, &x.ScanState, &last, &errMsg,
		&x.TotalFileCount, &x.TotalByteSize, &ignore, &created, &updated, &root); err != nil {
		return x, err
	}
	x.Name, x.ErrorMessage = name.String, errMsg.String
	x.LastScanAt = fromNullMS(last)
	x.CreatedAt, x.UpdatedAt = fromMS(created), fromMS(updated)
	x.RootID = root.Int64
	if ignore.Valid {
		if err := json.Unmarshal([]byte(ignore.String), &x.IgnoreGlobs); err != nil {
			return x, err
		}
	}
	return x, nil
}

// LocationInput describes a new location.
type LocationInput struct {
	Path        string    `json:"path"`
	Name        string    `json:"name,omitempty"`
	Mode        IndexMode `json:"mode,omitempty"` // default ModeContent
	IgnoreGlobs []string  `json:"ignore,omitempty"`
}

// CleanLocationPath makes p absolute and clean, resolving symlinks in it, so the same
// directory is always the same location whichever way it was named.
func CleanLocationPath(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	return filepath.Clean(abs), nil
}

// Create adds a location for an existing directory, with its root entry. A path equal to,
// inside or around an existing location of the same device is refused with ErrConflict:
// the same file would otherwise be indexed twice.
func (s Locations) Create(ctx context.Context, in LocationInput) (Location, error) {
	const op = "location.add"
	if in.Mode == "" {
		in.Mode = ModeContent
	}
	if !in.Mode.Valid() {
		return Location{}, errInvalid(op, "mode", "must be metadata, content or deep, not %q", in.Mode)
	}
	p, err := CleanLocationPath(in.Path)
	if err != nil {
		return Location{}, &Error{Op: op, Field: "path", Err: err}
	}
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Location{}, &Error{Op: op, Field: "path", Err: fmt.Errorf("%w: %s does not exist", ErrNotFound, p)}
	case err != nil:
		return Location{}, &Error{Op: op, Field: "path", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	case !st.IsDir():
		return Location{}, errInvalid(op, "path", "%s is not a directory", p)
	}
	if err := checkIgnoreGlobs(op, in.IgnoreGlobs); err != nil {
		return Location{}, err
	}
	var ignore any
	if len(in.IgnoreGlobs) > 0 {
		b, _ := json.Marshal(in.IgnoreGlobs)
		ignore = string(b)
	}
	var id int64
	err = s.l.update(ctx, op, func(tx *sql.Tx) error {
		if err := checkOverlap(ctx, tx, s.l.deviceID, p); err != nil {
			return &Error{Op: op, Field: "path", Err: err}
		}
		now := s.l.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO locations (uuid, device_id, path, name, index_mode, ignore_globs, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.l.newUUID(now), s.l.deviceID, p, nullString(in.Name), string(in.Mode), ignore, ms(now), ms(now))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		root := filepath.Base(p)
		if root == string(filepath.Separator) || root == "." {
			root = "/"
		}
		var perms *int64
		if walk.PermKnown { // WASI's stat makes a mode up (walk.PermKnown)
			perms = ptr(int64(st.Mode().Perm()))
		}
		_, err = insertEntry(ctx, tx, s.l, EntryRow{LocationID: id, Name: root, Kind: KindDirectory,
			ModifiedAt: st.ModTime(), Permissions: perms, Path: ptr("")})
		return err
	})
	if err != nil {
		return Location{}, err
	}
	return s.Get(ctx, id)
}

func ptr[T any](v T) *T { return &v }

// checkOverlap refuses a location path equal to, inside, or containing another location of
// the same device. Paths are compared as path prefixes ending at a separator, so /a/bc does
// not count as inside /a/b.
func checkOverlap(ctx context.Context, tx *sql.Tx, deviceID int64, p string) error {
	rows, err := tx.QueryContext(ctx, `SELECT path FROM locations WHERE device_id = ?`, deviceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			return err
		}
		switch {
		case q == p:
			return fmt.Errorf("%w: %s is already a location", ErrConflict, p)
		case isUnder(p, q):
			return fmt.Errorf("%w: %s is inside the location %s", ErrConflict, p, q)
		case isUnder(q, p):
			return fmt.Errorf("%w: %s contains the location %s (remove it first)", ErrConflict, p, q)
		}
	}
	return rows.Err()
}

// isUnder reports whether p is strictly below dir.
func isUnder(p, dir string) bool {
	if dir == string(filepath.Separator) {
		return p != dir && strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir+string(filepath.Separator))
}

// Get returns the location with the given id.
func (s Locations) Get(ctx context.Context, id int64) (Location, error) {
	return s.one(ctx, `SELECT `+locationCols+` FROM locations l WHERE l.id = ?`, id)
}

// GetByUUID returns the location with the given UUID.
func (s Locations) GetByUUID(ctx context.Context, u uuid.UUID) (Location, error) {
	return s.one(ctx, `SELECT `+locationCols+` FROM locations l WHERE l.uuid = ?`, u[:])
}

// GetByPath returns the location of this device whose root is exactly path.
func (s Locations) GetByPath(ctx context.Context, path string) (Location, error) {
	p, err := CleanLocationPath(path)
	if err != nil {
		return Location{}, &Error{Op: "location.get", Field: "path", Err: err}
	}
	return s.one(ctx, `SELECT `+locationCols+` FROM locations l WHERE l.device_id = ? AND l.path = ?`, s.l.deviceID, p)
}

func (s Locations) one(ctx context.Context, q string, args ...any) (Location, error) {
	const op = "location.get"
	row, err := s.l.queryRow(ctx, q, args...)
	if err != nil {
		return Location{}, wrapDB(op, err)
	}
	x, err := scanLocation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return x, errNotFound(op, "no such location")
	}
	return x, wrapDB(op, err)
}

// LocationFilter selects locations for [Locations.List].
type LocationFilter struct {
	DeviceID  int64     `json:"device_id,omitempty"`
	ScanState ScanState `json:"scan_state,omitempty"`
}

// List returns locations in id order, a page at a time.
func (s Locations) List(ctx context.Context, f LocationFilter, p Page) ([]Location, string, error) {
	const op = "location.list"
	after, limit, err := p.idCursor(op)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.l.query(ctx, `SELECT `+locationCols+` FROM locations l
WHERE l.id > ?1 AND (?2 = 0 OR l.device_id = ?2) AND (?3 = '' OR l.scan_state = ?3) ORDER BY l.id LIMIT ?4`,
		after, f.DeviceID, string(f.ScanState), limit+1)
	if err != nil {
		return nil, "", wrapDB(op, err)
	}
	return collectPage(op, rows, limit, scanLocation, func(x Location) int64 { return x.ID })
}

// LocationUpdate lists the fields to change; nil fields stay as they are.
type LocationUpdate struct {
	Name        *string    `json:"name,omitempty"`
	Mode        *IndexMode `json:"mode,omitempty"`
	IgnoreGlobs *[]string  `json:"ignore,omitempty"`
}

// checkIgnoreGlobs parses ignore patterns with the walker's own parser, the one a scan
// will use (filepath.Match against an empty name accepted "[a-", which the walker refuses).
func checkIgnoreGlobs(op string, globs []string) error {
	for _, g := range globs {
		if _, err := walk.NewIgnore(g); err != nil {
			return errInvalid(op, "ignore", "%v", err) // the walker names the pattern
		}
	}
	return nil
}

// Update changes a location's settings.
func (s Locations) Update(ctx context.Context, id int64, u LocationUpdate) (Location, error) {
	const op = "location.update"
	if u.Mode != nil && !u.Mode.Valid() {
		return Location{}, errInvalid(op, "mode", "must be metadata, content or deep, not %q", *u.Mode)
	}
	var ignore any
	setIgnore := 0
	if u.IgnoreGlobs != nil {
		// Checked before anything is written: a bad pattern must not replace good ones.
		if err := checkIgnoreGlobs(op, *u.IgnoreGlobs); err != nil {
			return Location{}, err
		}
		setIgnore = 1
		if len(*u.IgnoreGlobs) > 0 {
			b, _ := json.Marshal(*u.IgnoreGlobs)
			ignore = string(b)
		}
	}
	var mode any
	if u.Mode != nil {
		mode = string(*u.Mode)
	}
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE locations SET name = coalesce(?1, name), index_mode = coalesce(?2, index_mode),
ignore_globs = CASE WHEN ?3 THEN ?4 ELSE ignore_globs END, updated_at = ?5 WHERE id = ?6`,
			u.Name, mode, setIgnore, ignore, ms(s.l.now()), id)
		return mustAffect(op, res, err, "no such location")
	})
	if err != nil {
		return Location{}, err
	}
	return s.Get(ctx, id)
}

// Delete forgets a location: its entries, their user metadata rows, its jobs. Files on disk
// are never touched.
func (s Locations) Delete(ctx context.Context, id int64) error {
	const op = "location.remove"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		// Metadata rows hang off entries (entries.metadata_id): collect them before the entries go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id IN (SELECT metadata_id FROM entries WHERE location_id = ? AND metadata_id IS NOT NULL)`, id); err != nil {
			return err
		}
		// Children before parents is not needed: the whole location goes in one statement and
		// the parent_id foreign key is checked at statement end.
		if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE location_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM locations WHERE id = ?`, id)
		if err := mustAffect(op, res, err, "no such location"); err != nil {
			return err
		}
		return deleteOrphanContent(ctx, tx)
	})
}

// deleteOrphanContent removes content identities no entry refers to any more.
func deleteOrphanContent(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM content_identity WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identity.id)`)
	return err
}
