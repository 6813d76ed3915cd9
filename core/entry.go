package core

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/filedex/filedex/core/internal/cas"
)

// Kind is what an entry is. Stored as a small integer (0 costs no payload byte in SQLite's
// record format); rendered as text at the API.
type Kind int

// Entry kinds. Symlinks are recorded as symlinks and never followed.
const (
	KindFile      Kind = 0
	KindDirectory Kind = 1
	KindSymlink   Kind = 2
)

var kindNames = [...]string{"file", "directory", "symlink"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ParseKind reads "file", "directory" (or "dir") and "symlink".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "file":
		return KindFile, nil
	case "directory", "dir":
		return KindDirectory, nil
	case "symlink":
		return KindSymlink, nil
	}
	return 0, fmt.Errorf("%w: kind must be file, directory or symlink, not %q", ErrInvalid, s)
}

// MarshalText renders the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// ContentRef is an entry's content identity as the API shows it.
type ContentRef struct {
	CasID string `json:"cas_id"`
	Kind  string `json:"kind"`
}

// Entry is a file, directory or symlink in the index.
type Entry struct {
	ID         int64     `json:"id"`
	UUID       uuid.UUID `json:"uuid"`
	LocationID int64     `json:"location_id"`
	ParentID   int64     `json:"parent_id,omitempty"`
	// Path is the absolute path on the device. Like Name, a path that is not valid UTF-8 also
	// travels exactly, in PathB64.
	Path    string `json:"path"`
	PathB64 string `json:"path_b64,omitempty"`
	// RelativePath is the path of the entry's directory below the location root ("" at the root).
	RelativePath string `json:"relative_path"`
	// Name is the name as on disk. Go strings hold any bytes; JSON cannot, so a name that is
	// not valid UTF-8 also travels exactly in NameB64.
	Name        string      `json:"name"`
	NameB64     string      `json:"name_b64,omitempty"`
	Extension   string      `json:"extension"`
	Kind        Kind        `json:"kind"`
	Size        int64       `json:"size"`
	CreatedAt   *time.Time  `json:"created_at"`
	ModifiedAt  time.Time   `json:"modified_at"`
	AccessedAt  *time.Time  `json:"accessed_at"`
	Inode       *int64      `json:"inode"`
	Permissions *int64      `json:"permissions,omitempty"`
	Content     *ContentRef `json:"content"`
	ContentID   int64       `json:"-"`
	MetadataID  int64       `json:"-"`
	Metadata    *Metadata   `json:"metadata"`
	// Device is set for another device's entry (synced); nil for this device's own.
	Device *EntryDevice `json:"device,omitempty"`
	// DirPath is, for a directory, its own path below the location root.
	DirPath string `json:"-"`
}

// entrySelect reads an entry with what its API form needs: the location's path, the parent
// directory's path and the content kind. Each is a rowid or unique-index lookup.
const entrySelect = `SELECT ` + entryCols + `, p.path, l.path, ck.name
FROM entries e
JOIN locations l ON l.id = e.location_id
LEFT JOIN entries p ON p.id = e.parent_id
LEFT JOIN content_identity c ON c.id = e.content_id
LEFT JOIN content_kinds ck ON ck.id = c.kind`

// entryCols are the entry's own columns scanEntry reads; after them come its directory's
// path, its location's path and its content kind's name. The UUID is not a column: scanEntry
// derives it from the id (migration 0007).
const entryCols = `e.id, e.location_id, e.parent_id, e.name, e.extension, e.kind, e.size,
 e.inode, e.permissions, e.created_at, e.modified_at, e.accessed_at, e.content_id, e.metadata_id, e.path`

// entryRow is one row of scanEntry's columns before it becomes an Entry.
type entryRow struct {
	e                                                          Entry
	parent, inode, perms, created, accessed, contentID, metaID sql.NullInt64
	ext, dirPath, parentPath, contentKind                      sql.NullString
	locPath                                                    string
	modified                                                   int64
}

