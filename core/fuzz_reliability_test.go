package core_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/filedex/filedex/core"
)

// Fuzz targets for the inputs that enter the core from outside as whole files or blobs.
// `go test` runs their seeds; `make soak` fuzzes each for FUZZTIME.

// FuzzRestoreFile: any bytes passed to restore are refused with a classified error, or
// restored into a library that opens and passes Check. Never a panic; a refused file leaves
// no database behind.
func FuzzRestoreFile(f *testing.F) {
	good, _ := fuzzGoodDB(f)
	f.Add(good)
	f.Add([]byte("SQLite format 3\x00"))
	f.Add(good[:len(good)/2])
	f.Add(append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4096)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		file := filepath.Join(tmp, "backup.db")
		os.WriteFile(file, data, 0o644)
		dir := filepath.Join(tmp, "lib")
		_, err := core.Restore(ctx, dir, file, testOptions(), core.RestoreOptions{})
		if err != nil {
			switch core.CodeOf(err) {
			case core.CodeInvalid, core.CodeIncompatible, core.CodeNotFound:
			default:
				t.Fatalf("restore of %d bytes: %v (code %s)", len(data), err, core.CodeOf(err))
			}
			if _, serr := os.Stat(filepath.Join(dir, core.DatabaseFile)); serr == nil {
				t.Fatalf("refused restore left a database: %v", err)
			}
			return
		}
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			if core.CodeOf(err) == core.CodeIncompatible {
				return // restore validated it, yet it is refused at open: still no damage done
			}
			t.Fatalf("open after restore: %v", err)
		}
		defer lib.Close()
		if _, err := lib.Check(ctx); err != nil && core.CodeOf(err) != core.CodeIncompatible {
			t.Fatalf("check after restore: %v", err)
		}
	})
}

var fuzzDB struct {
	once  sync.Once
	b     []byte
	roots map[string]int
}

// fuzzGoodDB is the fuzz targets' library: small (40 entries, a few dozen pages), since
// each execution copies, opens and checks it, and the fuzzer's cost per input grows with
// the input's size (FuzzRestoreFile takes the whole file as its input).
func fuzzGoodDB(t testing.TB) ([]byte, map[string]int) {
	fuzzDB.once.Do(func() { fuzzDB.b, fuzzDB.roots = corruptFixtureN(t, 40) })
	return fuzzDB.b, fuzzDB.roots
}

// FuzzDamagedDatabase: a library database with bytes overwritten anywhere opens with a
// classified error or opens and checks without panicking; a Check that passes means the
// data reads back.
func FuzzDamagedDatabase(f *testing.F) {
	good, roots := fuzzGoodDB(f)
	f.Add(uint32(0), []byte("SQLite format 4"))
	f.Add(uint32(100), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint32((roots["entries"]-1)*4096), bytes.Repeat([]byte{0x0d}, 64))
	f.Add(uint32((roots["tags"]-1)*4096+8), []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, off uint32, patch []byte) {
		b := bytes.Clone(good)
		o := int(off % uint32(len(b)))
		copy(b[o:], patch)
		lib, err := openDamaged(t, b)
		if err != nil {
			if c := core.CodeOf(err); c != core.CodeIncompatible && c != core.CodeInvalid {
				t.Fatalf("open: %v (code %s)", err, c)
			}
			return
		}
		rep, err := lib.Check(ctx)
		if err != nil {
			if core.CodeOf(err) != core.CodeIncompatible {
				t.Fatalf("check: %v (code %s)", err, core.CodeOf(err))
			}
			return
		}
		if rep.OK {
			if _, _, err := lib.Tags().List(ctx, core.Page{}); err != nil {
				t.Fatalf("check passed but tags do not read: %v", err)
			}
		}
	})
}

// FuzzCustomData: custom_data is accepted only as a JSON object of valid UTF-8, and what is
// accepted comes back as valid JSON with the same meaning; everything else is ErrInvalid.
func FuzzCustomData(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":null}]}`, `[]`, `{"a":"\u0000"}`, "{\"a\":\"\xff\"}", `{"a":1e400}`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	tmp := f.TempDir()
	lib, err := core.Open(filepath.Join(tmp, "lib"), testOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { lib.Close() })
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: tmp})
	if err != nil {
		f.Fatal(err)
	}
	root := loc.RootID
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := lib.Metadata().Set(ctx, root, core.MetadataUpdate{CustomData: json.RawMessage(data)})
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("custom_data %q: %v (code %s)", data, err, core.CodeOf(err))
			}
			return
		}
		if string(data) == "null" {
			return
		}
		if !json.Valid(m.CustomData) || !utf8.Valid(m.CustomData) {
			t.Fatalf("custom_data %q stored as %q", data, m.CustomData)
		}
		in, out := decodeNumbers(data), decodeNumbers(m.CustomData)
		if in == nil || out == nil {
			t.Fatalf("accepted %q, stored %q", data, m.CustomData)
		}
		if a, b := mustJSON(in), mustJSON(out); a != b {
			t.Fatalf("custom_data %s came back as %s", a, b)
		}
	})
}

// decodeNumbers decodes a JSON object keeping numbers as written (1e400 is valid JSON that
// no float64 holds).
func decodeNumbers(b []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}
