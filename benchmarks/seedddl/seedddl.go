// Package seedddl is the baseline filedex is measured against: the seed
// design's DDL as written (with only the fixes that make it valid SQL, see
// schema.sql), loaded with the same generated datasets, answering the seed's
// own queries.
//
// "As written" means: TEXT ISO 8601 timestamps, one user_metadata row per
// entry (metadata_id is NOT NULL), 16-byte UUID blobs, every index the DDL
// lists, the seed's pragmas (WAL, synchronous=NORMAL, cache_size=10000,
// temp_store=MEMORY), and queries shaped like the seed's SeaORM examples
// (LIKE for subtrees and extensions, OFFSET pagination).
//
// The seed's comment calls entries.name "Entry name without extension" yet
// its example query is name LIKE '%.pdf' and the DDL has no extension column.
// The baseline stores the full name (extension included): dropping the
// extension would lose data, and the seed's own query would return nothing.
package seedddl

import (
	"context"
	_ "embed"
	"fmt"
	"github.com/filedex/filedex/internal/sqlbind"
	"os"
	"strconv"
	"time"

	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/ncruces/go-sqlite3"
)

// Schema is the seed's DDL with the minimal fixes; Indexes its indexes on
// entries, user_metadata and content_identity.
var (
	//go:embed schema.sql
	Schema string
	//go:embed indexes.sql
	Indexes string
)

// MaxMemory is the Wasm memory allowed to the loading connection.
const MaxMemory = 2 << 30

// Pragmas are the seed's recommended settings ("Point-in-Time Recovery").
const Pragmas = `PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = 10000;
PRAGMA temp_store = MEMORY;`

// DB is a loaded seed-DDL database.
type DB struct {
	Conn     *sqlite3.Conn
	Path     string
	Entries  int
	LoadTime time.Duration
}

// Close closes the connection.
func (db *DB) Close() error { return db.Conn.Close() }

// isoTime formats like sqlx/SeaORM store chrono DateTime<Utc> in SQLite:
// RFC 3339 with nanoseconds and an explicit +00:00 offset.
func isoTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000000") + "+00:00"
}

// Load creates the database at path from lib's entries: schema, rows,
// indexes, ANALYZE, VACUUM, and a WAL checkpoint so the main file holds
// everything (the page accounting of sqlitestat reads it).
func Load(path string, lib *dataset.Library) (*DB, error) {
	start := time.Now()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	// ncruces/go-sqlite3 caps each connection's Wasm memory at 256 MiB and
	// panics with "out of memory" beyond it; CREATE INDEX and VACUUM of a
	// 1M-entry database with temp_store=MEMORY sort more than that.
	c, err := sqlite3.OpenContext(sqlite3.WithMaxMemory(context.Background(), MaxMemory), path)
	if err != nil {
		return nil, err
	}
	db := &DB{Conn: c, Path: path}
	fail := func(err error) (*DB, error) {
		c.Close()
		return nil, err
	}
	// Bulk load without a journal: the measured layout comes from VACUUM.
	if err := c.Exec(`PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072;`); err != nil {
		return fail(err)
	}
	if err := c.Exec(Schema); err != nil {
		return fail(fmt.Errorf("schema: %w", err))
	}
	if err := load(c, lib, &db.Entries); err != nil {
		return fail(fmt.Errorf("load: %w", err))
	}
	if err := c.Exec(Indexes); err != nil {
		return fail(fmt.Errorf("indexes: %w", err))
	}
	if err := c.Exec(`ANALYZE; VACUUM;`); err != nil {
		return fail(fmt.Errorf("analyze/vacuum: %w", err))
	}
	if err := c.Exec(Pragmas + ` PRAGMA wal_checkpoint(TRUNCATE);`); err != nil {
		return fail(fmt.Errorf("pragmas: %w", err))
	}
	db.LoadTime = time.Since(start)
	return db, nil
}

type loader struct {
	c     *sqlite3.Conn
	stmts []*sqlite3.Stmt
	uuid  *dataset.Rand
}

func (l *loader) prep(sql string) (*sqlite3.Stmt, error) {
	st, _, err := l.c.Prepare(sql)
	if err == nil {
		l.stmts = append(l.stmts, st)
	}
	return st, err
}

func (l *loader) newUUID() []byte {
	b := make([]byte, 16)
	l.uuid.Fill(b)
	b[6] = b[6]&0x0f | 0x40 // version 4, like the seed's Uuid::new_v4
	b[8] = b[8]&0x3f | 0x80
	return b
}

// exec binds args (int64, string, []byte, bool, nil) and steps once.
func exec(st *sqlite3.Stmt, args ...any) error {
	if err := sqlbind.Args(st, args...); err != nil {
		return err
	}
	return st.Exec()
}

