package core_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/filedex/filedex/core"
)

// userState is the model of what the test applied through the metadata APIs.
type userState struct {
	tags      map[int64]map[string]bool
	labels    map[int64]map[string]bool // the label names directly applied
	favorite  map[int64]bool
	hidden    map[int64]bool
	labelTree map[string]string // label -> parent ("" at the top)
}

func (u *userState) hasLabelBelow(id int64, label string) bool {
	for l := range u.labels[id] {
		for x := l; x != ""; x = u.labelTree[x] {
			if x == label {
				return true
			}
		}
	}
	return false
}

// decorate applies tags, labels and flags to random entries, through the API.
func decorate(t *testing.T, g *genLib, seed uint64) *userState {
	ctx := context.Background()
	u := &userState{tags: map[int64]map[string]bool{}, labels: map[int64]map[string]bool{},
		favorite: map[int64]bool{}, hidden: map[int64]bool{},
		labelTree: map[string]string{"Work": "", "Clients": "Work", "Acme": "Clients", "Home": ""}}
	r := rand.New(rand.NewPCG(seed, 99))
	tagIDs := map[string]int64{}
	for _, n := range []string{"red", "blue", "unused"} {
		tg, err := g.lib.Tags().Create(ctx, core.TagInput{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		tagIDs[n] = tg.ID
	}
	labelIDs := map[string]int64{}
	for _, n := range []string{"Work", "Clients", "Acme", "Home"} {
		lb, err := g.lib.Labels().Create(ctx, core.LabelInput{Name: n, Parent: labelIDs[u.labelTree[n]]})
		if err != nil {
			t.Fatal(err)
		}
		labelIDs[n] = lb.ID
	}
	for _, e := range g.all[1:] {
		if r.IntN(8) != 0 {
			continue
		}
		for _, n := range []string{"red", "blue"} {
			if r.IntN(2) == 0 {
				if _, err := g.lib.Tags().Apply(ctx, tagIDs[n], e.id); err != nil {
					t.Fatal(err)
				}
				if u.tags[e.id] == nil {
					u.tags[e.id] = map[string]bool{}
				}
				u.tags[e.id][n] = true
			}
		}
		if r.IntN(2) == 0 {
			n := []string{"Work", "Clients", "Acme", "Home"}[r.IntN(4)]
			if _, err := g.lib.Labels().Apply(ctx, labelIDs[n], e.id); err != nil {
				t.Fatal(err)
			}
			u.labels[e.id] = map[string]bool{n: true}
		}
		fav, hid := r.IntN(3) == 0, r.IntN(4) == 0
		if fav || hid {
			if _, err := g.lib.Metadata().Set(ctx, e.id, core.MetadataUpdate{Favorite: &fav, Hidden: &hid}); err != nil {
				t.Fatal(err)
			}
			u.favorite[e.id], u.hidden[e.id] = fav, hid
		}
	}
	return u
}

// oracle answers a FindQuery from the model.
func (g *genLib) oracle(u *userState, q core.FindQuery) []int64 {
	var under *genEntry
	if q.Under != "" {
		for _, e := range g.all {
			if e.kind == core.KindDirectory && g.absPath(e) == q.Under {
				under = e
			}
		}
	}
	var out []int64
	for _, e := range g.all {
		ok := true
		check := func(c bool) { ok = ok && c }
		if q.Name != "" && q.IgnoreCase {
			check(globMatch(foldForTest(q.Name), foldForTest(e.name)))
		} else if q.Name != "" {
			check(globMatch(q.Name, e.name))
		}
		if len(q.Extensions) > 0 {
			x := ""
			if e.kind != core.KindDirectory {
				x = core.ExtensionOf(e.name)
			}
			found := false
			for _, w := range q.Extensions {
				found = found || (x != "" && x == strings.ToLower(strings.TrimPrefix(w, ".")))
			}
			check(found)
		}
		if q.Kind != nil {
			check(e.kind == *q.Kind)
		}
		if q.ContentKind != "" {
			check(e.content != 0 && core.ContentKinds()[e.ckind] == q.ContentKind)
		}
		if q.MinSize != nil {
			check(e.size >= *q.MinSize)
		}
		if q.MaxSize != nil {
			check(e.size <= *q.MaxSize)
		}
		if q.ModifiedAfter != nil {
			check(e.mtime >= q.ModifiedAfter.UnixMilli())
		}
		if q.ModifiedBefore != nil {
			check(e.mtime < q.ModifiedBefore.UnixMilli())
		}
		if q.CreatedAfter != nil {
			check(e.ctime != nil && *e.ctime >= q.CreatedAfter.UnixMilli())
		}
		if q.CreatedBefore != nil {
			check(e.ctime != nil && *e.ctime < q.CreatedBefore.UnixMilli())
		}
		for _, tg := range q.Tags {
			check(u.tags[e.id][tg])
		}
		if q.Label != "" {
			check(u.hasLabelBelow(e.id, q.Label[strings.LastIndexByte(q.Label, '/')+1:]))
		}
		if q.Favorite != nil {
			check(u.favorite[e.id] == *q.Favorite)
		}
		if q.Hidden != nil {
			check(u.hidden[e.id] == *q.Hidden)
		}
		if q.Under != "" {
			check(under != nil && g.under(e, under))
		}
		if ok {
			out = append(out, e.id)
		}
	}
	return out
}

// findAll pages through a search with a small page size and checks pages never repeat.
func findAll(t *testing.T, lib *core.Library, q core.FindQuery, limit int) []int64 {
	t.Helper()
	var ids []int64
	seen := map[int64]bool{}
	after := ""
	for range 100000 {
		es, next, err := lib.Entries().Find(context.Background(), q, core.Page{Limit: limit, After: after})
		if err != nil {
			t.Fatalf("find %+v: %v", q, err)
		}
		if next != "" && len(es) != limit {
			t.Fatalf("short page (%d of %d) with a next cursor", len(es), limit)
		}
		for _, e := range es {
			if seen[e.ID] {
				t.Fatalf("entry %d returned twice", e.ID)
			}
			seen[e.ID] = true
			ids = append(ids, e.ID)
		}
		if next == "" {
			return ids
		}
		after = next
	}
	t.Fatal("too many pages")
	return nil
}

func ptrTo[T any](v T) *T { return &v }

// foldForTest lower-cases what FindQuery.IgnoreCase ignores the case of: every character
// whose lower case is not ASCII unless it is ASCII itself (the Kelvin sign stays).
func foldForTest(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); r == utf8.RuneError && w == 1 {
			b.WriteByte(s[i]) // not UTF-8: no case
		} else if r < 0x80 || l >= 0x80 {
			b.WriteRune(l)
		} else {
			b.WriteRune(r)
		}
		i += w
	}
	return b.String()
}

