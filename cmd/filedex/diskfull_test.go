//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/filedex/filedex/bindings"
)

// smallDisk mounts a tmpfs of size at a temporary directory, or skips.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (the core's TestDiskFull_VFS covers the classification)")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("mount -t tmpfs is not permitted here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	return mnt
}

// bigNamesTree writes n empty files with long names: an index much larger than 3 MiB.
func bigNamesTree(t *testing.T, n int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "tree")
	pad := strings.Repeat("x", 180)
	for i := 0; i < n; i++ {
		d := filepath.Join(root, fmt.Sprintf("d%03d", i%100))
		if i < 100 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("%s-%06d.txt", pad, i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestCLI_DiskFull scans a tree whose index does not fit on a real 3 MiB tmpfs, with each
// engine. The promise is the disk_full code (ErrFull), not "internal error: disk I/O
// error", exactly one JSON document, and a library that still opens and passes check.
// Then a command that succeeds but whose close fails on the full disk must still exit 0.
func TestCLI_DiskFull(t *testing.T) {
	tree := bigNamesTree(t, 12000)
	for _, engine := range []string{"native", "wasi"} {
		t.Run(engine, func(t *testing.T) {
			c := newCLI(t)
			if engine == "wasi" {
				c.env = append(c.env, wasiEnv(t)...)
			}
			c.lib = filepath.Join(smallDisk(t, "3m"), "lib")
			r := c.run("--engine", engine, "--json", "scan", tree)
			if r.code == 0 {
				t.Fatalf("a scan of a 12,000-entry tree fit on 3 MiB: %s", r.stdout)
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			var doc struct {
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("stdout is not a JSON document: %v\n%s", err, r.stdout)
			}
			if dec.More() {
				t.Fatalf("more than one JSON document:\n%s", r.stdout)
			}
			if doc.Error.Code != bindings.CodeDiskFull || strings.Contains(doc.Error.Message, "%!") {
				t.Fatalf("full disk reported as %d: %s", doc.Error.Code, doc.Error.Message)
			}
			// The library is intact; reading it works on the still-full disk. Closing it
			// fails there (its last checkpoint cannot write): that is a warning on stderr,
			// not the result, and --json still writes one document.
			for _, args := range [][]string{{"check"}, {"--json", "tag", "list"}, {"--json", "stats"}} {
				r = c.run(append([]string{"--engine", engine}, args...)...)
				if r.code != 0 {
					t.Fatalf("%v after a full disk: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
				}
				if args[0] == "--json" {
					dec := json.NewDecoder(strings.NewReader(r.stdout))
					var v any
					if err := dec.Decode(&v); err != nil || dec.More() {
						t.Fatalf("%v: not exactly one JSON document (%v):\n%s", args, err, r.stdout)
					}
				}
			}
			if engine == "native" && !strings.Contains(r.stderr, "warning: closing the library") {
				// Whether the last close has anything to checkpoint depends on what the
				// failed scan left in the WAL, which varies with timing: under load the
				// close sometimes writes nothing. The exit codes and single documents above
				// still hold; only the close-warning path went unexercised this run.
				t.Logf("closing on the full disk did not fail this run, so the close warning was not exercised: %q", r.stderr)
			}
		})
	}
}
