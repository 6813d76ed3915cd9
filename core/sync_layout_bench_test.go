package core_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
)

// BenchmarkSyncLayout compares where other devices' entries could live, for the two queries
// that span devices: a name search and the duplicate groups. "onedb": B's library holds A's
// entries as rows (what migration 0010 does). "attached": B's own database with A's
// database ATTACHed, each query a UNION ALL over both. A indexes /usr/share/doc (content)
// and /usr/share/man; B indexes /usr/share/doc (content): every file of B has a twin on A.
func BenchmarkSyncLayout(b *testing.B) {
	for _, p := range []string{"/usr/share/doc", "/usr/share/man"} {
		if _, err := os.Stat(p); err != nil {
			b.Skipf("no %s", p)
		}
	}
	ctx := context.Background()
	libs := joinedB(b, "A", "B")
	a, bl := libs[0], libs[1]
	if _, err := a.ScanPath(ctx, "/usr/share/doc", core.ModeContent, nil, core.ScanOptions{}); err != nil {
		b.Fatal(err)
	}
	if _, err := a.ScanPath(ctx, "/usr/share/man", core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		b.Fatal(err)
	}
	// B's own files, twice: in B's library (which then receives A's) and alone (attached layout).
	alone, err := core.Open(filepath.Join(b.TempDir(), "alone"), core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range []*core.Library{bl, alone} {
		if _, err := l.ScanPath(ctx, "/usr/share/doc", core.ModeContent, nil, core.ScanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	since := int64(0)
	for {
		ex, err := a.SyncExport(ctx, since, 500)
		if err != nil {
			b.Fatal(err)
		}
		if len(ex.Messages) == 0 {
			break
		}
		if _, err := bl.SyncApply(ctx, ex.Messages); err != nil {
			b.Fatal(err)
		}
		since = ex.Messages[len(ex.Messages)-1].Seq
	}
	aDB, bDB, aloneDB := filepath.Join(a.Dir(), core.DatabaseFile), filepath.Join(bl.Dir(), core.DatabaseFile), filepath.Join(alone.Dir(), core.DatabaseFile)
	a.Close()
	bl.Close()
	alone.Close()
	open := func(path string) *sql.DB {
		db, err := driver.Open("file:"+path+"?mode=ro", fts5.Register)
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.Cleanup(func() { db.Close() })
		return db
	}
	one := open(bDB)
	att := open(aloneDB)
	if _, err := att.Exec(`ATTACH ? AS a`, "file:"+aDB+"?mode=ro"); err != nil {
		b.Fatal(err)
	}
	queries := []struct{ name, onedb, attached string }{
		{"search", `SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'name:read*'`,
			`SELECT (SELECT count(*) FROM main.entries_fts WHERE entries_fts MATCH 'name:read*') + (SELECT count(*) FROM a.entries_fts WHERE entries_fts MATCH 'name:read*')`},
		{"dupes", `SELECT coalesce(sum(size_bytes * (entry_count - 1)), 0) FROM content_identity WHERE entry_count > 1`,
			`SELECT coalesce(sum(s * (n - 1)), 0) FROM (SELECT id, max(size_bytes) AS s, sum(entry_count) AS n FROM (SELECT id, size_bytes, entry_count FROM main.content_identity UNION ALL SELECT id, size_bytes, entry_count FROM a.content_identity) GROUP BY id) WHERE n > 1`},
	}
	for _, q := range queries {
		var r1, r2 [1]sql.NullInt64
		if err := one.QueryRow(q.onedb).Scan(&r1[0]); err != nil {
			b.Fatal(err)
		}
		if err := att.QueryRow(q.attached).Scan(&r2[0]); err != nil {
			b.Fatal(err)
		}
		if r1[0] != r2[0] || r1[0].Int64 == 0 {
			b.Fatalf("%s: onedb %v, attached %v", q.name, r1, r2)
		}
		for _, layout := range []struct {
			name string
			db   *sql.DB
			q    string
		}{{"onedb", one, q.onedb}, {"attached", att, q.attached}} {
			b.Run(q.name+"/"+layout.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					var n sql.NullInt64
					if err := layout.db.QueryRow(layout.q).Scan(&n); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(r1[0].Int64), "result")
			})
		}
	}
}
