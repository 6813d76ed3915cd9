package core_test

import (
	"cmp"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filedex/filedex/core"
)

// The aggregates of migration 0003 (dir_stats, content_identity.entry_count) are kept by
// triggers. These tests recount them independently, in Go, after random changes through the
// API, raw SQL (as the indexer writes) and real scans; and they compare the answers built on
// them with the queries they replaced, kept here as oracles.

// Oracles: the previous implementation's queries, which read every entry of a subtree.
const (
	// Hard links (migration 0009): names of one content with one inode are one file, whose
	// bytes count once; HardLinks is the number of names beyond the first.
	oldStatsQ = `SELECT count(*) FILTER (WHERE kind = 0), count(*) FILTER (WHERE kind = 1),
 count(*) FILTER (WHERE kind = 2),
 coalesce((SELECT sum(size) FROM (SELECT max(size) AS size FROM entries WHERE kind = 0 AND parent_id IN (` + oldSubtree + `)
   GROUP BY iif(inode > 0 AND content_id IS NOT NULL, content_id || '/' || inode, 'e' || id))), 0),
 count(*) FILTER (WHERE kind = 0) - (SELECT count(DISTINCT iif(inode > 0 AND content_id IS NOT NULL, content_id || '/' || inode, 'e' || id))
   FROM entries WHERE kind = 0 AND parent_id IN (` + oldSubtree + `))
FROM entries INDEXED BY entries_parent_name WHERE parent_id IN (` + oldSubtree + `)`
	oldSubtree    = `SELECT id FROM entries WHERE location_id = ?1 AND path >= ?2 AND path < ?3 AND path IS NOT NULL UNION ALL SELECT ?4`
	oldDupGroupsQ = `SELECT g.content_id, g.n, g.files, c.size_bytes FROM (
  SELECT content_id, count(*) AS n, count(DISTINCT iif(inode > 0, inode, -id)) AS files FROM entries INDEXED BY entries_content
  WHERE content_id IS NOT NULL GROUP BY content_id HAVING files > 1
) g JOIN content_identity c ON c.id = g.content_id
WHERE c.size_bytes >= ?1 AND (?2 < 0 OR c.kind = ?2)`
)

func oldRange(dir string) (string, any) {
	if dir == "" {
		return "\x01", []byte{}
	}
	return dir + "/", dir + "0"
}

// recountAggregates reads every entry and compares dir_stats and entry_count with a count
// made in Go.
func recountAggregates(t *testing.T, db *sql.DB) {
	t.Helper()
	type st struct{ files, dirs, symlinks, bytes int64 }
	want := map[int64]*st{}
	counts := map[int64]int64{}
	rows, err := db.Query(`SELECT id, parent_id, kind, size, content_id, coalesce(inode, 0) FROM entries`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, kind, size, inode int64
		parent, content       sql.NullInt64
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.parent, &r.kind, &r.size, &r.content, &r.inode); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
		if r.kind == 1 {
			want[r.id] = &st{}
		}
	}
	rows.Close()
	// file_count: the distinct inodes among a content's names (one device in these tests);
	// a name without an inode is a file of its own.
	files := map[int64]int64{}
	type link struct{ content, inode int64 }
	seenLink := map[link]bool{}
	for _, r := range all {
		if r.content.Valid {
			counts[r.content.Int64]++
			k := link{r.content.Int64, r.inode}
			if r.inode == 0 || !seenLink[k] {
				files[r.content.Int64]++
			}
			seenLink[k] = true
		}
		if !r.parent.Valid {
			continue
		}
		p := want[r.parent.Int64]
		if p == nil {
			t.Fatalf("entry %d: parent %d is not a directory", r.id, r.parent.Int64)
		}
		switch r.kind {
		case 0:
			p.files++
			p.bytes += r.size
		case 1:
			p.dirs++
		case 2:
			p.symlinks++
		}
	}
	got := map[int64]st{}
	rows, err = db.Query(`SELECT dir_id, files, dirs, symlinks, bytes FROM dir_stats`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var s st
		if err := rows.Scan(&id, &s.files, &s.dirs, &s.symlinks, &s.bytes); err != nil {
			t.Fatal(err)
		}
		got[id] = s
	}
	rows.Close()
	if len(got) != len(want) {
		t.Errorf("dir_stats has %d rows, %d directories exist", len(got), len(want))
	}
	bad := 0
	for id, w := range want {
		if g, ok := got[id]; !ok || g != *w {
			if bad++; bad <= 5 {
				t.Errorf("dir_stats %d = %+v (present %v), recount %+v", id, g, ok, *w)
			}
		}
	}
	rows, err = db.Query(`SELECT id, entry_count, file_count FROM content_identity`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n, nf int64
		if err := rows.Scan(&id, &n, &nf); err != nil {
			t.Fatal(err)
		}
		if n != counts[id] {
			if bad++; bad <= 10 {
				t.Errorf("content %016x: entry_count %d, recount %d", id, n, counts[id])
			}
		}
		if nf != files[id] {
			if bad++; bad <= 10 {
				t.Errorf("content %016x: file_count %d, recount %d", id, nf, files[id])
			}
		}
	}
}

