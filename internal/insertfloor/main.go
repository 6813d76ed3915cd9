// Command insertfloor measures what inserting a tree's rows costs SQLite alone, in this
// build (ncruces/go-sqlite3, SQLite translated from Wasm to Go): the entries table with no
// index, with the path indexes, and with the name and extension indexes too. No triggers,
// no CHECKs, no foreign keys, no FTS5, 256 rows a statement, transactions of 20480 rows: the
// floor under a first metadata scan (RATIONALE.md, "The indexer").
//
//	go run ./internal/insertfloor /usr
//
// The tree is walked first (untimed); rows carry its real names.
package main

import (
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
)

type row struct {
	id, parent, kind, size, mtime int64
	name, ext, path               string
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: insertfloor TREE")
	}
	root := os.Args[1]
	var rows []row
	dirIDs := map[string]int64{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		r := row{id: int64(len(rows) + 1), name: d.Name(), mtime: info.ModTime().UnixMilli(), size: info.Size()}
		if p != root {
			r.parent = dirIDs[filepath.Dir(p)]
		}
		if d.IsDir() {
			r.kind, r.size, r.path = 1, 0, strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
			dirIDs[p] = r.id
		} else if x := filepath.Ext(d.Name()); len(x) > 1 {
			r.ext = strings.ToLower(x[1:])
		}
		rows = append(rows, r)
		return nil
	})
	dir, err := os.MkdirTemp("", "insertfloor-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, v := range []struct{ name, ddl string }{
		{"table only", ``},
		{"+ parent_name, dir_path", `CREATE UNIQUE INDEX pn ON entries(parent_id, name); CREATE UNIQUE INDEX dp ON entries(location_id, path) WHERE path IS NOT NULL`},
		{"+ name, extension", `CREATE UNIQUE INDEX pn ON entries(parent_id, name); CREATE UNIQUE INDEX dp ON entries(location_id, path) WHERE path IS NOT NULL;
CREATE INDEX n ON entries(name); CREATE INDEX x ON entries(extension) WHERE extension IS NOT NULL`},
	} {
		d, err := run(filepath.Join(dir, strings.ReplaceAll(v.name, " ", "")+".db"), v.ddl, rows)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-26s %d rows: %v (%.1f µs a row)\n", v.name, len(rows), d.Round(time.Millisecond), float64(d.Microseconds())/float64(len(rows)))
	}
}

func run(file, ddl string, rows []row) (time.Duration, error) {
	c, err := sqlite3.Open(file)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;
CREATE TABLE entries (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL, location_id INTEGER NOT NULL, parent_id INTEGER,
 name TEXT NOT NULL, extension TEXT, kind INTEGER NOT NULL, size INTEGER NOT NULL DEFAULT 0, inode INTEGER,
 permissions INTEGER, created_at INTEGER, modified_at INTEGER NOT NULL, accessed_at INTEGER, content_id INTEGER,
 metadata_id INTEGER, path TEXT);` + ddl); err != nil {
		return 0, err
	}
	const per = 256
	ins := func(n int) (*sqlite3.Stmt, error) {
		st, _, err := c.Prepare(`INSERT INTO entries (id, uuid, location_id, parent_id, name, extension, kind, size, inode, permissions,
 modified_at, accessed_at, path) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, 1, ?, ?, ?, ?, ?, ?, 420, ?, ?, ?),", n), ","))
		return st, err
	}
	full, err := ins(per)
	if err != nil {
		return 0, err
	}
	defer full.Close()
	uuid := make([]byte, 16)
	start := time.Now()
	if err := c.Exec(`BEGIN`); err != nil {
		return 0, err
	}
	for i := 0; i < len(rows); i += per {
		n, st := min(per, len(rows)-i), full
		if n < per { // the last, shorter statement
			if st, err = ins(n); err != nil {
				return 0, err
			}
			defer st.Close()
		}
		for k, r := range rows[i : i+n] {
			b := k * 11
			st.BindInt64(b+1, r.id)
			st.BindBlob(b+2, uuid)
			if r.parent != 0 {
				st.BindInt64(b+3, r.parent)
			} else {
				st.BindNull(b + 3)
			}
			st.BindText(b+4, r.name)
			if r.ext != "" {
				st.BindText(b+5, r.ext)
			} else {
				st.BindNull(b + 5)
			}
			st.BindInt64(b+6, r.kind)
			st.BindInt64(b+7, r.size)
			st.BindInt64(b+8, r.id)
			st.BindInt64(b+9, r.mtime)
			st.BindInt64(b+10, r.mtime)
			if r.kind == 1 {
				st.BindText(b+11, r.path)
			} else {
				st.BindNull(b + 11)
			}
		}
		if err := st.Exec(); err != nil {
			return 0, err
		}
		if (i/per)%80 == 79 {
			if err := c.Exec(`COMMIT; BEGIN`); err != nil {
				return 0, err
			}
		}
	}
	if err := c.Exec(`COMMIT`); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
