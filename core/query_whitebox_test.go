package core

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"
)

// TestQueryPlans_Internal runs EXPLAIN QUERY PLAN on the path, tag, label, duplicate and
// usage statements the core holds and fails on any full scan of entries. (Find's plans are
// checked from outside through ExplainFind.) ANALYZE runs first on a populated library so the
// planner sees realistic statistics rather than an empty table.
func TestQueryPlans_Internal(t *testing.T) {
	ctx := context.Background()
	l, err := Open(filepath.Join(t.TempDir(), "lib"), Options{Clock: FixedClock(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	loc, err := l.Locations().Create(ctx, LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// Enough rows for ANALYZE to say "entries is big, directories are few".
	err = l.update(ctx, "test", func(tx *sql.Tx) error {
		for i := int64(0); i < 2000; i++ {
			dir := ptr("d" + string(rune('a'+i%20)))
			r := EntryRow{LocationID: loc.ID, ParentID: loc.RootID, Name: "x" + time.Duration(i).String(), ModifiedAt: time.Unix(0, 0), Size: i << 12}
			if i < 20 {
				r.Kind, r.Path, r.Name = KindDirectory, dir, *dir
			}
			if _, err := insertEntry(ctx, tx, l, r); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := subtreeRange("da")
	for _, tc := range []struct {
		name string
		sql  string
		args []any
	}{
		{"list by name", listAllQ, []any{1, "", 10}},
		{"list dirs first: dirs", listDirsQ, []any{1, "", 10}},
		{"list dirs first: rest", listRestQ, []any{1, "", 10}},
		{"path", `SELECT e.name, e.parent_id IS NULL, p.path, l.path
FROM entries e JOIN locations l ON l.id = e.location_id LEFT JOIN entries p ON p.id = e.parent_id WHERE e.id = ?`, []any{5}},
		{"resolve dir+name", `SELECT c.id FROM entries d JOIN entries c ON c.parent_id = d.id AND c.name = (SELECT ?1)
WHERE d.location_id = (SELECT ?2) AND d.path = (SELECT ?3)`, []any{"x", 1, "da"}},
		{"subtree stats", subtreeStatsQ, []any{1, lo, hi, 2}},
		{"usage tree: direct sums", usageDirsQ, []any{1, lo, hi, 2}},
		{"location totals", `SELECT coalesce(sum(s.files), 0), coalesce(sum(s.bytes), 0) FROM entries d JOIN dir_stats s ON s.dir_id = d.id
   WHERE d.location_id = ?1 AND d.path IS NOT NULL`, []any{1}},
		{"duplicate totals", dupTotalsQ, []any{0, -1}},
		{"duplicate totals, filtered", dupTotalsQ, []any{1 << 20, 3}},
		{"duplicate page", dupPageQ, []any{0, -1, int64(1) << 62, 5, 100}},
		{"duplicate page, filtered", dupPageQ, []any{1 << 20, 3, int64(1) << 62, 5, 100}},
		{"duplicate groups under", dupGroupsUnderQ, []any{1, lo, hi, 2, 0, -1}},
		{"tag usage (seed's query)", `SELECT ` + tagCols + ` FROM tags t WHERE t.name > ? ORDER BY t.name LIMIT ?`, []any{"", 10}},
		{"entries by tag", selectEntries("INDEXED BY entries_metadata") + ` WHERE e.metadata_id IN (SELECT metadata_id FROM metadata_tag WHERE tag_id = ?) AND e.metadata_id IS NOT NULL`, []any{1}},
		{"label tree", labelTree + ` ORDER BY tree.path`, nil},
		{"large files by dir", `SELECT e.parent_id, sum(e.size), count(*) FROM entries e INDEXED BY entries_large WHERE e.size >= 1048576 AND e.size >= ? AND e.kind = 0 GROUP BY e.parent_id`, []any{100 << 20}},
		{"move: descendant dirs", `UPDATE entries SET path = ?1 || substr(CAST(path AS BLOB), ?2)
WHERE location_id = ?3 AND path >= ?4 AND path < ?5 AND path IS NOT NULL`, []any{"z", 3, 1, lo, hi}},
	} {
		lines, err := l.explainAny(ctx, tc.sql, tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if testing.Verbose() {
			t.Logf("%s:\n  %s", tc.name, strings.Join(lines, "\n  "))
		}
		for _, line := range lines {
			// "SCAN entries USING COVERING INDEX entries_content" is the duplicate plan: one
			// pass over the partial content index, grouped in index order — what this
			// query is designed around, proportional to identified files, not to the table.
			if strings.HasPrefix(line, "SCAN ") && strings.Contains(" "+line+" ", " entries ") || strings.HasPrefix(line, "SCAN e ") || line == "SCAN e" || strings.HasPrefix(line, "SCAN p") {
				if !strings.Contains(line, "COVERING INDEX entries_content") {
					t.Errorf("%s scans entries: %q\n%s", tc.name, line, strings.Join(lines, "\n"))
				}
			}
			// The aggregates of migration 0003 are read by key or by their partial index,
			// never whole.
			if strings.HasPrefix(line, "SCAN dir_stats") || strings.HasPrefix(line, "SCAN content_identity") && !strings.Contains(line, "INDEX content_dupes") {
				t.Errorf("%s scans an aggregate table: %q\n%s", tc.name, line, strings.Join(lines, "\n"))
			}
			if strings.Contains(line, "USE TEMP B-TREE FOR ORDER BY") && (strings.HasPrefix(tc.name, "list") || strings.HasPrefix(tc.name, "duplicate page")) {
				t.Errorf("%s sorts: %q", tc.name, line)
			}
		}
	}
}

// explainAny is explain on the writer for statements that write.
func (l *Library) explainAny(ctx context.Context, query string, args ...any) ([]string, error) {
	return explainOn(ctx, l.write, query, args...)
}

// FuzzGlob: compiling never panics; a compiled glob agrees with itself on the literal prefix
// and the extension it promises the index (a name it matches starts with the prefix and has
// that extension or is the bare ".ext"), on any bytes.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"*.pdf", "a.pdf"}, {"IMG_20??_*", "IMG_2024_1.jpg"}, {"[!a-z]*", "Zed"}, {"[]]x", "]x"},
		{"*.pdf", ".pdf"}, {"100%_\\*", "100%_\\abc"}, {"\xff*", "\xff\xfe"}, {"caf?", "caf\xc3\xa9"}, {"[a-", "x"}, {"[*]", "*"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		g, err := compileGlob(pattern)
		if err != nil {
			return
		}
		if !g.match(name) {
			return
		}
		if p := g.prefix(); !strings.HasPrefix(name, p) {
			t.Fatalf("%q matches %q but lacks its prefix %q", pattern, name, p)
		}
		if x, dot, ok := g.extension(); ok {
			if ExtensionOf(name) != x && name != dot {
				t.Fatalf("%q matches %q whose extension %q is not %q (dot name %q)", pattern, name, ExtensionOf(name), x, dot)
			}
		}
		if lit, ok := g.exact(); ok && lit != name {
			t.Fatalf("exact %q matched %q", lit, name)
		}
		if utf8.ValidString(pattern) && !strings.ContainsAny(pattern, "*?[") && name != pattern {
			t.Fatalf("literal %q matched %q", pattern, name)
		}
	})
}

// FuzzFTSExpr: whatever a user types, the MATCH expression is valid FTS5 (never a syntax
// error, i.e. never injected syntax) and every word is one quoted string.
func FuzzFTSExpr(f *testing.F) {
	for _, s := range []string{"holiday 2024", "rep*", `"unbalanced`, "NOT AND OR", "NEAR(a b)", "col:x", "^start", "a-b_c.d", "ÉTÉ", "**", "\xff\xfe", "a\"\"b*"} {
		f.Add(s)
	}
	c, err := sqlite3.Open(":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	if err := fts5.Register(c); err != nil {
		f.Fatal(err)
	}
	if err := c.Exec(`CREATE VIRTUAL TABLE t USING fts5(name, tokenize = 'unicode61 remove_diacritics 2'); INSERT INTO t VALUES ('holiday 2024'), ('a b c')`); err != nil {
		f.Fatal(err)
	}
	st, _, err := c.Prepare(`SELECT count(*) FROM t WHERE t MATCH ?`)
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	f.Fuzz(func(t *testing.T, text string) {
		expr, ok := ftsExpr(text)
		if !ok {
			return
		}
		st.Reset()
		st.BindText(1, expr)
		st.Step()
		if err := st.Err(); err != nil {
			t.Fatalf("%q → %q: %v", text, expr, err)
		}
	})
}

// TestFind_TextPlans pages through the same full-text search ranked (BM25) and, with the
// window forced small, in index order: both return every match exactly once.
func TestFind_TextPlans(t *testing.T) {
	ctx := context.Background()
	l, err := Open(filepath.Join(t.TempDir(), "lib"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	loc, err := l.Locations().Create(ctx, LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{}
	for i := range 23 {
		name := "report " + strings.Repeat("x ", i%4) + time.Duration(i).String()
		e, err := l.Entries().Create(ctx, EntryInput{ParentID: loc.RootID, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		want[e.ID] = true
		if _, err := l.Entries().Create(ctx, EntryInput{ParentID: loc.RootID, Name: "other " + name[7:]}); err != nil {
			t.Fatal(err)
		}
	}
	defer func(w int) { rankWindow = w }(rankWindow)
	for _, w := range []int{1000, 5} {
		rankWindow = w
		plan, err := l.Entries().ExplainFind(ctx, FindQuery{Text: "rep*"})
		if err != nil {
			t.Fatal(err)
		}
		if (w == 5) != (plan.Driver == "text-all") {
			t.Fatalf("window %d: driver %s", w, plan.Driver)
		}
		seen := map[int64]bool{}
		var last int64
		after := ""
		for {
			es, next, err := l.Entries().Find(ctx, FindQuery{Text: "rep*"}, Page{Limit: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if !want[e.ID] || seen[e.ID] {
					t.Fatalf("window %d: unexpected or repeated %d %q", w, e.ID, e.Name)
				}
				if w == 5 && e.ID < last {
					t.Fatalf("index order broken: %d after %d", e.ID, last)
				}
				seen[e.ID], last = true, e.ID
			}
			if next == "" {
				break
			}
			after = next
		}
		if len(seen) != len(want) {
			t.Fatalf("window %d: %d of %d", w, len(seen), len(want))
		}
	}
}

// FuzzFoldGlob: a case-insensitive glob matches whatever the case-sensitive one matches
// (without negated classes),
// ignores the case of ASCII letters, and every name it matches folds (as SQLite's lower()
// does) to something starting with the folded prefix the name driver's range uses.
func FuzzFoldGlob(f *testing.F) {
	for _, s := range [][2]string{{"*readme*", "README.md"}, {"IMG_*", "img_1.JPG"}, {"[a-c]x", "Bx"}, {"[!a-z]*", "Zed"},
		{"\xff*", "\xff\xfe"}, {"kel*", "\u212aelvin"}, {"é*", "É"}} {
		f.Add(s[0], s[1])
	}
	asciiLower := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	asciiSwap := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			switch {
			case 'A' <= c && c <= 'Z':
				b[i] = c + 'a' - 'A'
			case 'a' <= c && c <= 'z':
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		g, err := compileGlob(pattern)
		if err != nil {
			return
		}
		if foldsToItself(name) && foldString(name) != name {
			t.Fatalf("foldsToItself(%q), but it folds to %q", name, foldString(name))
		}
		fg, err := compileFoldGlob(pattern)
		if err != nil {
			t.Fatalf("%q compiles, but not case-insensitively: %v", pattern, err)
		}
		m := fg.matchName(name)
		// (A negated class excludes more when case is ignored: "[!a-z]" no longer takes "Z".)
		if g.match(name) && !m && !strings.Contains(pattern, "[!") && !strings.Contains(pattern, "[^") {
			t.Fatalf("%q matches %q, but not case-insensitively", pattern, name)
		}
		if m != fg.matchName(asciiSwap(name)) {
			t.Fatalf("case-insensitive %q: %q and %q disagree", pattern, name, asciiSwap(name))
		}
		if p := g.prefix(); m && p != "" && isASCII(p) && !strings.HasPrefix(asciiLower(name), asciiLower(p)) {
			t.Fatalf("case-insensitive %q matches %q, outside the range of its prefix %q", pattern, name, p)
		}
	})
}
