package core_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// TestBulkInsert_MatchesTriggers checks migration 0004's contract: inside a transaction
// holding a bulk_insert row, entries from lo on may be inserted, moved, renamed, resized,
// given other content and deleted, older entries may move into the new directories and out
// of them, and after the catch-up statements the aggregates equal a recount and the FTS
// index matches the names (FTS5's integrity-check, with the content comparison). The indexer
// only inserts in its bulk transactions; this mixes in everything the contract allows.
func TestBulkInsert_MatchesTriggers(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 4, 600)
	db := g.db
	r := rand.New(rand.NewPCG(2026, 4))
	recountAggregates(t, db)

	ops := map[string]int{}
	for round := range 6 {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		rs := randomSQL{t, tx, r}
		ids, one, exec := rs.ids, rs.one, rs.exec
		var lo int64
		if err := tx.QueryRow(`SELECT max(id) + 1 FROM entries`).Scan(&lo); err != nil {
			t.Fatal(err)
		}
		if err := exec(`INSERT INTO bulk_insert (lo) VALUES (?)`, lo); err != nil {
			t.Fatal(err)
		}
		// New entries, below old and new directories alike.
		next := lo
		for i := range 120 {
			parent := one(ids(`SELECT id FROM entries WHERE kind = 1 AND location_id = ?`, g.locID))
			var parentPath string
			tx.QueryRow(`SELECT path FROM entries WHERE id = ?`, parent).Scan(&parentPath)
			name := fmt.Sprintf("bulk%d-%d %s", round, i, genName(r))
			kind := core.Kind(r.IntN(3))
			var size int64
			var path, content any
			switch kind {
			case core.KindDirectory:
				path = strings.TrimPrefix(parentPath+"/"+name, "/")
			case core.KindFile:
				size = r.Int64N(1 << 20)
				if c := one(ids(`SELECT id FROM content_identity`)); c != 0 && r.IntN(2) == 0 {
					content = c
					tx.QueryRow(`SELECT size_bytes FROM content_identity WHERE id = ?`, c).Scan(&size)
				}
			}
			if err := exec(`INSERT INTO entries (id, location_id, parent_id, name, kind, size, modified_at, content_id, path)
VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`, next, g.locID, parent, name, int(kind), size, content, path); err != nil {
				t.Fatalf("insert: %v", err)
			}
			next++
		}
		// Everything else the contract allows, on new and old entries.
		for i := range 150 {
			newFiles := ids(`SELECT id FROM entries WHERE id >= ? AND kind <> 1`, lo)
			oldFiles := ids(`SELECT id FROM entries WHERE id < ? AND kind <> 1 AND location_id = ?`, lo, g.locID)
			newDirs := ids(`SELECT id FROM entries WHERE id >= ? AND kind = 1`, lo)
			allDirs := ids(`SELECT id FROM entries WHERE kind = 1 AND location_id = ?`, g.locID)
			contents := ids(`SELECT id FROM content_identity`)
			var op string
			var err error
			switch r.IntN(9) {
			case 0:
				op = "old file into a new directory"
				err = exec(`UPDATE entries SET parent_id = ? WHERE id = ?`, one(newDirs), one(oldFiles))
			case 1:
				op = "new file into any directory"
				err = exec(`UPDATE entries SET parent_id = ? WHERE id = ?`, one(allDirs), one(newFiles))
			case 2:
				op = "rename"
				err = exec(`UPDATE entries SET name = name || '~' WHERE id = ?`, one(append(newFiles, oldFiles...)))
			case 3:
				op = "delete a new entry (a directory with its subtree)"
				e := one(ids(`SELECT id FROM entries WHERE id >= ?`, lo))
				err = exec(`DELETE FROM entries WHERE id = ?`, e)
			case 4:
				op = "delete an old file"
				err = exec(`DELETE FROM entries WHERE id = ?`, one(oldFiles))
			case 5:
				op = "resize"
				err = exec(`UPDATE entries SET size = ? WHERE id = ? AND kind = 0`, r.Int64N(1<<22), one(append(newFiles, oldFiles...)))
			case 6:
				op = "content"
				var c any
				if r.IntN(3) > 0 {
					c = one(contents)
				}
				err = exec(`UPDATE entries SET content_id = ? WHERE id = ? AND kind = 0`, c, one(append(newFiles, oldFiles...)))
			case 7:
				op = "kind"
				err = exec(`UPDATE entries SET kind = 2, content_id = NULL WHERE id = ? AND kind = 0`, one(newFiles))
			case 8:
				op = "move and resize"
				err = exec(`UPDATE entries SET parent_id = ?, size = size + 1 WHERE id = ? AND kind = 0`, one(allDirs), one(append(newFiles, oldFiles...)))
			}
			if err != nil && !strings.Contains(err.Error(), "UNIQUE") {
				t.Fatalf("round %d op %d %s: %v", round, i, op, err)
			}
			ops[op]++
		}
		for _, q := range core.BulkCatchUp() {
			var args []any
			if strings.Contains(q, "?1") {
				args = []any{lo}
			}
			if _, err := tx.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var left int
		tx.QueryRow(`SELECT count(*) FROM bulk_insert`).Scan(&left)
		if left != 0 {
			t.Fatalf("bulk_insert keeps %d rows after the catch-up", left)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		recountAggregates(t, db)
		if t.Failed() {
			t.Fatalf("after round %d", round)
		}
	}
	t.Logf("operations: %v", ops)
	checkClean(t, lib)
}

// checkClean runs Check and fails on every problem but contents left without entries: raw
// SQL in the random-change tests leaves those (orphan_content), and the API's and the
// indexer's clean-up is not under test there.
func checkClean(t *testing.T, lib *core.Library) {
	t.Helper()
	rep, err := lib.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if p.Check != core.CheckOrphanContent {
			t.Errorf("check: %+v", p)
		}
	}
}

// TestBulkCatchUp_Plans: every catch-up statement reads the transaction's entries by rowid
// range (and the new directories' children by parent), never a whole index or table: on a
// grown library the planner otherwise grouped through entries_content / entries_parent_name
// and read every entry at every commit.
func TestBulkCatchUp_Plans(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 9, 3000)
	if _, err := g.db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var lo int64
	g.db.QueryRow(`SELECT max(id) - 10 FROM entries`).Scan(&lo)
	for _, q := range core.BulkCatchUp() {
		if !strings.Contains(q, "?1") {
			continue
		}
		rows, err := g.db.Query(`EXPLAIN QUERY PLAN `+q, lo)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		for _, d := range plan {
			if !strings.Contains(d, " entries") || strings.Contains(d, "entries_fts") {
				continue
			}
			// (content_id=?): one content's names, for its file count (migration 0009).
			// rowid>? AND rowid<?: the range stops below other devices' ids (migration 0010).
			if !strings.Contains(d, "INTEGER PRIMARY KEY (rowid>? AND rowid<?)") && !strings.Contains(d, "(parent_id=?)") && !strings.Contains(d, "entries_content (content_id=?)") {
				t.Errorf("%s\nplan: %q", q, plan)
			}
		}
	}
}
