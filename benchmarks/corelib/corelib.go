// Package corelib loads a generated library-only dataset into a real filedex
// library: core.Open creates it (migrations, device), the core API creates
// the location, tags and labels, and the entries go in by SQL in one
// transaction against the migrated schema, the way a bulk indexer writes.
//
// Entries go in by SQL because the core's per-entry API (Entries.Create: one
// transaction and one read-back per entry) is built for hand edits, and a
// million of them would measure that instead of the schema. The rows follow
// the core's own conventions (core.ExtensionOf, ids the entry UUIDs derive from,
// times in milliseconds, user_metadata only where a user would have made
// one), and the loader checks afterwards through the core API that paths
// resolve. When the indexer's bulk writer lands, Load should use it instead.
package corelib

import (
	"context"
	"encoding/binary"
	"fmt"
	"github.com/filedex/filedex/internal/sqlbind"
	"os"
	"path/filepath"
	"time"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/internal/sqlitestat"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

// Loaded is a filedex library holding a dataset.
type Loaded struct {
	Lib      *core.Library
	Dir      string // library directory
	DBPath   string
	Root     string // the location's absolute path (an empty real directory)
	Entries  int    // dataset entries (the location's root entry excluded)
	RootID   int64  // entry id of the location root; dataset entry n has id RootID + n
	LoadTime time.Duration
	// FileBytes and Stats describe the database file right after VACUUM,
	// before core.Open reopens it (opening may write to the WAL).
	FileBytes int64
	Stats     *sqlitestat.Stats
}

// Close closes the library.
func (l *Loaded) Close() error { return l.Lib.Close() }

// EntryID returns the entry id of a dataset entry.
func (l *Loaded) EntryID(e *dataset.Entry) int64 { return l.RootID + e.Ordinal }

// Abs returns a dataset entry's absolute path in the library.
func (l *Loaded) Abs(rel string) string { return filepath.Join(l.Root, filepath.FromSlash(rel)) }

// epoch is the fixed clock of loaded libraries (reproducible rows).
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Load creates a library in dir (which must not exist) holding lib, then
// ANALYZE, VACUUM and a checkpoint so the file is ready for sqlitestat, and
// reopens it with core.Open for queries. The load time covers everything up
// to the reopened library, page walk included.
func Load(dir string, lib *dataset.Library) (*Loaded, error) {
	start := time.Now()
	ctx := context.Background()
	root := filepath.Join(dir, "location")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	libDir := filepath.Join(dir, "library")
	opts := core.Options{Clock: core.FixedClock(epoch), UUIDs: core.SeededUUIDs(lib.Spec.Seed)}
	cl, err := core.Open(libDir, opts)
	if err != nil {
		return nil, err
	}
	loc, err := cl.Locations().Create(ctx, core.LocationInput{Path: root, Name: "home", Mode: core.ModeContent})
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("location: %w", err)
	}
	rootEntry, err := cl.Entries().GetByPath(ctx, loc.Path)
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("location root: %w", err)
	}
	tagIDs := make([]int64, len(lib.Tags))
	for i, t := range lib.Tags {
		tg, err := cl.Tags().Create(ctx, core.TagInput{Name: t.Name, Color: t.Color})
		if err != nil {
			cl.Close()
			return nil, fmt.Errorf("tag %q: %w", t.Name, err)
		}
		tagIDs[i] = tg.ID
	}
	labelIDs := make([]int64, len(lib.Labels))
	for i, x := range lib.Labels {
		in := core.LabelInput{Name: x.Name}
		if x.Parent >= 0 {
			in.Parent = labelIDs[x.Parent]
		}
		lb, err := cl.Labels().Create(ctx, in)
		if err != nil {
			cl.Close()
			return nil, fmt.Errorf("label %q: %w", x.Name, err)
		}
		labelIDs[i] = lb.ID
	}
	if err := cl.Close(); err != nil {
		return nil, err
	}

	dbPath := filepath.Join(libDir, core.DatabaseFile)
	ld := &Loaded{Dir: libDir, DBPath: dbPath, Root: loc.Path, RootID: rootEntry.ID}
	if err := bulk(dbPath, lib, loc.ID, ld, tagIDs, labelIDs); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dbPath)
	if err != nil {
		return nil, err
	}
	ld.FileBytes = fi.Size()
	if ld.Stats, err = sqlitestat.Analyze(dbPath); err != nil {
		return nil, fmt.Errorf("page walk: %w", err)
	}
	ld.Lib, err = core.Open(libDir, opts)
	if err != nil {
		return nil, err
	}
	ld.LoadTime = time.Since(start)
	return ld, nil
}

