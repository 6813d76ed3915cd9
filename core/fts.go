package core

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// ftsArm is a Find arm driven by the full-text index: expr's matches in id order, joined to
// their entries, where also holds.
func ftsArm(expr, where string, args ...any) findArm {
	return findArm{from: "FROM entries_fts f CROSS JOIN entries e ON e.id = f.rowid",
		where: "entries_fts MATCH ? AND " + where, args: append([]any{expr}, args...), id: "f.rowid"}
}

// ftsNamePrefix returns the FTS5 query whose matches include every name that starts with p:
// p's tokens as a phrase at the start of the name (^), its last token as a prefix (*). FTS5
// tokenizes the query as it tokenized the names, so the tokens agree wherever p ends; the
// prefix star keeps a last token that continues in the name (p = "IMG_20" in "IMG_2024").
//
// A multi-byte last character is left out: FTS5's decoder swallows the continuation bytes
// (0x80–0xBF) that follow a character's lead byte, so in a name that is not UTF-8 ("xé\x80")
// the bytes after p can turn p's last character into another one (found by review: "xé*"
// missed "xé\x80.txt"). Dropping it keeps the matches a superset. No earlier character is at
// risk: the bytes after it are p's own, and they begin with a lead or ASCII byte.
//
// ok is false when FTS5 might find no token in p (a phrase of no tokens matches nothing,
// which would lose every match): p must be valid UTF-8 (an invalid sequence decodes in ways
// the tokenizer does not promise to keep; it also breaks the argument above), have no NUL,
// and what is left of it must hold an ASCII letter or digit.
func ftsNamePrefix(p string) (string, bool) {
	if !utf8.ValidString(p) || strings.IndexByte(p, 0) >= 0 {
		return "", false
	}
	if r, n := utf8.DecodeLastRuneInString(p); r >= utf8.RuneSelf {
		p = p[:len(p)-n]
	}
	if !hasASCIIAlnum(p) {
		return "", false
	}
	return `^"` + strings.ReplaceAll(p, `"`, `""`) + `"*`, true
}

// ftsExtension returns the FTS5 phrase of an extension: a name "x.PDF" ends with the tokens
// of its extension "pdf", delimited by the dot and the end of the name. Only ASCII
// extensions qualify: entries.extension is Go's lower case of the name's suffix, and outside
// ASCII that need not fold to the tokens FTS5 makes of the suffix.
func ftsExtension(x string) (string, bool) {
	if !hasASCIIAlnum(x) || strings.IndexByte(x, 0) >= 0 {
		return "", false
	}
	for i := 0; i < len(x); i++ {
		if x[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return `"` + strings.ReplaceAll(x, `"`, `""`) + `"`, true
}

func hasASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}
