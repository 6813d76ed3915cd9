package core_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

// badInputFixture is a library with a location over a real directory holding a file.
func badInputFixture(t *testing.T) (*core.Library, core.Location, string) {
	t.Helper()
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	os.Mkdir(data, 0o755)
	os.WriteFile(filepath.Join(tmp, "a-file"), []byte("x"), 0o644)
	lib := openTest(t)
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
	if err != nil {
		t.Fatal(err)
	}
	return lib, loc, tmp
}

// wantCode fails unless err carries code (and, for invalid arguments, names field).
func wantCode(t *testing.T, err error, code core.Code, field string) {
	t.Helper()
	if core.CodeOf(err) != code {
		t.Fatalf("got %v (code %q), want code %q", err, core.CodeOf(err), code)
	}
	var ce *core.Error
	if field != "" && (!errors.As(err, &ce) || ce.Field != field) {
		t.Fatalf("error %v does not name the field %q", err, field)
	}
}

// TestBadInput_CustomData: custom_data must be a JSON object of valid UTF-8 that SQLite's
// JSON functions accept; anything else is ErrInvalid naming the field, and an accepted value
// comes back as the canonical JSON of what was sent.
func TestBadInput_CustomData(t *testing.T) {
	lib, loc, _ := badInputFixture(t)
	deep := strings.Repeat(`{"a":`, 1500) + "1" + strings.Repeat("}", 1500)
	cases := []struct {
		name, data string
		ok         bool
	}{
		{"object", `{"b":1,"a":[true,null,"x"]}`, true},
		{"empty object", `{}`, true},
		{"NUL escaped in a string", `{"a":"x\u0000y"}`, true},
		{"unicode", `{"ключ":"値 🎞"}`, true},
		{"array", `[1,2]`, false},
		{"string", `"x"`, false},
		{"number", `1`, false},
		{"true", `true`, false},
		{"malformed", `{"a":`, false},
		{"trailing garbage", `{"a":1} x`, false},
		{"two objects", `{}{}`, false},
		{"invalid UTF-8", "{\"a\":\"\xff\xfe\"}", false},
		{"invalid UTF-8 key", "{\"\xc3\x28\":1}", false},
		{"raw NUL byte", "{\"a\":\"x\x00y\"}", false},
		{"nested deeper than SQLite's JSON allows", deep, false},
		{"empty", ``, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := lib.Metadata().Set(ctx, loc.RootID, core.MetadataUpdate{CustomData: json.RawMessage(c.data)})
			if !c.ok {
				wantCode(t, err, core.CodeInvalid, "custom_data")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sent, got any
			json.Unmarshal([]byte(c.data), &sent)
			if err := json.Unmarshal(m.CustomData, &got); err != nil {
				t.Fatalf("stored custom_data is not JSON: %q", m.CustomData)
			}
			if s, g := mustJSON(sent), mustJSON(got); s != g {
				t.Fatalf("round trip: sent %s, got %s", s, g)
			}
		})
	}
	// null clears.
	if m, err := lib.Metadata().Set(ctx, loc.RootID, core.MetadataUpdate{CustomData: json.RawMessage(`null`)}); err != nil || m.CustomData != nil {
		t.Fatalf("null: %s %v", m.CustomData, err)
	}
	mustCheck(t, lib)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestBadInput_Names: tag, label and entry names and colours.
func TestBadInput_Names(t *testing.T) {
	lib, loc, _ := badInputFixture(t)
	for _, c := range []struct {
		name, color string
		field       string // "" = accepted
	}{
		{"ok", "#a0B1c2", ""},
		{"", "", "name"},
		{"red", "red", "color"},
		{"short", "#12345", "color"},
		{"long", "#1234567", "color"},
		{"not hex", "#GGGGGG", "color"},
		{"leading space", " #123456", "color"},
		{"trailing newline", "#123456\n", "color"},
		{"fullwidth digits", "#１２３４５６", "color"},
		{"bad\xffutf8", "", "name"},
		{"nul\x00inside", "", "name"},
	} {
		_, err := lib.Tags().Create(ctx, core.TagInput{Name: c.name, Color: c.color})
		if c.field == "" {
			if err != nil {
				t.Errorf("tag %q %q: %v", c.name, c.color, err)
			}
			continue
		}
		if core.CodeOf(err) != core.CodeInvalid {
			t.Errorf("tag %q colour %q: %v (code %s), want invalid", c.name, c.color, err, core.CodeOf(err))
		}
	}
	for _, name := range []string{"", ".", "..", "a/b", "a\x00b"} {
		_, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: name, ModifiedAt: t0})
		if core.CodeOf(err) != core.CodeInvalid {
			t.Errorf("entry name %q: %v", name, err)
		}
	}
	for _, in := range []core.EntryInput{
		{ParentID: loc.RootID, Name: "neg", Size: -1},
		{ParentID: loc.RootID, Name: "kind", Kind: 7},
		{ParentID: loc.RootID, Name: "cas", Size: 1, CasID: "xyz"},
		{ParentID: loc.RootID, Name: "cas-on-dir", Kind: core.KindDirectory, CasID: "0000000000000001"},
		{ParentID: loc.RootID, Name: "cas-empty-file", CasID: "0000000000000001"},
	} {
		if _, err := lib.Entries().Create(ctx, in); core.CodeOf(err) != core.CodeInvalid {
			t.Errorf("entry %+v: %v", in, err)
		}
	}
	if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: 999999, Name: "orphan"}); core.CodeOf(err) != core.CodeNotFound {
		t.Errorf("entry under a missing parent: %v", err)
	}
	f, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "file", Size: 3, ModifiedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: f.ID, Name: "under-a-file"}); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("entry under a file: %v", err)
	}
	for _, l := range []string{"a/b", "", "bad\xff"} {
		if _, err := lib.Labels().Create(ctx, core.LabelInput{Name: l}); core.CodeOf(err) != core.CodeInvalid {
			t.Errorf("label %q: %v", l, err)
		}
	}
	// Notes and icons are user text too.
	bad := "x\xffy"
	if _, err := lib.Metadata().Set(ctx, loc.RootID, core.MetadataUpdate{Notes: &bad}); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("notes with invalid UTF-8: %v", err)
	}
	tg, _ := lib.Tags().Create(ctx, core.TagInput{Name: "renamed"})
	if _, err := lib.Tags().Update(ctx, tg.ID, core.TagUpdate{Name: &bad}); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("tag rename to invalid UTF-8: %v", err)
	}
	mustCheck(t, lib)
}