func genQueries(g *genLib) []core.FindQuery {
	dir := core.KindDirectory
	file := core.KindFile
	t1 := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	// Two directories of the model to search under: a deep one and a shallow one.
	var deep, shallow string
	for _, e := range g.all {
		if e.kind == core.KindDirectory && e.id != g.rootID {
			if shallow == "" {
				shallow = g.absPath(e)
			}
			if strings.Count(e.dirPath, "/") >= 1 && deep == "" {
				deep = g.absPath(e)
			}
		}
	}
	if deep == "" {
		deep = shallow
	}
	qs := []core.FindQuery{
		{},
		{Name: "*.pdf"}, {Name: "*.PDF"}, {Name: "*.jpg"}, {Name: "IMG_20??_*"}, {Name: "IMG_20*"}, {Name: "100%*"},
		{Name: "a_b*"}, {Name: "*%_%*"}, {Name: "%_%*"}, {Name: "[[]x]*"}, {Name: "star[*]*"}, {Name: "what[?]*"},
		{Name: "*\n*"}, {Name: `back\slash*`}, {Name: "\xff*"}, {Name: "caf?*"}, {Name: "r?sum?*"}, {Name: ".pdf"},
		{Name: "*.tar.gz"}, {Name: "*it's*"}, {Name: `say "hi"*`}, {Name: "[!a-z]*"}, {Name: "report"}, {Name: "*.pdf.bak"},
		{Name: "]*"}, {Name: "*[.]"}, {Name: "?"}, {Name: "*"}, {Name: "Été*"}, {Name: "*\xfe*"}, {Name: "[]]*"},
		{Extensions: []string{"pdf"}}, {Extensions: []string{".JPG", "txt"}}, {Extensions: []string{"gz"}, Name: "*.tar.gz"},
		{Extensions: []string{"jpg"}, Name: "*.pdf"}, {Extensions: []string{"pdf"}, Name: "*.PDF"},
		{Kind: &dir}, {Kind: &dir, Name: "rep*"}, {Kind: &file, Name: "Report*"},
		{MinSize: ptrTo[int64](2 << 20)}, {MinSize: ptrTo[int64](2 << 20), MaxSize: ptrTo[int64](10 << 20), Extensions: []string{"jpg"}},
		{MinSize: ptrTo[int64](1000), MaxSize: ptrTo[int64](5000), Name: "rep*"},
		{ModifiedAfter: &t1, ModifiedBefore: &t2}, {CreatedAfter: &t1, Name: "*.md"}, {CreatedBefore: &t2},
		{Under: shallow}, {Under: deep}, {Under: deep, Name: "*.pdf"}, {Under: g.locPath, Extensions: []string{"pdf"}},
		{ContentKind: "image"}, {ContentKind: "image", MinSize: ptrTo[int64](1 << 20)}, {ContentKind: "unknown", Name: "IMG*"},
		{Tags: []string{"red"}}, {Tags: []string{"red", "blue"}}, {Tags: []string{"unused"}}, {Tags: []string{"blue"}, Name: "*.pdf"},
		{Label: "Work"}, {Label: "Clients"}, {Label: "Work/Clients/Acme"}, {Label: "Home", Favorite: ptrTo(true)},
		{Favorite: ptrTo(true)}, {Favorite: ptrTo(false), Name: "rep*"}, {Hidden: ptrTo(true)}, {Hidden: ptrTo(false), Extensions: []string{"md"}},
		{Under: shallow, Kind: &dir, Tags: []string{"red"}, Favorite: ptrTo(false)},
		{Name: "report*", IgnoreCase: true}, {Name: "*.PDF", IgnoreCase: true}, {Name: "img_20??_*", IgnoreCase: true},
		{Name: "*REP*", IgnoreCase: true}, {Name: "été*", IgnoreCase: true}, {Name: ".PDF", IgnoreCase: true},
		{Name: "REPORT", IgnoreCase: true, Kind: &dir}, {Name: "*.JPG", IgnoreCase: true, Extensions: []string{"jpg"}},
	}
	return qs
}

