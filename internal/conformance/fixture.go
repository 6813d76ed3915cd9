package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FixtureTime is the modification time of every fixture file and directory,
// so that listings and timestamps in responses never depend on when the
// suite ran.
var FixtureTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Fixture files under root/data, relative path → content. Names cover what
// breaks naive code: spaces, shell and HTML metacharacters, non-ASCII, bytes
// that are not UTF-8, a leading dot, duplicates (a.txt and copy/a.txt).
var fixtureFiles = []struct{ path, content string }{
	{"a.txt", "hello\n"},
	{"copy/a.txt", "hello\n"},
	{"sub/c.bin", string(make([]byte, 1000))},
	{"sub/deeper/ünïcödé.md", "# ü\n"},
	{"name with spaces & <html>.txt", "x"},
	{".hidden", "h"},
	{"empty.txt", ""},
	// names/ holds what SQL LIKE, globs, shells, JSON and Unicode normalisation get wrong.
	// Both café.txt spellings (NFC, NFD) exist: they are different names and must stay two
	// entries. Every name here is valid UTF-8, so WASI guests can create them too (entry.move).
	{"names/100%.txt", "percent"},
	{"names/under_score.txt", "underscore"},
	{"names/star*.txt", "star"},
	{"names/back\\slash.txt", "backslash"},
	{"names/quote\"d'.txt", "quotes"},
	{"names/new\nline.txt", "newline"},
	{"names/tab\tname.txt", "tab"},
	{"names/[brackets]?.txt", "brackets"},
	{"names/caf\u00e9.txt", "nfc"},
	{"names/cafe\u0301.txt", "nfd"},
	{"names/ spaces  around .txt", "spaces"},
	{"names/" + longName, "long"},
	{"names/dup1.bin", "same bytes in two files"},
	{"names/dup2.bin", "same bytes in two files"},
}

// longName is 255 bytes, the longest name Linux file systems accept.
var longName = strings.Repeat("l", 251) + ".txt"

// Build creates the fixture under root, which must not exist or be empty:
//
//	root/lib       the library directory (empty: the engine creates the database)
//	root/data      the tree scripts index, with root/data/escape → ../outside
//	root/outside   reachable by no engine (not mounted, not in "roots")
//
// Every engine of a script run gets an identical fixture at the same root, so
// absolute paths in responses are equal byte for byte.
func Build(root string) error {
	for _, d := range []string{"lib", "data/empty", "outside"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	for _, f := range fixtureFiles {
		p := filepath.Join(root, "data", f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(root, "outside", "secret.txt"), []byte("secret"), 0o644); err != nil {
		return err
	}
	if err := os.Symlink("../outside", filepath.Join(root, "data", "escape")); err != nil {
		return err
	}
	// Last, after every file exists: creating a file changes its directory's
	// mtime, setting modes and times changes nothing else. Fixed modes keep
	// the native transcripts independent of the umask (a WASI guest sees no
	// modes and reports none).
	return filepath.Walk(filepath.Join(root, "data"), func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode()&os.ModeSymlink != 0 {
			// The link's own times (it is indexed as a symlink, never followed).
			return lchtimes(p, FixtureTime)
		}
		mode := os.FileMode(0o600)
		if info.IsDir() {
			mode = 0o700
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
		return os.Chtimes(p, FixtureTime, FixtureTime)
	})
}
