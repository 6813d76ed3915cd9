package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFind_ParamsHidden: hideParams rewrites every '?' of a find statement, so none may sit
// inside a string literal, and each must be one bound argument. Checked for every driver and
// arm of a query that sets every filter, on a first page and after a cursor.
func TestFind_ParamsHidden(t *testing.T) {
	ctx := context.Background()
	l, err := Open(filepath.Join(t.TempDir(), "lib"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	if _, err := l.Locations().Create(ctx, LocationInput{Path: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Tags().Create(ctx, TagInput{Name: "t?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Labels().Create(ctx, LabelInput{Name: "l?"}); err != nil {
		t.Fatal(err)
	}
	yes, k, n, now := true, KindFile, int64(2<<20), time.Now()
	q := FindQuery{Name: "a?b*", Text: "rep*", Extensions: []string{"pdf", "p?"}, Kind: &k, ContentKind: "image",
		MinSize: &n, MaxSize: &n, ModifiedAfter: &now, ModifiedBefore: &now, CreatedAfter: &now, CreatedBefore: &now,
		Tags: []string{"t?"}, Label: "l?", Favorite: &yes, Hidden: &yes, Under: dir}
	ds, f, err := l.compileFind(ctx, "test", q)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) < 10 || !quotedQuestionMark(`x = 'a?'`) || quotedQuestionMark(`x = ? AND y = 'a'`) {
		t.Fatalf("%d drivers; the literal check is broken", len(ds))
	}
	for _, d := range ds {
		for i, a := range d.arms {
			after := make([]any, len(a.types)+1)
			for j := range after {
				after[j] = int64(1)
			}
			for _, after := range [][]any{nil, after} {
				text, args := a.sql(f, after)
				text = a.selectKeys(text)
				if got := strings.Count(text, "?"); got != len(args)+1 { // + LIMIT
					t.Errorf("%s arm %d: %d '?' for %d arguments and the limit:\n%s", d.name, i, got, len(args), text)
				}
				if quotedQuestionMark(text) {
					t.Errorf("%s arm %d: a '?' inside a string literal:\n%s", d.name, i, text)
				}
			}
		}
	}
}

// quotedQuestionMark reports whether s has a '?' inside a '…' or "…" literal.
func quotedQuestionMark(s string) bool {
	var quote rune
	for _, r := range s {
		switch {
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0 && r == '?':
			return true
		}
	}
	return false
}

// TestForgetFTSSamples: after ANALYZE, Optimize and a reopen leave no STAT4 samples of the
// FTS5 shadow tables (optimize.go), and keep those of entries' indexes.
func TestForgetFTSSamples(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "lib")
	l, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := l.Locations().Create(ctx, LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if _, err := l.Entries().Create(ctx, EntryInput{ParentID: loc.RootID, Name: "report " + time.Duration(i).String()}); err != nil {
			t.Fatal(err)
		}
	}
	samples := func(l *Library) (fts, other int) {
		t.Helper()
		err := l.write.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE tbl GLOB 'entries_fts_*'), count(*) FILTER (WHERE tbl NOT GLOB 'entries_fts_*') FROM sqlite_stat4`).Scan(&fts, &other)
		if err != nil {
			t.Fatal(err)
		}
		return fts, other
	}
	analyze := func(l *Library) {
		t.Helper()
		if _, err := l.write.ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		if fts, _ := samples(l); fts == 0 {
			t.Fatal("ANALYZE made no FTS samples: the test proves nothing")
		}
	}
	analyze(l)
	if _, err := l.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if fts, other := samples(l); fts != 0 || other == 0 {
		t.Fatalf("after Optimize: %d FTS samples, %d others", fts, other)
	}
	analyze(l)
	if err := l.Close(); err != nil { // PRAGMA optimize, then forget
		t.Fatal(err)
	}
	if l, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if fts, other := samples(l); fts != 0 || other == 0 {
		t.Fatalf("after a reopen: %d FTS samples, %d others", fts, other)
	}
}