func load(c *sqlite3.Conn, lib *dataset.Library, count *int) (err error) {
	l := &loader{c: c, uuid: dataset.NewRand(lib.Spec.Seed, 900)}
	defer func() {
		for _, st := range l.stmts {
			st.Close()
		}
	}()
	now := isoTime(1767225600e9)
	if err := c.Exec(`BEGIN`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			c.Exec(`ROLLBACK`)
		}
	}()
	dev, err := l.prep(`INSERT INTO devices (uuid, name, os, os_version, hardware_model, network_addresses, is_online, last_seen_at, capabilities, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	if err := exec(dev, l.newUUID(), "bench", "linux", "6.1", "x86_64", `["127.0.0.1"]`, true, now, `{}`, now, now); err != nil {
		return err
	}
	loc, err := l.prep(`INSERT INTO locations (uuid, device_id, path, name, index_mode, scan_state, last_scan_at, total_file_count, total_byte_size, created_at, updated_at) VALUES (?,1,?,?,'content','complete',?,0,0,?,?)`)
	if err != nil {
		return err
	}
	if err := exec(loc, l.newUUID(), "/home/user", "home", now, now, now); err != nil {
		return err
	}
	tag, err := l.prep(`INSERT INTO tags (uuid, name, color, icon, created_at, updated_at) VALUES (?,?,?,NULL,?,?)`)
	if err != nil {
		return err
	}
	for _, t := range lib.Tags {
		if err := exec(tag, l.newUUID(), t.Name, t.Color, now, now); err != nil {
			return err
		}
	}
	lab, err := l.prep(`INSERT INTO labels (uuid, name, color, parent_id, created_at, updated_at) VALUES (?,?,NULL,?,?,?)`)
	if err != nil {
		return err
	}
	for _, x := range lib.Labels {
		var parent any
		if x.Parent >= 0 {
			parent = int64(x.Parent + 1) // labels are inserted in order: id = index + 1
		}
		if err := exec(lab, l.newUUID(), x.Name, parent, now, now); err != nil {
			return err
		}
	}
	meta, err := l.prep(`INSERT INTO user_metadata (uuid, notes, favorite, hidden, custom_data, created_at, updated_at) VALUES (?,?,?,?,NULL,?,?)`)
	if err != nil {
		return err
	}
	cont, err := l.prep(`INSERT INTO content_identity (cas_id, kind, size_bytes, media_data, created_at) VALUES (?,?,?,NULL,?)`)
	if err != nil {
		return err
	}
	ent, err := l.prep(`INSERT INTO entries (uuid, location_id, relative_path, name, kind, metadata_id, content_id, size, permissions, created_at, modified_at, accessed_at) VALUES (?,1,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	mtag, err := l.prep(`INSERT INTO metadata_tag (metadata_id, tag_id) VALUES (?,?)`)
	if err != nil {
		return err
	}
	mlab, err := l.prep(`INSERT INTO metadata_label (metadata_id, label_id) VALUES (?,?)`)
	if err != nil {
		return err
	}
	contentRow := map[int64]int64{}
	var metaID int64
	for e := range lib.Entries() {
		ts := isoTime(e.Modified)
		var note any
		if e.Note != "" {
			note = e.Note
		}
		if err := exec(meta, l.newUUID(), note, e.Favorite, e.Hidden, ts, ts); err != nil {
			return err
		}
		metaID++
		var content any
		if e.Content != 0 {
			id, ok := contentRow[e.Content]
			if !ok {
				if err := exec(cont, e.CasID, e.Kind, e.Size, ts); err != nil {
					return err
				}
				id = c.LastInsertRowID()
				contentRow[e.Content] = id
			}
			content = id
		}
		kind := "file"
		if e.IsDir {
			kind = "directory"
		}
		if err := exec(ent, l.newUUID(), e.Dir, e.Name, kind, metaID, content, e.Size, "0"+strconv.FormatUint(uint64(e.Mode), 8),
			isoTime(e.Created), ts, isoTime(e.Accessed)); err != nil {
			return err
		}
		if c.LastInsertRowID() != e.Ordinal {
			return fmt.Errorf("entry id %d != ordinal %d: queries rely on id = ordinal", c.LastInsertRowID(), e.Ordinal)
		}
		for _, t := range e.Tags {
			if err := exec(mtag, metaID, int64(t+1)); err != nil {
				return err
			}
		}
		for _, x := range e.Labels {
			if err := exec(mlab, metaID, int64(x+1)); err != nil {
				return err
			}
		}
		*count++
	}
	return c.Exec(`COMMIT`)
}