// scanEntry reads an entry from entrySelect's columns (or listChildren's). Rows of a reader
// connection read their columns directly (readRows.entryRow), others through Scan.
func scanEntry(sc interface{ Scan(...any) error }, l *Library) (e Entry, err error) {
	defer func() { e.UUID, e.Device = l.entryUUID(e.ID), l.entryDevice(e.ID) }()
	// One entryRow per branch: Scan's pointers escape, and a variable shared with that branch
	// was heap-allocated for every row of the reader path too (40 % of the bytes a directory
	// page allocated).
	switch sc := sc.(type) {
	case *readRows:
		var r entryRow
		if err := sc.entryRow(&r); err != nil {
			return Entry{}, err
		}
		return r.entry(), nil
	case readRow:
		var r entryRow
		if err := sc.entryRow(&r); err != nil {
			return Entry{}, err
		}
		return r.entry(), nil
	}
	r := new(entryRow)
	err = sc.Scan(&r.e.ID, &r.e.LocationID, &r.parent, &r.e.Name, &r.ext, &r.e.Kind, &r.e.Size,
		&r.inode, &r.perms, &r.created, &r.modified, &r.accessed, &r.contentID, &r.metaID, &r.dirPath,
		&r.parentPath, &r.locPath, &r.contentKind)
	if err != nil {
		return Entry{}, err
	}
	return r.entry(), nil
}

// entry builds the API's Entry from a scanned row.
func (r *entryRow) entry() Entry {
	e := r.e
	e.ParentID = r.parent.Int64
	e.Extension = r.ext.String
	// The optional fields point into one allocation per entry rather than one each: five
	// allocations become one for a scanned file (inode, permissions, birth and access times,
	// content).
	type optional struct {
		inode, perms      int64
		created, accessed time.Time
		content           ContentRef
	}
	var x *optional
	if r.inode.Valid || r.perms.Valid || r.created.Valid || r.accessed.Valid || r.contentID.Valid {
		x = new(optional)
	}
	if r.inode.Valid {
		x.inode, e.Inode = r.inode.Int64, &x.inode
	}
	if r.perms.Valid {
		x.perms, e.Permissions = r.perms.Int64, &x.perms
	}
	if r.created.Valid {
		x.created, e.CreatedAt = fromMS(r.created.Int64), &x.created
	}
	if r.accessed.Valid {
		x.accessed, e.AccessedAt = fromMS(r.accessed.Int64), &x.accessed
	}
	e.ModifiedAt = fromMS(r.modified)
	e.ContentID, e.MetadataID = r.contentID.Int64, r.metaID.Int64
	if r.contentID.Valid {
		x.content = ContentRef{CasID: CasIDString(r.contentID.Int64), Kind: r.contentKind.String}
		e.Content = &x.content
	}
	e.DirPath = r.dirPath.String
	e.RelativePath = r.parentPath.String
	if !r.parent.Valid {
		e.Path = r.locPath
	} else {
		e.Path = joinPath(r.locPath, e.RelativePath, e.Name)
	}
	if !utf8.ValidString(e.Name) {
		e.NameB64 = base64.StdEncoding.EncodeToString([]byte(e.Name))
	}
	if !utf8.ValidString(e.Path) {
		e.PathB64 = base64.StdEncoding.EncodeToString([]byte(e.Path))
	}
	return e
}

// UnmarshalJSON reads an entry as MarshalJSON's default form writes it, and gives Name and Path
// back their exact bytes from name_b64 and path_b64: a decoder replaces the bytes of a JSON
// string that are not UTF-8 with U+FFFD, so without this a Go client would print, and look up,
// another name than the one on disk.
func (e *Entry) UnmarshalJSON(b []byte) error {
	type plain Entry // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Entry(p)
	for _, f := range []struct{ b64, dst *string }{{&e.NameB64, &e.Name}, {&e.PathB64, &e.Path}} {
		if *f.b64 == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(*f.b64)
		if err != nil {
			return fmt.Errorf("entry: %w", err)
		}
		*f.dst = string(raw)
	}
	return nil
}

// joinPath builds an absolute path from a location root and slash-separated parts below it,
// without filepath.Clean: a name is kept byte for byte.
func joinPath(root string, parts ...string) string {
	var b strings.Builder
	n := len(root)
	for _, p := range parts {
		n += len(p) + 1
	}
	b.Grow(n)
	b.WriteString(root)
	for _, p := range parts {
		if p == "" {
			continue
		}
		if !strings.HasSuffix(b.String(), string(filepath.Separator)) {
			b.WriteByte(filepath.Separator)
		}
		b.WriteString(filepath.FromSlash(p))
	}
	return b.String()
}

