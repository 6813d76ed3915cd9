package sqlitestat_test

import (
	"path/filepath"
	"testing"

	"github.com/filedex/filedex/internal/sqlitestat"
	"github.com/ncruces/go-sqlite3"
)

func TestAnalyze(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Large values overflow their pages; the index and the rowid table use
	// both b-tree kinds; the WITHOUT ROWID table is an index b-tree.
	err = c.Exec(`
		CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, big BLOB);
		CREATE INDEX t_name ON t(name);
		CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000)
		INSERT INTO t SELECT i, 'name ' || i, CASE WHEN i % 100 = 0 THEN zeroblob(20000) ELSE NULL END FROM n;
		INSERT INTO w SELECT name || printf('%0500d', id), id FROM t;
		DELETE FROM t WHERE id % 7 = 0;`)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	st, err := sqlitestat.Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]sqlitestat.Object{}
	for _, o := range st.Objects {
		by[o.Name] = o
	}
	if o := by["t"]; o.Cells != 3000-3000/7 || o.Overflow == 0 {
		t.Errorf("t: %+v", o)
	}
	if o := by["t_name"]; o.Cells != 3000-3000/7 || o.Type != "index" {
		t.Errorf("t_name: %+v", o)
	}
	if o := by["w"]; o.Cells != 3000 || o.Overflow != 0 || o.Pages < 100 {
		t.Errorf("WITHOUT ROWID table: %+v", o)
	}
	if st.Freelist == 0 {
		t.Log("no free pages: accounting still checked")
	}
}
