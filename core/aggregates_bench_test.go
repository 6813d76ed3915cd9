//go:build unix

package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

// Benchmarks of migration 0003: each new query beside the query it replaced, on the same
// library in the same run (the machine is shared: compare ratios, not absolute times), and
// the cost the aggregate triggers add to inserting entries.

func BenchmarkSubtreeStatsOld(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		db := benchRaw(b, bl)
		var loc, id int64
		var path string
		db.QueryRow(`SELECT location_id, id, path FROM entries WHERE path = 'big'`).Scan(&loc, &id, &path)
		lo, hi := oldRange(path)
		for b.Loop() {
			var s core.TreeStats
			if err := db.QueryRow(oldStatsQ, loc, lo, hi, id).Scan(&s.Files, &s.Dirs, &s.Symlinks, &s.Bytes); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUsageTree(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		for b.Loop() {
			if _, err := bl.lib.Usage().Tree(context.Background(), bl.big, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDuplicateGroupsOld(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		db := benchRaw(b, bl)
		for b.Loop() {
			rows, err := db.Query(oldDupGroupsQ, 0, -1)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n == 0 {
				b.Fatal("no groups")
			}
		}
	})
}

var benchRaws = map[*benchLib]*sql.DB{}

// benchRaw is a plain read connection to a bench library, kept for the process.
func benchRaw(b *testing.B, bl *benchLib) *sql.DB {
	benchMu.Lock()
	defer benchMu.Unlock()
	if db := benchRaws[bl]; db != nil {
		return db
	}
	db, err := driverOpenFTS(filepath.Join(bl.lib.Dir(), core.DatabaseFile))
	if err != nil {
		b.Fatal(err)
	}
	benchRaws[bl] = db
	return db
}

// BenchmarkInsertEntries inserts entries the way the indexer does (a prepared INSERT per
// row, 2000 rows a transaction: 5 % directories, files with a content, 10 % of them
// duplicates) into two libraries, one with the 0003 triggers and one without, alternating
// batch by batch so that both see the same machine load. It reports each side's cost per
// entry and their ratio.
func BenchmarkInsertEntries(b *testing.B) {
	type side struct {
		db       *sql.DB
		loc      int64
		next     int64
		dirs     []int64
		contents []int64
		r        *rand.Rand
		spent    time.Duration
		cpu      time.Duration
	}
	mk := func(withTriggers bool) *side {
		lib, err := core.Open(filepath.Join(b.TempDir(), "lib"), core.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { lib.Close() })
		loc, err := lib.Locations().Create(context.Background(), core.LocationInput{Path: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		db := openRaw(b, lib)
		// The writer's settings (WAL, no fsync per commit), not the raw connection's defaults.
		if _, err := db.Exec(`PRAGMA synchronous = NORMAL`); err != nil {
			b.Fatal(err)
		}
		if !withTriggers {
			// 0003's down script, triggers only: the aggregates' tables stay, unmaintained.
			for _, stmt := range strings.Split(migrations.All()[2].Down, ";") {
				if strings.Contains(stmt, "DROP TRIGGER") {
					if _, err := db.Exec(stmt); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		return &side{db: db, loc: loc.ID, next: loc.RootID + 1, dirs: []int64{loc.RootID}, r: rand.New(rand.NewPCG(1, 2))}
	}
	const batch = 2000
	insert := func(s *side) {
		start, cpu0 := time.Now(), processCPU()
		defer func() { s.spent += time.Since(start); s.cpu += processCPU() - cpu0 }()
		tx, err := s.db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		ins, _ := tx.Prepare(`INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at, content_id, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		insC, _ := tx.Prepare(`INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?, 0, ?, 0) ON CONFLICT DO NOTHING`)
		r := s.r
		for range batch {
			id := s.next
			s.next++
			parent := s.dirs[len(s.dirs)-1-r.IntN(min(len(s.dirs), 20))]
			if r.IntN(20) == 0 {
				p := fmt.Sprint("d", id)
				if _, err := ins.Exec(id, s.loc, parent, p, nil, 1, 0, 0, nil, p); err != nil {
					b.Fatal(err)
				}
				s.dirs = append(s.dirs, id)
				continue
			}
			size := 1 + r.Int64N(1<<20)
			var c int64
			if len(s.contents) > 0 && r.IntN(10) == 0 {
				c = s.contents[r.IntN(len(s.contents))]
			} else {
				c = int64(r.Uint64() >> 1)
				s.contents = append(s.contents, c)
				if _, err := insC.Exec(c, size); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := ins.Exec(id, s.loc, parent, fmt.Sprint("file", id, ".txt"), "txt", 0, size, 0, c, nil); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	with, without := mk(true), mk(false)
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			insert(with)
			insert(without)
		} else {
			insert(without)
			insert(with)
		}
		n++
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n*batch) }
	b.ReportMetric(per(with.spent), "ns/entry-triggers")
	b.ReportMetric(per(without.spent), "ns/entry-plain")
	b.ReportMetric(per(with.spent)/per(without.spent), "ratio")
	// CPU time of the process while each side ran (only one runs at a time): less
	// sensitive to the machine's load than wall time.
	b.ReportMetric(per(with.cpu), "cpu-ns/entry-triggers")
	b.ReportMetric(per(without.cpu), "cpu-ns/entry-plain")
	b.ReportMetric(per(with.cpu)/per(without.cpu), "cpu-ratio")
}

// processCPU is the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