// CasIDString renders a content id as the seed's 16 lowercase hex digits (the cas
// package's one rendering of an id).
func CasIDString(id int64) string { return cas.String(uint64(id)) }

// ParseCasID reads 16 hex digits into a content id.
func ParseCasID(s string) (int64, error) {
	id, err := cas.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%w: cas_id must be 16 hex digits", ErrInvalid)
	}
	return int64(id), nil
}

// ExtensionOf returns the lower-cased extension of a name: the text after the last '.', or ""
// when there is none or the name only starts with a dot (".bashrc" has no extension).
func ExtensionOf(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return strings.ToLower(name[i+1:])
}

// Entries is the typed API over the entries table.
type Entries struct{ l *Library }

// Entries returns the entry API.
func (l *Library) Entries() Entries { return Entries{l} }

// Get returns the entry with the given id.
func (s Entries) Get(ctx context.Context, id int64) (Entry, error) {
	return s.one(ctx, "entry.get", entrySelect+` WHERE e.id = ?`, id)
}

// GetByUUID returns the entry with the given UUID. The UUID is the library's base and the
// entry's id, so this is a rowid lookup (no UUID is stored: docs/schema.md, "0007").
func (s Entries) GetByUUID(ctx context.Context, u uuid.UUID) (Entry, error) {
	id, ok := s.l.entryIDOfUUID(u)
	if !ok {
		return Entry{}, errNotFound("entry.get", "no such entry")
	}
	return s.one(ctx, "entry.get", entrySelect+` WHERE e.id = ?`, id)
}

// GetByPath returns the entry at an absolute path on this device.
func (s Entries) GetByPath(ctx context.Context, path string) (Entry, error) {
	const op = "entry.get"
	var e Entry
	err := s.l.withSnapshot(ctx, op, func(r *readConn) error {
		id, err := r.resolvePath(s.l, op, path)
		if err != nil {
			return err
		}
		e, err = r.entry(s.l, op, entrySelect+` WHERE e.id = ?`, id)
		return err
	})
	return e, err
}

func (s Entries) one(ctx context.Context, op, q string, args ...any) (Entry, error) {
	var e Entry
	err := s.l.withReader(ctx, op, func(r *readConn) error {
		var err error
		e, err = r.entry(s.l, op, q, args...)
		return err
	})
	return e, err
}

// entry reads one entry (q selects entrySelect's columns) with its metadata.
func (r *readConn) entry(l *Library, op, q string, args ...any) (Entry, error) {
	e, err := scanEntry(r.queryRow(q, args...), l)
	if errors.Is(err, sql.ErrNoRows) {
		return e, errNotFound(op, "no such entry")
	}
	if err != nil {
		return e, err
	}
	if e.MetadataID != 0 {
		m, err := r.metadata(e.MetadataID)
		if err != nil {
			return e, err
		}
		e.Metadata = &m
	}
	return e, nil
}

// resolvePath maps an absolute path to an entry id: the location whose root is the longest
// prefix, then the directory row by its path (unique index), then the child by name (unique
// index). Two index searches whatever the depth.
func (l *Library) resolvePath(ctx context.Context, op, p string) (int64, error) {
	var id int64
	err := l.withSnapshot(ctx, op, func(r *readConn) error {
		var err error
		id, err = r.resolvePath(l, op, p)
		return err
	})
	return id, err
}

func (r *readConn) resolvePath(l *Library, op, p string) (int64, error) {
	if p == "" || !filepath.IsAbs(p) {
		return 0, errInvalid(op, "path", "must be an absolute path, got %q", p)
	}
	p = filepath.Clean(p)
	loc, rel, err := r.locationOf(l, op, p)
	if err != nil {
		return 0, err
	}
	var id int64
	var row readRow
	dir, name := splitRel(rel)
	if rel == "" {
		row = r.queryRow(`SELECT id FROM entries WHERE location_id = (SELECT ?1) AND path = ''`, loc.ID)
	} else {
		// (SELECT ?): parameters hidden from STAT4, see listDirsQ in paths.go.
		row = r.queryRow(`SELECT c.id FROM entries d JOIN entries c ON c.parent_id = d.id AND c.name = (SELECT ?1)
WHERE d.location_id = (SELECT ?2) AND d.path = (SELECT ?3)`, name, loc.ID, dir)
	}
	if err := row.Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound(op, fmt.Sprintf("%s is not in the index", p))
	} else if err != nil {
		return 0, err
	}
	return id, nil
}

