package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_RestoreDamagedLibrary follows the advice a damaged library gives ("restore a
// backup with `filedex restore`"). Before, restore opened the library like every command,
// met the same damage and failed with the same error, so the advice could not be followed.
// It must restore, and keep the damaged file (byte for byte) in backups/.
func TestCLI_RestoreDamagedLibrary(t *testing.T) {
	for _, engine := range []string{"native", "wasi"} {
		t.Run(engine, func(t *testing.T) {
			c := newCLI(t)
			if engine == "wasi" {
				c.env = append(c.env, wasiEnv(t)...)
			}
			c.ok("--engine", engine, "tag", "create", "precious")
			var bk struct {
				Path string `json:"path"`
			}
			c.json(&bk, "--engine", engine, "backup")
			c.ok("--engine", engine, "tag", "create", "after-backup")
			db := filepath.Join(c.lib, "database.db")
			data, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			// Not a database any more: the header's magic string is gone.
			copy(data, bytes.Repeat([]byte{0xA5}, 100))
			if err := os.WriteFile(db, data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(db + suffix)
			}
			r := c.run("--engine", engine, "tag", "list")
			if r.code == 0 || !strings.Contains(r.stderr, "filedex restore") {
				t.Fatalf("a damaged library should refuse with advice to restore: exit %d %s", r.code, r.stderr)
			}
			out := c.ok("--engine", engine, "restore", bk.Path)
			if !strings.Contains(out, "Restored") {
				t.Fatalf("restore: %q", out)
			}
			if got := c.ok("--engine", engine, "tag", "list"); !strings.Contains(got, "precious") || strings.Contains(got, "after-backup") {
				t.Fatalf("tags after the restore: %q", got)
			}
			kept, _ := filepath.Glob(filepath.Join(c.lib, "backups", "database_replaced_*.db"))
			if len(kept) != 1 {
				t.Fatalf("the damaged database was not kept: %v", kept)
			}
			if b, err := os.ReadFile(kept[0]); err != nil || !bytes.Equal(b, data) {
				t.Fatalf("the kept file is not the damaged database byte for byte (%v)", err)
			}
			// --json: one document, the result.
			var res map[string]any
			c.json(&res, "--engine", engine, "check")
		})
	}
}
