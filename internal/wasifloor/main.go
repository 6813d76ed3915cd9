// Command wasifloor is a pure-SQLite probe: the same inserts and queries
// through ncruces/go-sqlite3 (filedex's SQLite), with none of filedex's code
// but the VFS choice, built natively and for wasip1. Run under each WASI
// runtime, its WASI/native ratio is the floor the toolchain sets (SQLite
// translated to Go, Go compiled to Wasm, the runtime's code and its WASI
// calls); filedex's own ratios are judged against it (benchmarks/RESULTS.md).
//
//	wasifloor DIR        # writes DIR/wasifloor.db, prints one JSON line of timings
//
// Rows are synthetic and deterministic (no tree walk: the file system is not
// what it measures): 100,000 entries-like rows in transactions of 10,000, one
// prepared INSERT a row, the indexes filedex's scans maintain (parent+name,
// extension); then 20,000 point lookups by parent and name, 300 aggregates
// by extension and 50 top-50-by-size queries.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/internal/wasivfs"
)

const (
	rows      = 100_000
	perTx     = 10_000
	dirs      = 2_000
	points    = 20_000
	aggs      = 300
	tops      = 50
	extension = 17 // distinct extensions
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wasifloor DIR")
		os.Exit(2)
	}
	res, err := run(filepath.Join(os.Args[1], "wasifloor.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasifloor:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

type result struct {
	InsertMS float64 `json:"insert_ms"`
	PointMS  float64 `json:"point_ms"`
	AggMS    float64 `json:"agg_ms"`
	TotalMS  float64 `json:"total_ms"`
	Check    int64   `json:"check"` // a sum over every answer: equal on every engine
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func name(i int) string { return fmt.Sprintf("file-%06d.%s", i, ext(i)) }
func ext(i int) string  { return fmt.Sprintf("e%02d", i%extension) }

func run(file string) (result, error) {
	var res result
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(file + suffix)
	}
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(file + suffix)
		}
	}()
	c, err := sqlite3.OpenFlags(wasivfs.URI(file, nil), sqlite3.OPEN_READWRITE|sqlite3.OPEN_CREATE|sqlite3.OPEN_URI)
	if err != nil {
		return res, err
	}
	defer c.Close()
	if err := c.Exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;
CREATE TABLE entries (id INTEGER PRIMARY KEY, parent_id INTEGER, name TEXT NOT NULL, extension TEXT, kind INTEGER NOT NULL,
 size INTEGER NOT NULL, modified_at INTEGER NOT NULL);
CREATE UNIQUE INDEX entries_parent_name ON entries(parent_id, name);
CREATE INDEX entries_ext ON entries(extension, size);`); err != nil {
		return res, err
	}
	start := time.Now()
	ins, _, err := c.Prepare(`INSERT INTO entries (id, parent_id, name, extension, kind, size, modified_at) VALUES (?, ?, ?, ?, 0, ?, ?)`)
	if err != nil {
		return res, err
	}
	for i := 0; i < rows; i++ {
		if i%perTx == 0 {
			if i > 0 {
				if err := c.Exec(`COMMIT`); err != nil {
					return res, err
				}
			}
			if err := c.Exec(`BEGIN IMMEDIATE`); err != nil {
				return res, err
			}
		}
		ins.BindInt64(1, int64(i+1))
		ins.BindInt64(2, int64(i%dirs))
		ins.BindText(3, name(i))
		ins.BindText(4, ext(i))
		ins.BindInt64(5, int64(i*7919%1_000_003))
		ins.BindInt64(6, 1_700_000_000_000+int64(i))
		if err := ins.Exec(); err != nil {
			return res, err
		}
	}
	if err := c.Exec(`COMMIT`); err != nil {
		return res, err
	}
	ins.Close()
	res.InsertMS = ms(time.Since(start))

	t := time.Now()
	pt, _, err := c.Prepare(`SELECT id, size FROM entries WHERE parent_id = ? AND name = ?`)
	if err != nil {
		return res, err
	}
	for k := 0; k < points; k++ {
		i := k * 4999 % rows
		pt.BindInt64(1, int64(i%dirs))
		pt.BindText(2, name(i))
		for pt.Step() {
			res.Check += pt.ColumnInt64(0) + pt.ColumnInt64(1)
		}
		if err := pt.Reset(); err != nil {
			return res, err
		}
	}
	pt.Close()
	res.PointMS = ms(time.Since(t))

	t = time.Now()
	ag, _, err := c.Prepare(`SELECT count(*), sum(size) FROM entries WHERE extension = ?`)
	if err != nil {
		return res, err
	}
	top, _, err := c.Prepare(`SELECT id, size FROM entries WHERE extension = ? ORDER BY size DESC LIMIT 50`)
	if err != nil {
		return res, err
	}
	for k := 0; k < aggs; k++ {
		ag.BindText(1, ext(k))
		for ag.Step() {
			res.Check += ag.ColumnInt64(0) + ag.ColumnInt64(1)
		}
		if err := ag.Reset(); err != nil {
			return res, err
		}
	}
	for k := 0; k < tops; k++ {
		top.BindText(1, ext(k))
		for top.Step() {
			res.Check += top.ColumnInt64(0)
		}
		if err := top.Reset(); err != nil {
			return res, err
		}
	}
	ag.Close()
	top.Close()
	res.AggMS = ms(time.Since(t))
	res.TotalMS = ms(time.Since(start))
	return res, nil
}