// splitRel splits a slash-separated relative path into its directory and name.
func splitRel(rel string) (dir, name string) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// locationOf finds the location of this device containing the absolute path p and returns
// it (ID and Path only) with p relative to it, slash-separated.
func (r *readConn) locationOf(l *Library, op, p string) (Location, string, error) {
	// Only id and path are needed: a lean statement rather than Locations.List, whose
	// generic filters made SQLite re-prepare it on every call (most of a path lookup's time).
	rows, err := r.query(`SELECT id, path FROM locations WHERE device_id = (SELECT ?1)`, l.deviceID)
	if err != nil {
		return Location{}, "", err
	}
	best := Location{ID: -1}
	for rows.Next() {
		var x Location
		if err := rows.Scan(&x.ID, &x.Path); err != nil {
			rows.Close()
			return Location{}, "", err
		}
		if (p == x.Path || isUnder(p, x.Path)) && (best.ID < 0 || len(x.Path) > len(best.Path)) {
			best = x
		}
	}
	if err := rows.Close(); err != nil {
		return Location{}, "", err
	}
	if best.ID < 0 {
		return Location{}, "", errNotFound(op, fmt.Sprintf("%s is not inside any location", p))
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p, best.Path), string(filepath.Separator))
	return best, filepath.ToSlash(rel), nil
}

// EntryRow is an entry as written to the database.
type EntryRow struct {
	ID          int64 // 0: allocate
	LocationID  int64
	ParentID    int64 // 0 only for a location root
	Name        string
	Kind        Kind
	Size        int64
	Inode       *int64
	Permissions *int64 // nil: unknown (not seen: WASI, or an entry added by hand)
	CreatedAt   *time.Time
	ModifiedAt  time.Time
	AccessedAt  *time.Time
	ContentID   *int64
	// Path is set for directories: their path below the location root ("" for the root).
	Path *string
}

// insertEntry writes one entry row; the id is allocated here so the UUID can carry it.
func insertEntry(ctx context.Context, tx *sql.Tx, l *Library, r EntryRow) (int64, error) {
	if r.ID == 0 {
		if err := tx.QueryRowContext(ctx, nextEntryID).Scan(&r.ID); err != nil {
			return 0, err
		}
	}
	var parent any
	if r.ParentID != 0 {
		parent = r.ParentID
	}
	var ext any
	if r.Kind != KindDirectory {
		ext = nullString(ExtensionOf(r.Name))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, inode, permissions,
 created_at, modified_at, accessed_at, content_id, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.LocationID, parent, r.Name, ext, int(r.Kind), r.Size, r.Inode, r.Permissions,
		msPtr(r.CreatedAt), ms(r.ModifiedAt), msPtr(r.AccessedAt), r.ContentID, r.Path)
	return r.ID, err
}

