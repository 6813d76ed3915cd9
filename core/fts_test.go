package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/filedex/filedex/core"
)

func ftsNames(t *testing.T, lib *core.Library, text string) []string {
	t.Helper()
	es, _, err := lib.Entries().Find(context.Background(), core.FindQuery{Text: text}, core.Page{Limit: core.MaxLimit})
	if err != nil {
		t.Fatalf("text %q: %v", text, err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestFTS_Queries(t *testing.T) {
	lib := openTest(t)
	ctx := context.Background()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Holiday 2024 photos.jpg", "holiday_2024-beach.png", "Été à Paris.txt", "report-final.pdf",
		"Reports.docx", "unrelated.txt", "NOT AND OR.txt", `quote"d.txt`, "NEAR(x).md", "holiday",
		"holiday trip to the sea and the mountains and back again.txt", "2023 holiday.txt"} {
		if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: n, ModifiedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"holiday 2024", []string{"Holiday 2024 photos.jpg", "holiday_2024-beach.png"}},
		{"2024 HOLIDAY", []string{"Holiday 2024 photos.jpg", "holiday_2024-beach.png"}},
		{"rep*", []string{"Reports.docx", "report-final.pdf"}},
		{"ete", []string{"Été à Paris.txt"}},
		{"PARIS été", []string{"Été à Paris.txt"}},
		{"NOT", []string{"NOT AND OR.txt"}},
		{"AND OR", []string{"NOT AND OR.txt"}},
		{`quote"d`, []string{`quote"d.txt`}},
		{"NEAR(x)", []string{"NEAR(x).md"}},
		{`"unbalanced`, nil},
		{"holiday_2024", []string{"Holiday 2024 photos.jpg", "holiday_2024-beach.png"}}, // one word: the phrase "holiday 2024"
		{"2024_holiday", nil},                                                           // a phrase keeps its order
		{"beach -holiday", []string{"holiday_2024-beach.png"}},
		{"name:holiday", nil}, // a column filter would be syntax; here it is the words name, holiday
		{"^holiday", sorted([]string{"Holiday 2024 photos.jpg", "holiday_2024-beach.png", "holiday", "holiday trip to the sea and the mountains and back again.txt", "2023 holiday.txt"})},
	} {
		got := ftsNames(t, lib, tc.text)
		if !slices.Equal(sorted(got), sorted(tc.want)) {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
		}
	}
	// BM25: the short name where "holiday" is everything ranks first, the long one last.
	got := ftsNames(t, lib, "holiday")
	if len(got) != 5 || got[0] != "holiday" || got[4] != "holiday trip to the sea and the mountains and back again.txt" {
		t.Errorf("ranking: %q", got)
	}
	for _, bad := range []string{"", "   ", "*", "-- ... !!"} {
		if _, _, err := lib.Entries().Find(ctx, core.FindQuery{Text: bad}, core.Page{}); !errors.Is(err, core.ErrInvalid) && bad != "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// tokens is the model of unicode61 for the generated names: split on everything that is not
// a letter or digit (invalid UTF-8 included), lower-case.
func tokens(name string) []string {
	return strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) || r == unicode.ReplacementChar
	})
}

func TestFTS_MatchesModel(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 7, 2000)
	for _, text := range []string{"report", "holiday", "rep*", "img 2024", "notes", "x y", "hi", "line break", "star", "it s"} {
		words := strings.Fields(text)
		var want []int64
		for _, e := range g.all {
			toks := tokens(e.name)
			all := true
			for _, w := range words {
				prefix := strings.HasSuffix(w, "*")
				w = strings.TrimSuffix(w, "*")
				all = all && slices.ContainsFunc(toks, func(t string) bool { return t == w || prefix && strings.HasPrefix(t, w) })
			}
			if all {
				want = append(want, e.id)
			}
		}
		got := findAll(t, lib, core.FindQuery{Text: text}, 9)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %d, want %d; missing %v extra %v", text, len(got), len(want), diff(want, got), diff(got, want))
		}
	}
	// Combined with other filters: FTS drives, the rest filters.
	got := findAll(t, lib, core.FindQuery{Text: "report", Extensions: []string{"pdf"}}, 5)
	for _, id := range got {
		if core.ExtensionOf(g.byID[id].name) != "pdf" {
			t.Fatalf("%q has no pdf extension", g.byID[id].name)
		}
	}
}

// TestFTS_StaysInSyncAcrossConnections: reader connections that have searched keep finding
// exactly the right entries after other writes (creates, deletes) merge the FTS index, and
// db.check finds the index sound (see integrityCheckFresh).
func TestFTS_StaysInSyncAcrossConnections(t *testing.T) {
	lib := openTest(t)
	ctx := context.Background()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	live := map[int64]bool{}
	var order []int64
	for round := range 6 {
		for i := range 40 {
			e, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: fmt.Sprintf("report %d-%d", round, i)})
			if err != nil {
				t.Fatal(err)
			}
			live[e.ID] = true
			order = append(order, e.ID)
		}
		for _, id := range order[:len(order)/3] {
			if live[id] {
				if err := lib.Entries().Delete(ctx, id); err != nil {
					t.Fatal(err)
				}
				delete(live, id)
			}
		}
		for range 3 { // several pooled readers
			got := findAll(t, lib, core.FindQuery{Text: "report"}, 1000)
			if len(got) != len(live) {
				t.Fatalf("round %d: %d found, %d live", round, len(got), len(live))
			}
			for _, id := range got {
				if !live[id] {
					t.Fatalf("round %d: deleted %d found", round, id)
				}
			}
		}
		rep, err := lib.Check(ctx)
		if err != nil || len(rep.Problems) > 0 {
			t.Fatalf("round %d: check %+v %v", round, rep.Problems, err)
		}
	}
}