// TestBadInput_Dates: extreme times are stored and come back as they went in (to the
// millisecond), or are refused; never a panic or a silently different date.
func TestBadInput_Dates(t *testing.T) {
	lib, loc, _ := badInputFixture(t)
	for i, tm := range []time.Time{
		{},
		time.Unix(0, 0),
		time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("x", 5*3600+1800)),
	} {
		e, err := lib.Entries().Create(ctx, core.EntryInput{ParentID: loc.RootID, Name: "d" + string(rune('a'+i)), ModifiedAt: tm, CreatedAt: &tm})
		if err != nil {
			wantCode(t, err, core.CodeInvalid, "")
			continue
		}
		want := tm.Truncate(time.Millisecond)
		if tm.Before(time.Unix(0, 0)) { // Truncate rounds toward zero time; milliseconds floor
			want = time.UnixMilli(tm.UnixMilli())
		}
		if tm.IsZero() {
			// The zero time means "not known" for the optional times (stored NULL).
			if e.CreatedAt != nil || !e.ModifiedAt.Equal(want) {
				t.Errorf("zero time came back as %v / %v", e.ModifiedAt, e.CreatedAt)
			}
			continue
		}
		if !e.ModifiedAt.Equal(want) || e.CreatedAt == nil || !e.CreatedAt.Equal(want) {
			t.Errorf("time %v came back as %v / %v", tm, e.ModifiedAt, e.CreatedAt)
		}
	}
}

// TestBadInput_Paths: location and lookup paths that are relative, hold "..", do not exist,
// name a file where a directory is expected, or hold a NUL.
func TestBadInput_Paths(t *testing.T) {
	lib, loc, tmp := badInputFixture(t)
	for _, c := range []struct {
		path string
		code core.Code
	}{
		{"", core.CodeInvalid},
		{filepath.Join(tmp, "missing"), core.CodeNotFound},
		{filepath.Join(tmp, "a-file"), core.CodeInvalid},
		{filepath.Join(tmp, "nul\x00dir"), core.CodeInvalid},
		{filepath.Join(tmp, "data", "..", "data"), core.CodeConflict}, // cleaned: the same location
		// Cleaned lexically before it is looked up (like filepath.Abs): "sub/.." is gone
		// before anyone asks whether sub exists.
		{filepath.Join(tmp, "data", "sub", ".."), core.CodeConflict},
		{"relative-that-does-not-exist", core.CodeNotFound},
	} {
		_, err := lib.Locations().Create(ctx, core.LocationInput{Path: c.path})
		if core.CodeOf(err) != c.code {
			t.Errorf("location %q: %v (code %s), want %s", c.path, err, core.CodeOf(err), c.code)
		}
	}
	for _, c := range []struct {
		path string
		code core.Code
	}{
		{"", core.CodeInvalid},
		{"relative/path", core.CodeInvalid},
		{"/definitely/not/indexed", core.CodeNotFound},
		{loc.Path + "/../" + filepath.Base(loc.Path) + "/missing", core.CodeNotFound},
		{loc.Path + "/nul\x00", core.CodeNotFound},
	} {
		_, err := lib.Entries().GetByPath(ctx, c.path)
		if core.CodeOf(err) != c.code {
			t.Errorf("GetByPath(%q): %v (code %s), want %s", c.path, err, core.CodeOf(err), c.code)
		}
	}
	if e, err := lib.Entries().GetByPath(ctx, loc.Path+"/."); err != nil || e.ID != loc.RootID {
		t.Errorf("GetByPath(root + /.): %+v %v", e, err)
	}
	for _, p := range []core.Page{{Limit: -1}, {After: "garbage"}, {After: "\xff\x00"}} {
		if _, _, err := lib.Tags().List(ctx, p); core.CodeOf(err) != core.CodeInvalid {
			t.Errorf("page %+v: %v", p, err)
		}
	}
	// Library directories.
	if _, err := core.Open(filepath.Join(tmp, "a-file"), testOptions()); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("library on a file: %v", err)
	}
	if _, err := core.Open(filepath.Join(tmp, "a-file", "sub"), testOptions()); err == nil {
		t.Errorf("library below a file opened")
	}
	if _, err := core.Restore(ctx, filepath.Join(tmp, "a-file"), filepath.Join(tmp, "a-file"), testOptions(), core.RestoreOptions{}); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("restore into a file: %v", err)
	}
}
