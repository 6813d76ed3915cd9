// Command storexp measures where a library's bytes go: it loads the benchmark dataset of -n
// entries into a new filedex library in -dir (benchmarks/corelib, as the harness's storage
// scenario does) and prints the bytes per entry of the file and of every b-tree.
//
// With -floor it also copies the library's rows into the smallest schema the storage goal
// allows (issue 2: "every seed column and the indexes that path, name, tag and duplicate
// queries need", FTS excluded): the seed's columns only, directory paths stored once, and
// no index beyond (parent_id, name), the directory paths, content → entries and
// metadata → entries, plus the tag and label junctions. Name queries go to FTS, which the
// goal leaves out. What that schema measures is the floor of the goal on this dataset:
// RATIONALE.md, "Storage budget".
//
//	go run ./internal/storexp -n 1000000 -dir /tmp/lib1m -floor
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/benchmarks/corelib"
	"github.com/filedex/filedex/benchmarks/dataset"
	"github.com/filedex/filedex/internal/sqlitestat"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

func main() {
	n := flag.Int("n", 100000, "entries")
	dir := flag.String("dir", "", "new directory for the library (must not exist)")
	floor := flag.Bool("floor", false, "also measure the seed-columns-only schema (floor.db in -dir)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("storexp: -dir is required")
	}
	ld, err := corelib.Load(*dir, dataset.NewLibrary(dataset.LibrarySpec{Entries: *n, Seed: 1}))
	if err != nil {
		log.Fatal(err)
	}
	ld.Close()
	fmt.Printf("filedex: %d entries, %.1f B/entry (load %s)\n", ld.Entries, float64(ld.FileBytes)/float64(ld.Entries), ld.LoadTime.Round(1e8))
	printStats(ld.Stats, ld.Entries)
	if !*floor {
		return
	}
	path := filepath.Join(*dir, "floor.db")
	if err := seedFloor(ld.DBPath, path); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlitestat.Analyze(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("floor: %.1f B/entry\n", float64(fi.Size())/float64(ld.Entries))
	printStats(st, ld.Entries)
}

func printStats(st *sqlitestat.Stats, entries int) {
	for _, o := range st.Objects {
		if b := float64(st.Bytes(o)) / float64(entries); b >= 0.1 {
			fmt.Printf("  %-34s %6.1f\n", o.Name, b)
		}
	}
}

// floorSchema: the seed's entries columns (relative_path as the directory's own path, stored
// once), its content_identity and user_metadata columns, the junction tables, and only the
// indexes path, tag and duplicate queries need.
const floorSchema = `
CREATE TABLE entries (id INTEGER PRIMARY KEY, location_id INTEGER NOT NULL, parent_id INTEGER, name TEXT NOT NULL,
  kind INTEGER NOT NULL, metadata_id INTEGER, content_id INTEGER, size INTEGER NOT NULL, permissions INTEGER,
  created_at INTEGER, modified_at INTEGER NOT NULL, accessed_at INTEGER, path TEXT);
INSERT INTO entries SELECT id, location_id, parent_id, name, kind, metadata_id, content_id, size, permissions,
  created_at, modified_at, accessed_at, path FROM src.entries;
CREATE UNIQUE INDEX entries_parent_name ON entries(parent_id, name);
CREATE UNIQUE INDEX entries_dir_path ON entries(location_id, path) WHERE path IS NOT NULL;
CREATE INDEX entries_content ON entries(content_id) WHERE content_id IS NOT NULL;
CREATE INDEX entries_metadata ON entries(metadata_id) WHERE metadata_id IS NOT NULL;
CREATE TABLE content_identity (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, size_bytes INTEGER NOT NULL,
  media_data TEXT, created_at INTEGER NOT NULL);
INSERT INTO content_identity SELECT id, kind, size_bytes, media_data, created_at FROM src.content_identity;
CREATE TABLE user_metadata (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, notes TEXT, favorite INTEGER NOT NULL,
  hidden INTEGER NOT NULL, custom_data TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
INSERT INTO user_metadata SELECT id, uuid, notes, favorite, hidden, custom_data, created_at, updated_at FROM src.user_metadata;
CREATE TABLE metadata_tag (metadata_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (metadata_id, tag_id)) WITHOUT ROWID;
INSERT INTO metadata_tag SELECT metadata_id, tag_id FROM src.metadata_tag;
CREATE INDEX metadata_tag_tag ON metadata_tag(tag_id, metadata_id);
CREATE TABLE metadata_label (metadata_id INTEGER NOT NULL, label_id INTEGER NOT NULL, PRIMARY KEY (metadata_id, label_id)) WITHOUT ROWID;
INSERT INTO metadata_label SELECT metadata_id, label_id FROM src.metadata_label;
CREATE INDEX metadata_label_label ON metadata_label(label_id, metadata_id);
`

func seedFloor(src, dst string) error {
	c, err := sqlite3.OpenContext(sqlite3.WithMaxMemory(context.Background(), 2<<30), dst)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := fts5.Register(c); err != nil { // the source's schema names an FTS5 table
		return err
	}
	if err := c.Exec(`PRAGMA journal_mode = DELETE; PRAGMA temp_store = MEMORY`); err != nil {
		return err
	}
	st, _, err := c.Prepare(`ATTACH ? AS src`)
	if err != nil {
		return err
	}
	if err := st.BindText(1, "file:"+filepath.ToSlash(src)+"?mode=ro"); err != nil {
		return err
	}
	if err := st.Exec(); err != nil {
		return err
	}
	st.Close()
	if err := c.Exec(`BEGIN;` + floorSchema + `COMMIT; DETACH src; VACUUM`); err != nil {
		return fmt.Errorf("floor schema: %w", err)
	}
	return nil
}