// compareWithOracles checks Stats, Usage.Tree and Duplicates.Groups against the old queries.
func compareWithOracles(t *testing.T, lib *core.Library, db *sql.DB, r *rand.Rand) {
	t.Helper()
	type dir struct {
		id, loc int64
		path    string
	}
	var dirs []dir
	rows, err := db.Query(`SELECT id, location_id, path FROM entries WHERE path IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d dir
		if err := rows.Scan(&d.id, &d.loc, &d.path); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	rows.Close()
	oldStats := func(d dir) core.TreeStats {
		var s core.TreeStats
		lo, hi := oldRange(d.path)
		if err := db.QueryRow(oldStatsQ, d.loc, lo, hi, d.id).Scan(&s.Files, &s.Dirs, &s.Symlinks, &s.Bytes, &s.HardLinks); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Stats: every root, plus random directories.
	pick := []dir{}
	for _, d := range dirs {
		if d.path == "" || r.IntN(10) == 0 {
			pick = append(pick, d)
		}
	}
	for _, d := range pick {
		got, err := lib.Entries().Stats(ctx, d.id)
		if err != nil {
			t.Fatal(err)
		}
		if want := oldStats(d); got != want {
			t.Errorf("Stats(%d %q) = %+v, old query %+v", d.id, d.path, got, want)
		}
	}
	// Usage.Tree to depth 2 below a root: each row's sums are its subtree's.
	byID := map[int64]dir{}
	for _, d := range dirs {
		byID[d.id] = d
	}
	for _, d := range pick[:min(3, len(pick))] {
		p, err := lib.Entries().Path(ctx, d.id)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := lib.Usage().Tree(ctx, p, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range tree {
			want := oldStats(byID[u.ID])
			if u.Bytes != want.Bytes || u.Files != want.Files || u.Dirs != want.Dirs {
				t.Errorf("Usage.Tree %q = %d B/%d files/%d dirs, old query %+v", u.Path, u.Bytes, u.Files, u.Dirs, want)
			}
		}
	}
	// Duplicates, all pages, with and without filters.
	for _, q := range []core.DupesQuery{{}, {MinSize: 50_000}, {ContentKind: core.ContentKinds()[2]}} {
		kind := -1
		if q.ContentKind != "" {
			kind, _ = core.ContentKindCode(q.ContentKind)
		}
		type grp struct{ content, n, files, size int64 }
		var want []grp
		var wantWasted int64
		rows, err := db.Query(oldDupGroupsQ, q.MinSize, kind)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var g grp
			if err := rows.Scan(&g.content, &g.n, &g.files, &g.size); err != nil {
				t.Fatal(err)
			}
			want = append(want, g)
			wantWasted += g.size * (g.files - 1)
		}
		rows.Close()
		w := func(g grp) int64 { return g.size * (g.files - 1) }
		slices.SortFunc(want, func(a, b grp) int { return cmp.Or(cmp.Compare(w(b), w(a)), cmp.Compare(a.content, b.content)) })
		var got []string
		p := core.Page{Limit: 7}
		for {
			res, err := lib.Duplicates().Groups(ctx, q, p)
			if err != nil {
				t.Fatal(err)
			}
			if res.TotalGroups != int64(len(want)) || res.TotalWastedBytes != wantWasted {
				t.Fatalf("%+v: totals %d groups/%d B, old query %d/%d", q, res.TotalGroups, res.TotalWastedBytes, len(want), wantWasted)
			}
			for _, g := range res.Groups {
				if int64(len(g.IDs)) != g.Count {
					t.Errorf("group %s: count %d, %d members", g.CasID, g.Count, len(g.IDs))
				}
				got = append(got, fmt.Sprint(g.CasID, g.Count, g.Size))
			}
			if res.Next == "" {
				break
			}
			p.After = res.Next
		}
		var wantS []string
		for _, g := range want {
			wantS = append(wantS, fmt.Sprint(core.CasIDString(g.content), g.n, g.size))
		}
		if strings.Join(got, "\n") != strings.Join(wantS, "\n") {
			t.Errorf("%+v: groups\n%v\nold query\n%v", q, got, wantS)
		}
	}
}

// TestAggregates_RandomChanges: random inserts, deletes, moves, renames, resizes, content
// and kind changes (fixed seed) keep the aggregates equal to a recount, and the answers equal
// to the old queries'.
func TestAggregates_RandomChanges(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 11, 1500)
	db := g.db
	r := rand.New(rand.NewPCG(2026, 11))
	recountAggregates(t, db)
	compareWithOracles(t, lib, db, r)

	rs := randomSQL{t, db, r}
	ids, one, exec := rs.ids, rs.one, rs.exec
	var ops = map[string]int{}
	for i := range 400 {
		dirs := ids(`SELECT id FROM entries WHERE kind = 1`)
		files := ids(`SELECT id FROM entries WHERE kind = 0`)
		contents := ids(`SELECT id FROM content_identity`)
		var op string
		var err error
		switch k := r.IntN(11); k {
		case 0, 1: // insert through the API
			op = "insert"
			in := core.EntryInput{ParentID: one(dirs), Name: fmt.Sprint("new", i, genName(r)), Kind: core.Kind(r.IntN(3)), Size: r.Int64N(1 << 21)}
			if in.Kind != core.KindFile {
				in.Size = 0
			} else if r.IntN(2) == 0 && len(contents) > 0 {
				var size int64
				c := one(contents)
				db.QueryRow(`SELECT size_bytes FROM content_identity WHERE id = ?`, c).Scan(&size)
				in.CasID, in.Size = core.CasIDString(c), size
			}
			if !core.ValidName(in.Name) {
				continue
			}
			_, err = lib.Entries().Create(ctx, in)
		case 2: // delete a file, a symlink or a whole subtree through the API
			op = "delete"
			e := one(ids(`SELECT id FROM entries WHERE parent_id IS NOT NULL`))
			err = lib.Entries().Delete(ctx, e)
		case 3: // move a file or symlink to another directory (as the indexer's finalize does)
			op = "move file"
			err = exec(`UPDATE entries SET parent_id = ? WHERE id = ?`, one(dirs), one(ids(`SELECT id FROM entries WHERE kind <> 1`)))
		case 4: // move a directory, with its descendants' paths (as Entries.Move does)
			op = "move dir"
			err = moveDirSQL(db, one(ids(`SELECT id FROM entries WHERE kind = 1 AND parent_id IS NOT NULL`)), one(dirs))
		case 5: // rename (changes no aggregate)
			op = "rename"
			err = exec(`UPDATE entries SET name = name || '~' WHERE id = ? AND kind <> 1`, one(files))
		case 6: // resize in place, as a rescan does (size and content together)
			op = "resize"
			err = exec(`UPDATE entries SET size = ?, inode = 1, content_id = content_id WHERE id = ?`, r.Int64N(1<<22), one(files))
		case 7: // content changes: another content, none, or the same (a no-op update)
			op = "content"
			var c any
			switch r.IntN(3) {
			case 0:
				c = one(contents)
			case 1:
				c = nil
			default:
				f := one(files)
				err = exec(`UPDATE entries SET content_id = content_id, size = size WHERE id = ?`, f)
			}
			if err == nil {
				err = exec(`UPDATE entries SET content_id = ? WHERE id = ?`, c, one(files))
			}
		case 8: // a file becomes a symlink (kind change) and back
			op = "kind"
			f := one(files)
			if err = exec(`UPDATE entries SET kind = 2, content_id = NULL WHERE id = ?`, f); err == nil && r.IntN(2) == 0 {
				err = exec(`UPDATE entries SET kind = 0, size = size + 1 WHERE id = ?`, f)
			}
		case 9: // a move and a resize in one statement
			op = "move+resize"
			err = exec(`UPDATE entries SET parent_id = ?, size = size * 2 WHERE id = ?`, one(dirs), one(files))
		case 10: // a hard link: a file takes another's content, size and inode (as a rescan
			// records a name that became a link), or a link is broken (a new inode)
			op = "hard link"
			a, b := one(files), one(files)
			if r.IntN(4) == 0 {
				err = exec(`UPDATE entries SET inode = 7000000 + id WHERE id = ?`, b)
				break
			}
			if err = exec(`UPDATE entries SET inode = coalesce(inode, 6000000 + id) WHERE id = ? AND content_id IS NOT NULL`, a); err == nil {
				err = exec(`UPDATE entries SET (content_id, size, inode) = (SELECT content_id, size, inode FROM entries WHERE id = ?1) WHERE id = ?2
 AND (SELECT content_id FROM entries WHERE id = ?1) IS NOT NULL`, a, b)
			}
		}
		if err != nil && !strings.Contains(err.Error(), "UNIQUE") {
			t.Fatalf("op %d %s: %v", i, op, err)
		}
		ops[op]++
		if i%100 == 99 {
			recountAggregates(t, db)
			compareWithOracles(t, lib, db, r)
			if t.Failed() {
				t.Fatalf("after op %d", i)
			}
		}
	}
	t.Logf("operations: %v", ops)
	checkClean(t, lib)
}

// moveDirSQL moves directory id below newParent with the statements Entries.Move uses,
// refusing a move into its own subtree.
func moveDirSQL(db *sql.DB, id, newParent int64) error {
	var loc int64
	var old, parentPath, name string
	if err := db.QueryRow(`SELECT location_id, path, name FROM entries WHERE id = ?`, id).Scan(&loc, &old, &name); err != nil {
		return err
	}
	var ploc int64
	if err := db.QueryRow(`SELECT location_id, path FROM entries WHERE id = ?`, newParent).Scan(&ploc, &parentPath); err != nil {
		return err
	}
	if ploc != loc || parentPath == old || strings.HasPrefix(parentPath, old+"/") {
		return nil
	}
	newPath := strings.TrimPrefix(parentPath+"/"+name, "/")
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE entries SET parent_id = ?, path = ? WHERE id = ?`, newParent, newPath, id); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE entries SET path = ?1 || substr(CAST(path AS BLOB), ?2)
WHERE location_id = ?3 AND path >= ?4 AND path < ?5 AND path IS NOT NULL`, newPath, len(old)+1, loc, old+"/", old+"0"); err != nil {
		return err
	}
	return tx.Commit()
}

// TestAggregates_Scans: real scans (content mode, so contents and duplicates exist) of a tree
// changed on disk between scans — files added, removed, resized, renamed, moved, directories
// moved and removed — leave the aggregates equal to a recount and Check clean.
func TestAggregates_Scans(t *testing.T) {
	lib := openTest(t)
	root := t.TempDir()
	r := rand.New(rand.NewPCG(7, 2026))
	payload := func() []byte {
		if r.IntN(3) == 0 {
			// Duplicates across the tree: a few shared contents of different sizes.
			return []byte(strings.Repeat("same content ", 1+r.IntN(6)))
		}
		b := make([]byte, 1+r.IntN(5000))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	var dirs []string
	var files []string
	mk := func() {
		d := root
		if len(dirs) > 0 && r.IntN(4) > 0 {
			d = dirs[r.IntN(len(dirs))]
		}
		if r.IntN(5) == 0 {
			p := filepath.Join(d, fmt.Sprint("d", r.IntN(1000)))
			if os.Mkdir(p, 0o755) == nil {
				dirs = append(dirs, p)
			}
			return
		}
		p := filepath.Join(d, fmt.Sprint("f", r.IntN(10000), ".bin"))
		if os.WriteFile(p, payload(), 0o644) == nil {
			files = append(files, p)
		}
	}
	for range 300 {
		mk()
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root, Mode: core.ModeContent})
	if err != nil {
		t.Fatal(err)
	}
	db := openRaw(t, lib)
	for round := range 4 {
		if _, err := lib.Scan(ctx, loc.ID, core.ScanOptions{}); err != nil {
			t.Fatalf("scan %d: %v", round, err)
		}
		var n, groups int
		db.QueryRow(`SELECT count(*), (SELECT count(*) FROM content_identity WHERE entry_count > 1) FROM entries`).Scan(&n, &groups)
		t.Logf("round %d: %d entries, %d duplicate groups", round, n, groups)
		recountAggregates(t, db)
		compareWithOracles(t, lib, db, r)
		rep, err := lib.Check(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("round %d: check %+v %v", round, rep, err)
		}
		// Change the tree on disk.
		for range 60 {
			switch k := r.IntN(7); {
			case k < 2:
				mk()
			case k == 2 && len(files) > 0: // remove
				os.Remove(files[r.IntN(len(files))])
			case k == 3 && len(files) > 0: // rewrite (new size and content)
				os.WriteFile(files[r.IntN(len(files))], payload(), 0o644)
			case k == 4 && len(files) > 0 && len(dirs) > 0: // move a file
				f := files[r.IntN(len(files))]
				dst := filepath.Join(dirs[r.IntN(len(dirs))], fmt.Sprint("m", r.IntN(10000), ".bin"))
				if os.Rename(f, dst) == nil {
					files = append(files, dst)
				}
			case k == 5 && len(dirs) > 1: // move a directory (not into itself)
				d, to := dirs[r.IntN(len(dirs))], dirs[r.IntN(len(dirs))]
				if !strings.HasPrefix(to+"/", d+"/") {
					dst := filepath.Join(to, fmt.Sprint("md", r.IntN(1000)))
					if os.Rename(d, dst) == nil {
						dirs = append(dirs, dst)
					}
				}
			case k == 6 && len(dirs) > 0 && r.IntN(3) == 0: // remove a directory tree
				os.RemoveAll(dirs[r.IntN(len(dirs))])
			}
		}
		// Forget paths that no longer exist.
		keep := func(ps []string) []string {
			return slices.DeleteFunc(ps, func(p string) bool { _, err := os.Lstat(p); return err != nil })
		}
		files, dirs = keep(files), keep(dirs)
	}
}
