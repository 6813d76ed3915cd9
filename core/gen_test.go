package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
)

// A generated library: a random tree (fixed seed) written with bulk SQL, and the same tree
// as a Go model from which every test computes its expected answer independently of the
// queries under test.

type genEntry struct {
	id, parent int64
	name       string
	kind       core.Kind
	size       int64
	mtime      int64
	ctime      *int64
	content    int64 // 0: none
	ckind      int
	dirPath    string // directories only
	loc        int64
	metadata   bool
}

type genLib struct {
	lib     *core.Library
	locPath string
	locID   int64
	rootID  int64
	byID    map[int64]*genEntry
	all     []*genEntry
	db      *sql.DB // a second connection for bulk writes
}

// Names chosen to break naive SQL: LIKE wildcards, GLOB metacharacters, quotes, newlines,
// backslashes, invalid UTF-8, diacritics, hidden ".ext" files, upper-case extensions.
var nameParts = []string{
	"report", "holiday", "IMG_2024", "IMG_20", "100%", "a_b", "star*", "what?", "[x]", "]", "it's", `say "hi"`,
	"line\nbreak", `back\slash`, "\xff\xfe", "caf\xc3\xa9", "Été", "r\xe9sum\xe9", "rep", "Report", "notes", "%_%", "[!a]", "x-y.z",
}
var nameExts = []string{"", ".pdf", ".PDF", ".jpg", ".JPG", ".txt", ".tar.gz", ".", ".pdf.bak", ".md"}

func genName(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		return nameExts[1+r.IntN(len(nameExts)-1)] // ".pdf" alone: a hidden file, no extension
	case 1:
		return fmt.Sprintf("IMG_20%02d_%04d.jpg", r.IntN(30), r.IntN(10000))
	}
	n := nameParts[r.IntN(len(nameParts))]
	if r.IntN(3) == 0 {
		n += " " + nameParts[r.IntN(len(nameParts))]
	}
	if r.IntN(2) == 0 {
		n += fmt.Sprint(r.IntN(100))
	}
	return n + nameExts[r.IntN(len(nameExts))]
}

func openRaw(t testing.TB, lib *core.Library) *sql.DB {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(filepath.Join(lib.Dir(), core.DatabaseFile)),
		RawQuery: "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"}
	db, err := driver.Open(u.String(), fts5.Register)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// generate builds a tree of about n entries below a new location.