func TestFind_MatchesModel(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 1, 3000)
	u := decorate(t, g, 1)
	for i, q := range genQueries(g) {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			want := g.oracle(u, q)
			for _, limit := range []int{7, 1000} {
				got := findAll(t, lib, q, limit)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("query %+v (limit %d): got %d entries, want %d\nmissing %v\nextra %v", q, limit, len(got), len(want),
						diff(want, got), diff(got, want))
				}
			}
		})
	}
}

// diff returns up to 10 elements of a that b lacks.
func diff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) && len(out) < 10 {
			out = append(out, x)
		}
	}
	return out
}

func TestFind_PagesStayCorrectWhileInserting(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 2, 1500)
	ctx := context.Background()
	q := core.FindQuery{Name: "rep*"}
	before := map[int64]bool{}
	for _, id := range g.oracle(&userState{}, q) {
		before[id] = true
	}
	seen := map[int64]bool{}
	after := ""
	for n := 0; ; n++ {
		es, next, err := lib.Entries().Find(ctx, q, core.Page{Limit: 5, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if seen[e.ID] {
				t.Fatalf("entry %d twice", e.ID)
			}
			seen[e.ID] = true
		}
		// Insert a matching entry sorting before everything and one after everything.
		for _, name := range []string{fmt.Sprintf("rep\x01%d", n), fmt.Sprintf("rep\x7f%d", n)} {
			if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: g.rootID, Name: name, ModifiedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	for id := range before {
		if !seen[id] {
			t.Fatalf("entry %d present from the start was skipped", id)
		}
	}
}

func TestFind_Errors(t *testing.T) {
	lib := openTest(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q    core.FindQuery
		want error
	}{
		{core.FindQuery{Name: "[abc"}, core.ErrInvalid},
		{core.FindQuery{Name: "[z-a]"}, core.ErrInvalid},
		{core.FindQuery{Text: "!!! ..."}, core.ErrInvalid},
		{core.FindQuery{Tags: []string{"nope"}}, core.ErrNotFound},
		{core.FindQuery{Label: "nope"}, core.ErrNotFound},
		{core.FindQuery{Under: "/definitely/not/indexed"}, core.ErrNotFound},
		{core.FindQuery{Under: "relative"}, core.ErrInvalid},
		{core.FindQuery{ContentKind: "nope"}, core.ErrInvalid},
		{core.FindQuery{Extensions: []string{"."}}, core.ErrInvalid},
	} {
		if _, _, err := lib.Entries().Find(ctx, tc.q, core.Page{}); !errors.Is(err, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.q, err, tc.want)
		}
	}
	if _, _, err := lib.Entries().Find(ctx, core.FindQuery{}, core.Page{After: "garbage!"}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("bad cursor: %v", err)
	}
}

// TestQueryPlans asserts that every non-FTS search with an indexable filter, and every path,
// tag, label and duplicate query, reads an index instead of scanning entries.
func TestQueryPlans(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 3, 2000)
	decorate(t, g, 3)
	ctx := context.Background()
	for _, q := range genQueries(g) {
		p, err := lib.Entries().ExplainFind(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Driver == "scan" {
			// Only queries without any indexable filter may scan.
			// A literal prefix is indexable (through entries_fts) when it holds an ASCII
			// letter or digit and is valid UTF-8 (core/fts.go, ftsNamePrefix); ignoring case,
			// when it is ASCII (lower() folds ASCII only).
			lit := q.Name[:strings.IndexAny(q.Name+"*", "*?[")]
			if hasASCIIAlnum(lit) && utf8.ValidString(lit) && (!q.IgnoreCase || strings.IndexFunc(lit, func(r rune) bool { return r >= 0x80 }) < 0) {
				t.Errorf("%+v scans (%s) although its glob has an indexable literal prefix %q", q, p.Driver, lit)
			}
			if len(q.Extensions)+len(q.Tags) > 0 || q.Label != "" || q.Under != "" || q.ContentKind != "" || (q.Favorite != nil && *q.Favorite) || (q.Hidden != nil && *q.Hidden) {
				t.Errorf("%+v scans although it has an indexable filter:\n%s", q, strings.Join(p.QueryPlan, "\n"))
			}
			continue
		}
		for _, line := range p.QueryPlan {
			if scansEntries(line) {
				t.Errorf("%+v (driver %s) scans entries: %q\n%s", q, p.Driver, line, strings.Join(p.QueryPlan, "\n"))
			}
		}
	}
}

// scansEntries recognizes a full scan of entries under any alias (SEARCH is an index range;
// "SCAN x USING INDEX" is a scan too).
func scansEntries(line string) bool {
	if !strings.HasPrefix(line, "SCAN ") {
		return false
	}
	f := strings.Fields(line)
	// A scan of the directories-only partial index reads directories, not entries: it is
	// how "all directories" is answered, proportional to its answer.
	if strings.HasSuffix(line, "USING INDEX entries_dir_path") {
		return false
	}
	switch f[1] {
	case "entries", "e", "p", "ud": // the aliases entries has in the core's queries
		return true
	}
	return false
}

func hasASCIIAlnum(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
	}) >= 0
}
