package core_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/filedex/filedex/core"
)

// TestFind_NamesFromFTS_NeverMisses: name and extension searches are driven by the full-text
// index (migration 0006), whose matches must include every name the glob or extension can
// match; a name the tokenizer splits differently from the query would silently go missing.
// Names mix letters with diacritics and combining marks, letters SQLite's tokenizer may not
// know, separators, digits, case pairs whose lower case changes length, and invalid UTF-8;
// every name is searched by every prefix that ends at a character boundary, and by its
// extension. The model is plain Go: strings.HasPrefix and core.ExtensionOf.
func TestFind_NamesFromFTS_NeverMisses(t *testing.T) {
	lib := openTest(t)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{"a", "Z", "img", "IMG", "20", "7", "_", "-", ".", " ", "é", "É", "e\u0301", "ß", "İ", "ı",
		"日本", "😀", "ﬁ", "Ａ", "ǅ", "Ⅻ", "²", "\u00a0", "\ue000", "\u0301", "\xff", "\xc3", "pdf", "JPG", "tar", "gz",
		"\u2028", "ᏸ", "Ω", "K", "'", "(1)", "Ǆ", "ﬀ", "ⓐ", "\x80", "\xbf", "\x80\x80"}
	r := rand.New(rand.NewPCG(6, 6))
	names := map[string]bool{}
	for len(names) < 400 {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		if n := b.String(); core.ValidName(n) {
			names[n] = true
		}
	}
	ids := map[string]int64{}
	for n := range names {
		e, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: n, ModifiedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = e.ID
	}
	found := func(q core.FindQuery, id int64) (bool, string) {
		plan, err := lib.Entries().ExplainFind(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		after := ""
		for {
			es, next, err := lib.Entries().Find(ctx, q, core.Page{Limit: 1000, After: after})
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			for _, e := range es {
				if e.ID == id {
					return true, plan.Driver
				}
			}
			if next == "" {
				return false, plan.Driver
			}
			after = next
		}
	}
	indexed := 0
	for n, id := range ids {
		// Character boundaries as the glob sees them: an invalid byte is a character.
		var cuts []int
		for i := 0; i < len(n); {
			_, size := utf8.DecodeRuneInString(n[i:])
			i += size
			cuts = append(cuts, i)
		}
		for _, i := range cuts {
			q := core.FindQuery{Name: globQuote(n[:i]) + "*"}
			if i == len(n) {
				q.Name = globQuote(n) // exact
			}
			ok, driver := found(q, id)
			if !ok {
				t.Errorf("%q not found by %q (driver %s)", n, q.Name, driver)
			}
			if driver == "name" {
				indexed++
			}
		}
		if x := core.ExtensionOf(n); x != "" {
			q := core.FindQuery{Extensions: []string{x}}
			if ok, driver := found(q, id); !ok {
				t.Errorf("%q not found by extension %q (driver %s)", n, x, driver)
			}
		}
	}
	// The searches must have exercised the index, not only the scan that is always right.
	if indexed < 500 {
		t.Fatalf("only %d searches used the name driver", indexed)
	}
}

// globQuote makes s a glob matching only s.
func globQuote(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c == '*' || c == '?' || c == '[' {
			fmt.Fprintf(&b, "[%c]", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