func generate(t testing.TB, lib *core.Library, seed uint64, n int) *genLib {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	g := &genLib{lib: lib, locPath: loc.Path, locID: loc.ID, rootID: loc.RootID, byID: map[int64]*genEntry{}, db: openRaw(t, lib)}
	root := &genEntry{id: loc.RootID, name: filepath.Base(loc.Path), kind: core.KindDirectory, loc: loc.ID}
	g.byID[root.id] = root
	g.all = append(g.all, root)

	r := rand.New(rand.NewPCG(seed, 7))
	tx, err := g.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	if err := tx.QueryRow(`SELECT max(id) + 1 FROM entries`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at, created_at, content_id, path)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	insC, err := tx.Prepare(`INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING`)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []*genEntry{root}
	used := map[string]bool{}
	var contents []*genEntry // earlier files, to share content with (duplicates)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for len(g.all) < n {
		// Prefer recent directories so the tree gets deep as well as wide.
		parent := dirs[len(dirs)-1-min(len(dirs)-1, r.IntN(1+len(dirs)/3+r.IntN(4)))]
		name := genName(r)
		key := fmt.Sprint(parent.id, "/", name)
		if used[key] || !core.ValidName(name) {
			continue
		}
		used[key] = true
		e := &genEntry{id: next, parent: parent.id, name: name, loc: loc.ID, mtime: base + r.Int64N(5*365*86400000)}
		next++
		if r.IntN(4) == 0 {
			c := base + r.Int64N(5*365*86400000)
			e.ctime = &c
		}
		switch k := r.IntN(20); {
		case k < 3:
			e.kind = core.KindDirectory
			e.dirPath = strings.TrimPrefix(parent.dirPath+"/"+name, "/")
		case k < 4:
			e.kind = core.KindSymlink
			e.size = int64(r.IntN(100))
		default:
			e.kind = core.KindFile
			switch r.IntN(10) {
			case 0:
				e.size = 0
			case 1, 2:
				e.size = 1<<20 + r.Int64N(50<<20)
			default:
				e.size = 1 + r.Int64N(100000)
			}
			if e.size > 0 && r.IntN(5) > 0 {
				if len(contents) > 0 && r.IntN(3) == 0 {
					o := contents[r.IntN(len(contents))]
					e.content, e.size, e.ckind = o.content, o.size, o.ckind
				} else {
					e.content, e.ckind = int64(r.Uint64()>>1)|1, r.IntN(5)
					contents = append(contents, e)
				}
			}
		}
		var ext, path, content, ctime any
		if e.kind != core.KindDirectory {
			if x := core.ExtensionOf(name); x != "" {
				ext = x
			}
		} else {
			path = e.dirPath
		}
		if e.content != 0 {
			content = e.content
			if _, err := insC.Exec(e.content, e.ckind, e.size); err != nil {
				t.Fatal(err)
			}
		}
		if e.ctime != nil {
			ctime = *e.ctime
		}
		if _, err := ins.Exec(e.id, loc.ID, e.parent, name, ext, int(e.kind), e.size, e.mtime, ctime, content, path); err != nil {
			t.Fatalf("insert %q: %v", name, err)
		}
		g.byID[e.id] = e
		g.all = append(g.all, e)
		if e.kind == core.KindDirectory {
			dirs = append(dirs, e)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return g
}

// absPath is the model's answer for an entry's path.
func (g *genLib) absPath(e *genEntry) string {
	if e.id == g.rootID {
		return g.locPath
	}
	p := g.byID[e.parent]
	if p.id == g.rootID {
		return g.locPath + "/" + e.name
	}
	return g.locPath + "/" + p.dirPath + "/" + e.name
}

// under reports whether e is strictly below directory d (model: walk up parent links).
func (g *genLib) under(e, d *genEntry) bool {
	for x := e; x.parent != 0; {
		x = g.byID[x.parent]
		if x == d {
			return true
		}
	}
	return false
}

// globMatch is the model's glob matcher: recursive over characters (a valid UTF-8 sequence,
// or one byte that is not part of one) — a different algorithm from the core's.
func globMatch(pat, name string) bool {
	return globRec(chars(pat), chars(name))
}

func chars(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		_, w := utf8.DecodeRuneInString(s[i:])
		out = append(out, s[i:i+w])
		i += w
	}
	return out
}

func globRec(p, s []string) bool {
	if len(p) == 0 {
		return len(s) == 0
	}
	switch p[0] {
	case "*":
		for i := 0; i <= len(s); i++ {
			if globRec(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case "?":
		return len(s) > 0 && globRec(p[1:], s[1:])
	case "[":
		// Class: find the closing bracket (a ']' right after '[' or '[!' is a member).
		i, neg := 1, false
		if i < len(p) && (p[i] == "!" || p[i] == "^") {
			neg, i = true, i+1
		}
		start := i
		for i < len(p) && (p[i] != "]" || i == start) {
			i++
		}
		if i >= len(p) || len(s) == 0 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(s[0])
		in := false
		for j := start; j < i; j++ {
			lo, _ := utf8.DecodeRuneInString(p[j])
			hi := lo
			if j+2 < i && p[j+1] == "-" {
				hi, _ = utf8.DecodeRuneInString(p[j+2])
				j += 2
			}
			if lo <= r && r <= hi {
				in = true
			}
		}
		return in != neg && globRec(p[i+1:], s[1:])
	}
	return len(s) > 0 && s[0] == p[0] && globRec(p[1:], s[1:])
}

// sqlRunner is a *sql.DB or a *sql.Tx: the random-change tests run their SQL on either.
type sqlRunner interface {
	Query(query string, args ...any) (*sql.Rows, error)
	Exec(query string, args ...any) (sql.Result, error)
}

// randomSQL holds what the random-change tests share: the ids a query returns, a random
// pick among them, and statements run on one database or transaction.
type randomSQL struct {
	t  testing.TB
	db sqlRunner
	r  *rand.Rand
}

func (s randomSQL) ids(q string, args ...any) []int64 {
	s.t.Helper()
	rows, err := s.db.Query(q, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// one returns a random element of xs, 0 if there is none.
func (s randomSQL) one(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[s.r.IntN(len(xs))]
}

func (s randomSQL) exec(q string, args ...any) error {
	_, err := s.db.Exec(q, args...)
	return err
}