// EntryInput describes an entry to add by hand (the indexer writes entries in bulk itself).
type EntryInput struct {
	ParentID   int64      `json:"parent_id"`
	Name       string     `json:"name"`
	Kind       Kind       `json:"kind"`
	Size       int64      `json:"size"`
	Inode      *int64     `json:"inode,omitempty"`
	ModifiedAt time.Time  `json:"modified_at"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	AccessedAt *time.Time `json:"accessed_at,omitempty"`
	// CasID, if set, attaches a content identity (created if new) of this size.
	CasID string `json:"cas_id,omitempty"`
}

// ValidName reports whether name can be a directory entry's name.
func ValidName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

// Create adds an entry under a directory entry.
func (s Entries) Create(ctx context.Context, in EntryInput) (Entry, error) {
	const op = "entry.create"
	if !ValidName(in.Name) {
		return Entry{}, errInvalid(op, "name", "%q is not a valid name", in.Name)
	}
	if in.Kind < KindFile || in.Kind > KindSymlink {
		return Entry{}, errInvalid(op, "kind", "unknown kind %d", in.Kind)
	}
	if in.Size < 0 {
		return Entry{}, errInvalid(op, "size", "must be ≥ 0")
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		var locID int64
		var parentPath sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT location_id, path FROM entries WHERE id = ?`, in.ParentID).Scan(&locID, &parentPath)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound(op, "no such parent directory")
		} else if err != nil {
			return err
		}
		if !parentPath.Valid {
			return errInvalid(op, "parent_id", "parent is not a directory")
		}
		r := EntryRow{LocationID: locID, ParentID: in.ParentID, Name: in.Name, Kind: in.Kind, Size: in.Size,
			Inode: in.Inode, CreatedAt: in.CreatedAt, ModifiedAt: in.ModifiedAt, AccessedAt: in.AccessedAt}
		if in.Kind == KindDirectory {
			r.Path = ptr(strings.TrimPrefix(parentPath.String+"/"+in.Name, "/"))
		}
		if in.CasID != "" {
			if in.Kind != KindFile || in.Size == 0 {
				return errInvalid(op, "cas_id", "only non-empty files have a content identity")
			}
			cid, err := ParseCasID(in.CasID)
			if err != nil {
				return &Error{Op: op, Field: "cas_id", Err: err}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?, 0, ?, ?) ON CONFLICT (id) DO NOTHING`,
				cid, in.Size, ms(s.l.now())); err != nil {
				return err
			}
			r.ContentID = &cid
		}
		id, err = insertEntry(ctx, tx, s.l, r)
		if CodeOf(err) == CodeConflict {
			return errConflict(op, fmt.Sprintf("%q already exists in that directory", in.Name))
		}
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, id)
}

// Children lists the entries of a directory in name order, a page at a time: [Entries.List]
// without options (whose cursor carries names as bytes, so names that are not UTF-8 page
// correctly).
func (s Entries) Children(ctx context.Context, dirID int64, p Page) ([]Entry, string, error) {
	return s.List(ctx, dirID, ListOptions{}, p)
}

// Delete removes an entry and, for a directory, everything below it from the index. Files
// on disk are not touched. User metadata of removed entries is removed with them.
func (s Entries) Delete(ctx context.Context, id int64) error {
	const op = "entry.delete"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		return deleteSubtree(ctx, tx, op, id)
	})
}

// deleteSubtree deletes an entry and its descendants. Descendant directories are found by
// their path range (one index range), their children by parent_id (one index search each):
// no recursion, so any depth works (SQLite caps recursive cascades at 1000 levels).
func deleteSubtree(ctx context.Context, tx *sql.Tx, op string, id int64) error {
	var locID int64
	var path sql.NullString
	var parent sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT location_id, path, parent_id FROM entries WHERE id = ?`, id).Scan(&locID, &path, &parent)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound(op, "no such entry")
	} else if err != nil {
		return err
	}
	if !parent.Valid {
		return errInvalid(op, "id", "cannot delete a location's root entry; remove the location instead")
	}
	if path.Valid {
		lo, hi := subtreeRange(path.String)
		const subdirs = `SELECT id FROM entries WHERE location_id = ?1 AND path >= ?2 AND path < ?3`
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id IN (
  SELECT metadata_id FROM entries WHERE metadata_id IS NOT NULL AND (parent_id = ?4 OR parent_id IN (`+subdirs+`)))`, locID, lo, hi, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE parent_id IN (`+subdirs+`) OR parent_id = ?4`, locID, lo, hi, id); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id = (SELECT metadata_id FROM entries WHERE id = ?)`, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id)
	return mustAffect(op, res, err, "no such entry")
}

// subtreeRange returns the half-open range [lo, hi) of directory paths strictly below dir:
// every such path starts with dir + "/", and '0' is the byte after '/'. A range an index can
// search, unlike the seed's LIKE 'dir/%' (which also treats '%' and '_' in names as wildcards).
//
// Below the root ("") every non-empty path qualifies: names never contain NUL, so "\x01" is a
// lower bound, and an empty BLOB is an upper bound (SQLite sorts every TEXT before every BLOB),
// whatever bytes a name holds.
func subtreeRange(dir string) (lo string, hi any) {
	if dir == "" {
		return "\x01", []byte{}
	}
	return dir + "/", dir + "0"
}
