package core_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
)

// rawDB opens a library's database directly, the way another SQLite tool would, with foreign
// keys on, so the schema's own constraints can be tested without the Go API in front.
func rawDB(t *testing.T, lib *core.Library) *sql.DB {
	t.Helper()
	db, err := driver.Open("file:"+filepath.Join(lib.Dir(), core.DatabaseFile)+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)", fts5.Register) // entries triggers write entries_fts
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSchema_Constraints: every CHECK, UNIQUE and FOREIGN KEY rejects what it should, and the
// valid twin of each bad row is accepted (so a test cannot pass because the setup is broken).
func TestSchema_Constraints(t *testing.T) {
	lib := openTest(t)
	db := rawDB(t, lib)
	loc := t.TempDir()
	setup := []string{
		`INSERT INTO locations (id, uuid, device_id, path, index_mode, created_at, updated_at) VALUES (100, randomblob(16), 1, '` + loc + `', 'content', 0, 0)`,
		`INSERT INTO entries (id, location_id, parent_id, name, kind, modified_at, path) VALUES (1000, 100, NULL, 'root', 1, 0, '')`,
		`INSERT INTO entries (id, location_id, parent_id, name, kind, modified_at, path) VALUES (1001, 100, 1000, 'dir', 1, 0, 'dir')`,
		`INSERT INTO entries (id, location_id, parent_id, name, kind, size, modified_at) VALUES (1002, 100, 1001, 'f.txt', 0, 5, 0)`,
		`INSERT INTO tags (id, uuid, name, created_at, updated_at) VALUES (10, randomblob(16), 'red', 0, 0)`,
		`INSERT INTO labels (id, uuid, name, created_at, updated_at) VALUES (20, randomblob(16), 'top', 0, 0)`,
		`INSERT INTO labels (id, uuid, name, parent_id, created_at, updated_at) VALUES (21, randomblob(16), 'child', 20, 0, 0)`,
		`INSERT INTO user_metadata (id, uuid, created_at, updated_at) VALUES (30, randomblob(16), 0, 0)`,
	}
	for _, q := range setup {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("setup %s: %v", q, err)
		}
	}
	cases := []struct {
		name, bad, good, want string
	}{
		{"device uuid length", `INSERT INTO devices (uuid, name, os, hardware_model, is_online, last_seen_at, created_at, updated_at) VALUES (x'01', 'd', 'l', 'h', 1, 0, 0, 0)`,
			`INSERT INTO devices (uuid, name, os, hardware_model, is_online, last_seen_at, created_at, updated_at) VALUES (randomblob(16), 'd', 'l', 'h', 1, 0, 0, 0)`, "CHECK"},
		{"device is_online boolean", `INSERT INTO devices (uuid, name, os, hardware_model, is_online, last_seen_at, created_at, updated_at) VALUES (randomblob(16), 'd', 'l', 'h', 2, 0, 0, 0)`, "", "CHECK"},
		{"device capabilities object", `INSERT INTO devices (uuid, name, os, hardware_model, is_online, last_seen_at, capabilities, created_at, updated_at) VALUES (randomblob(16), 'd', 'l', 'h', 1, 0, '[1]', 0, 0)`, "", "CHECK"},
		{"device network array", `INSERT INTO devices (uuid, name, os, hardware_model, is_online, last_seen_at, network_addresses, created_at, updated_at) VALUES (randomblob(16), 'd', 'l', 'h', 1, 0, '{}', 0, 0)`, "", "CHECK"},
		{"location index_mode", `INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) VALUES (randomblob(16), 1, '/x1', 'bogus', 0, 0)`,
			`INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) VALUES (randomblob(16), 1, '/x1', 'deep', 0, 0)`, "CHECK"},
		{"location scan_state", `INSERT INTO locations (uuid, device_id, path, index_mode, scan_state, created_at, updated_at) VALUES (randomblob(16), 1, '/x2', 'deep', 'done', 0, 0)`, "", "CHECK"},
		{"location device fk", `INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) VALUES (randomblob(16), 999, '/x3', 'deep', 0, 0)`, "", "FOREIGN KEY"},
		{"location device+path unique", `INSERT INTO locations (uuid, device_id, path, index_mode, created_at, updated_at) VALUES (randomblob(16), 1, '` + loc + `', 'deep', 0, 0)`, "", "UNIQUE"},
		{"location negative totals", `UPDATE locations SET total_file_count = -1 WHERE id = 100`, `UPDATE locations SET total_file_count = 1 WHERE id = 100`, "CHECK"},
		{"entry kind", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 1001, 'k', 7, 0)`,
			`INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 1001, 'k', 2, 0)`, "CHECK"},
		{"entry empty name", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 1001, '', 0, 0)`, "", "CHECK"},
		{"entry negative size", `INSERT INTO entries (location_id, parent_id, name, kind, size, modified_at) VALUES (100, 1001, 'neg', 0, -1, 0)`, "", "CHECK"},
		{"directory needs path", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 1001, 'd2', 1, 0)`,
			`INSERT INTO entries (location_id, parent_id, name, kind, modified_at, path) VALUES (100, 1001, 'd2', 1, 0, 'dir/d2')`, "CHECK"},
		{"file has no path", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at, path) VALUES (100, 1001, 'f2', 0, 0, 'dir/f2')`, "", "CHECK"},
		{"only the root lacks a parent", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at, path) VALUES (100, NULL, 'r2', 1, 0, 'r2')`, "", "CHECK"},
		{"one root per location", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at, path) VALUES (100, NULL, 'r3', 1, 0, '')`, "", "UNIQUE"},
		{"sibling names unique", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 1001, 'f.txt', 0, 0)`, "", "UNIQUE"},
		{"entry parent fk", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (100, 99999, 'orphan', 0, 0)`, "", "FOREIGN KEY"},
		{"entry location fk", `INSERT INTO entries (location_id, parent_id, name, kind, modified_at) VALUES (999, 1001, 'x', 0, 0)`, "", "FOREIGN KEY"},
		{"entry content fk", `UPDATE entries SET content_id = 12345 WHERE id = 1002`, "", "FOREIGN KEY"},
		{"directories have no content", `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (7, 0, 5, 0); UPDATE entries SET content_id = 7 WHERE id = 1001`,
			`UPDATE entries SET content_id = 7 WHERE id = 1002`, "CHECK"},
		{"entry metadata fk", `UPDATE entries SET metadata_id = 999 WHERE id = 1002`, `UPDATE entries SET metadata_id = 30 WHERE id = 1002`, "FOREIGN KEY"},
		{"content size positive", `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (8, 0, 0, 0)`, "", "CHECK"},
		{"content kind fk", `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (9, 99, 1, 0)`, "", "FOREIGN KEY"},
		{"content hash length", `UPDATE content_identity SET integrity_hash = x'00' WHERE id = 7`, `UPDATE content_identity SET integrity_hash = zeroblob(32) WHERE id = 7`, "CHECK"},
		{"content media object", `UPDATE content_identity SET media_data = '3' WHERE id = 7`, `UPDATE content_identity SET media_data = '{"w":1}' WHERE id = 7`, "CHECK"},
		{"metadata favorite boolean", `UPDATE user_metadata SET favorite = 5 WHERE id = 30`, `UPDATE user_metadata SET favorite = 1 WHERE id = 30`, "CHECK"},
		{"metadata custom_data object", `UPDATE user_metadata SET custom_data = 'nope' WHERE id = 30`, `UPDATE user_metadata SET custom_data = '{}' WHERE id = 30`, "CHECK"},
		{"tag name unique", `INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'red', 0, 0)`, "", "UNIQUE"},
		{"tag colour", `INSERT INTO tags (uuid, name, color, created_at, updated_at) VALUES (randomblob(16), 'blue', 'blue', 0, 0)`,
			`INSERT INTO tags (uuid, name, color, created_at, updated_at) VALUES (randomblob(16), 'blue', '#0000FF', 0, 0)`, "CHECK"},
		{"tag uuid unique", `INSERT INTO tags (uuid, name, created_at, updated_at) SELECT uuid, 'green', 0, 0 FROM tags WHERE id = 10`, "", "UNIQUE"},
		{"label sibling names unique", `INSERT INTO labels (uuid, name, parent_id, created_at, updated_at) VALUES (randomblob(16), 'child', 20, 0, 0)`,
			`INSERT INTO labels (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'child', 0, 0)`, "UNIQUE"},
		{"top-level label names unique", `INSERT INTO labels (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'top', 0, 0)`, "", "UNIQUE"},
		{"label name without slash", `INSERT INTO labels (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'a/b', 0, 0)`, "", "CHECK"},
		{"label parent fk", `INSERT INTO labels (uuid, name, parent_id, created_at, updated_at) VALUES (randomblob(16), 'lost', 999, 0, 0)`, "", "FOREIGN KEY"},
		{"label own parent", `UPDATE labels SET parent_id = 20 WHERE id = 20`, "", "label cycle"},
		{"label cycle", `UPDATE labels SET parent_id = 21 WHERE id = 20`, "", "label cycle"},
		{"metadata_tag fk", `INSERT INTO metadata_tag VALUES (30, 999)`, `INSERT INTO metadata_tag VALUES (30, 10)`, "FOREIGN KEY"},
		{"metadata_tag unique", `INSERT INTO metadata_tag VALUES (30, 10)`, "", "UNIQUE"},
		{"metadata_label fk", `INSERT INTO metadata_label VALUES (999, 20)`, `INSERT INTO metadata_label VALUES (30, 20)`, "FOREIGN KEY"},
		{"job status", `INSERT INTO jobs (uuid, kind, status, created_at, updated_at) VALUES (randomblob(16), 'scan', 'sleeping', 0, 0)`,
			`INSERT INTO jobs (uuid, kind, status, created_at, updated_at) VALUES (randomblob(16), 'scan', 'paused', 0, 0)`, "CHECK"},
		{"job params json", `INSERT INTO jobs (uuid, kind, params, created_at, updated_at) VALUES (randomblob(16), 'scan', '{bad', 0, 0)`, "", "CHECK"},
		{"job location fk", `INSERT INTO jobs (uuid, kind, location_id, created_at, updated_at) VALUES (randomblob(16), 'scan', 999, 0, 0)`, "", "FOREIGN KEY"},
		{"library single row", `INSERT INTO library (id, uuid, name, created_at) VALUES (2, randomblob(16), 'x', 0)`, "", "CHECK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Exec(c.bad)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%s\n  want an error containing %q, got %v", c.bad, c.want, err)
			}
			if c.good != "" {
				if _, err := db.Exec(c.good); err != nil {
					t.Fatalf("valid twin rejected: %s: %v", c.good, err)
				}
			}
		})
	}
	// Deleting a tag or label detaches it; deleting a metadata row detaches the entry.
	if _, err := db.Exec(`DELETE FROM tags WHERE id = 10`); err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM metadata_tag`).Scan(&n)
	if n != 0 {
		t.Fatal("tag delete left metadata_tag rows")
	}
	db.Exec(`DELETE FROM user_metadata WHERE id = 30`)
	var mid sql.NullInt64
	db.QueryRow(`SELECT metadata_id FROM entries WHERE id = 1002`).Scan(&mid)
	if mid.Valid {
		t.Fatal("metadata delete left entries.metadata_id set")
	}
}