func bulk(dbPath string, lib *dataset.Library, locID int64, ld *Loaded, tagIDs, labelIDs []int64) (err error) {
	// The bulk connection needs more than the driver's default 256 MiB of
	// Wasm memory for VACUUM of a 1M-entry library with temp_store=MEMORY.
	c, err := sqlite3.OpenContext(sqlite3.WithMaxMemory(context.Background(), 2<<30), dbPath)
	if err != nil {
		return err
	}
	// The schema has an FTS5 table; the module is not built in (docs/facts.md).
	if err := fts5.Register(c); err != nil {
		c.Close()
		return err
	}
	defer func() {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}()
	if err := c.Exec(`PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072; BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.Exec(`ROLLBACK`)
		}
	}()
	var stmts []*sqlite3.Stmt
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	prep := func(q string) *sqlite3.Stmt {
		if err != nil {
			return nil
		}
		var s *sqlite3.Stmt
		s, _, err = c.Prepare(q)
		stmts = append(stmts, s)
		return s
	}
	ent := prep(`INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, inode, permissions,
 created_at, modified_at, accessed_at, content_id, metadata_id, path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	cont := prep(`INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?,?,?,?) ON CONFLICT (id) DO NOTHING`)
	meta := prep(`INSERT INTO user_metadata (id, uuid, notes, favorite, hidden, created_at, updated_at) VALUES (?,?,?,?,?,?,?)`)
	mtag := prep(`INSERT INTO metadata_tag (metadata_id, tag_id) VALUES (?,?)`)
	mlab := prep(`INSERT INTO metadata_label (metadata_id, label_id) VALUES (?,?)`)
	if err != nil {
		return err
	}
	r := dataset.NewRand(lib.Spec.Seed, 901)
	now := epoch.UnixMilli()
	var metaID int64
	for e := range lib.Entries() {
		id := ld.RootID + e.Ordinal
		parent := ld.RootID
		if e.Parent != 0 {
			parent = ld.RootID + e.Parent
		}
		kind := int64(core.KindFile)
		var ext, path any
		if e.IsDir {
			kind = int64(core.KindDirectory)
			path = e.Path()
		} else if x := core.ExtensionOf(e.Name); x != "" {
			ext = x
		}
		var content, metadata any
		if e.Content != 0 {
			cid, err := core.ParseCasID(e.CasID)
			if err != nil {
				return err
			}
			code, ok := core.ContentKindCode(e.Kind)
			if !ok {
				code = 0 // "other" → unknown
			}
			if err := bind(cont, cid, int64(code), e.Size, e.Modified/1e6); err != nil {
				return fmt.Errorf("content: %w", err)
			}
			content = cid
		}
		// user_metadata exists only where a user acted: tags, labels,
		// favourite, note, hidden. The seed's DDL makes one per entry.
		if len(e.Tags) > 0 || len(e.Labels) > 0 || e.Favorite || e.Note != "" || e.Hidden {
			metaID++
			var note any
			if e.Note != "" {
				note = e.Note
			}
			u := uuidV7(now, r)
			if err := bind(meta, metaID, u, note, e.Favorite, e.Hidden, now, now); err != nil {
				return fmt.Errorf("metadata: %w", err)
			}
			metadata = metaID
		}
		if err := bind(ent, id, locID, parent, e.Name, ext, kind, e.Size, int64(e.Inode), int64(e.Mode),
			e.Created/1e6, e.Modified/1e6, e.Accessed/1e6, content, metadata, path); err != nil {
			return fmt.Errorf("entry %s: %w", e.Path(), err)
		}
		for _, t := range e.Tags {
			if err := bind(mtag, metaID, tagIDs[t]); err != nil {
				return err
			}
		}
		for _, x := range e.Labels {
			if err := bind(mlab, metaID, labelIDs[x]); err != nil {
				return err
			}
		}
		ld.Entries++
	}
	if err := c.Exec(`COMMIT`); err != nil {
		return err
	}
	return c.Exec(`ANALYZE; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);`)
}

// uuidV7 is a UUIDv7 with the given millisecond time and random bits.
func uuidV7(ms int64, r *dataset.Rand) []byte {
	u := make([]byte, 16)
	r.Fill(u)
	binary.BigEndian.PutUint16(u[0:], uint16(ms>>32))
	binary.BigEndian.PutUint32(u[2:], uint32(ms))
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

func bind(st *sqlite3.Stmt, args ...any) error {
	if err := st.Reset(); err != nil {
		return err
	}
	if err := sqlbind.Args(st, args...); err != nil {
		return err
	}
	return st.Exec()
}
