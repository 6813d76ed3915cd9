package core

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/ncruces/go-sqlite3/driver"
)

// ftsExpr turns what a user typed into an FTS5 MATCH expression that means "every word,
// in any order", never anything else.
//
// The text is split on white space (and NUL). Each word becomes one double-quoted FTS5 string, its
// own double quotes doubled: inside quotes FTS5 operators (AND, OR, NOT, NEAR, column
// filters, parentheses, ^, +) are plain text, so user text can never change the query's
// structure. A word ending in '*' becomes a prefix query ("rep"*). FTS5 passes each string
// through the same tokenizer as the names, so "IMG_2024" is the phrase img 2024 (adjacent,
// in that order) and "Été" folds to ete. Words with no letter or digit would be empty phrases
// (an FTS5 error) and are dropped. ok is false when no word is left.
func ftsExpr(text string) (expr string, ok bool) {
	var b strings.Builder
	n := 0
	// NUL splits words too: SQLite would end the string there ("unterminated string").
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == 0 || unicode.IsSpace(r) }) {
		prefix := false
		for strings.HasSuffix(w, "*") {
			w = w[:len(w)-1]
			prefix = true
		}
		if !hasTokenChar(w) {
			continue
		}
		if n > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(w, `"`, `""`))
		b.WriteByte('"')
		if prefix {
			b.WriteByte('*')
		}
		n++
		if n == maxFTSWords {
			break
		}
	}
	return b.String(), n > 0
}

// maxFTSWords bounds the work one query can ask for.
const maxFTSWords = 32

// hasTokenChar reports whether s holds a character unicode61 keeps in a token (letters,
// digits, private use; combining marks count when diacritics are removed). A word made
// only of such separators tokenizes to nothing.
func hasTokenChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) {
			return true
		}
	}
	return false
}

// integrityCheckFresh runs PRAGMA integrity_check on a new read-only connection.
//
// Why not on a pooled reader: FTS5's integrity check (run by integrity_check for
// entries_fts) trusts state its connection cached while reading the index earlier; after
// another connection has since changed and merged the index, it reports "fts5: corruption
// found reading blob …" although the index is sound (the writer, and any new connection,
// find it intact; opening an FTS cursor first does not refresh it). A fresh connection has
// nothing cached. Measured cost: opening one connection, well under the check itself.
func (l *Library) integrityCheckFresh(ctx context.Context, max int) ([]string, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_pragma", "busy_timeout("+strconv.FormatInt(l.opts.BusyTimeout.Milliseconds(), 10)+")")
	db, err := driver.Open(sqliteURI(filepath.Join(l.dir, DatabaseFile), l.opts, q), initConn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return integrityCheck(ctx, db, max)
}
