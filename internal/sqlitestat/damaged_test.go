package sqlitestat_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/internal/sqlitestat"
)

// smallDB writes a database of 512-byte pages whose table t is a b-tree of several levels,
// and returns its bytes and t's root page.
func smallDB(t testing.TB, dir string) ([]byte, uint32) { return sizedDB(t, dir, 3000) }

// sizedDB is smallDB with rows rows.
func sizedDB(t testing.TB, dir string, rows int) ([]byte, uint32) {
	t.Helper()
	path := filepath.Join(dir, "s.db")
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Exec(`PRAGMA page_size = 512; PRAGMA journal_mode = DELETE;
		CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
		CREATE INDEX t_v ON t(v);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ` + strconv.Itoa(rows) + `)
		INSERT INTO t SELECT i, printf('%040d', i) FROM n;`)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := c.Prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 't'`)
	if err != nil {
		t.Fatal(err)
	}
	st.Step()
	root := uint32(st.ColumnInt64(0))
	st.Close()
	c.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, root
}

func page(b []byte, pg uint32) []byte { return b[int(pg-1)*512 : int(pg)*512] }

func analyzeBytes(t *testing.T, b []byte) (*sqlitestat.Stats, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return sqlitestat.Analyze(path)
}

// TestAnalyze_CellOffsetOutOfPage: a cell pointer past the page panicked ("slice bounds
// out of range [61689:4096]" on a damaged library's stats).
func TestAnalyze_CellOffsetOutOfPage(t *testing.T) {
	b, root := smallDB(t, t.TempDir())
	p := page(b, root)
	if p[0] != 0x05 {
		t.Fatalf("root of t is page type %#x, want an interior page", p[0])
	}
	binary.BigEndian.PutUint16(p[12:], 61689) // the first cell pointer
	_, err := analyzeBytes(t, b)
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("damaged cell pointer: %v", err)
	}
}

// TestAnalyze_SharedChild: an interior page whose cells all point to one child. Walking
// it counted that subtree once per pointer; with such pages on several levels the walk
// ran for minutes. A page reached twice is damage.
func TestAnalyze_SharedChild(t *testing.T) {
	b, root := smallDB(t, t.TempDir())
	p := page(b, root)
	n := int(binary.BigEndian.Uint16(p[3:]))
	first := int(binary.BigEndian.Uint16(p[12:]))
	child := binary.BigEndian.Uint32(p[first:])
	for i := 0; i < n; i++ {
		c := int(binary.BigEndian.Uint16(p[12+2*i:]))
		binary.BigEndian.PutUint32(p[c:], child)
	}
	binary.BigEndian.PutUint32(p[8:], child)
	_, err := analyzeBytes(t, b)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("shared child: %v", err)
	}
}

// TestAnalyze_PageOutsideFile: a child page number past the end of the file.
func TestAnalyze_PageOutsideFile(t *testing.T) {
	b, root := smallDB(t, t.TempDir())
	p := page(b, root)
	binary.BigEndian.PutUint32(p[8:], 1<<30)
	_, err := analyzeBytes(t, b)
	if err == nil || !strings.Contains(err.Error(), "outside the file") {
		t.Fatalf("child page outside the file: %v", err)
	}
}

// TestAnalyzeContext_Cancelled: the walk honours its context.
func TestAnalyzeContext_Cancelled(t *testing.T) {
	dir := t.TempDir()
	smallDB(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sqlitestat.AnalyzeContext(ctx, filepath.Join(dir, "s.db")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled analysis: %v", err)
	}
}

// FuzzAnalyze feeds damaged database files to the walker: it must return (a result or an
// error), never panic, never loop. Seeds: a small valid database and the damages above.
//
// The seed is small (about 40 pages, two levels): the fuzzer's cost per execution grows
// with the input's size, and a 300 KiB seed ran a few executions a minute.
func FuzzAnalyze(f *testing.F) {
	b, root := sizedDB(f, f.TempDir(), 150)
	f.Add(b)
	for _, off := range []int{12, 8, 3} {
		d := append([]byte(nil), b...)
		binary.BigEndian.PutUint16(d[int(root-1)*512+off:], 0xffff)
		f.Add(d)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		path := filepath.Join(dir, "f.db")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sqlitestat.AnalyzeContext(ctx, path)
	})
}
