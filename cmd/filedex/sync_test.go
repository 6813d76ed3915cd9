//go:build !wasip1

package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCLI_SyncNowUnreachable: a hub out of reach is exit 1 with one clear line, and the
// changes stay in the log (sync status still counts them pending).
func TestCLI_SyncNowUnreachable(t *testing.T) {
	c := newCLI(t)
	c.env = append(c.env, "FILEDEX_DEVICE=a")
	docs := filepath.Join(t.TempDir(), "docs")
	os.MkdirAll(docs, 0o755)
	os.WriteFile(filepath.Join(docs, "x.txt"), []byte("x"), 0o644)
	c.ok("scan", "-q", docs)
	// A port nothing listens on: bound, then closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	r := c.run("sync", "now", "--hub", "nats://127.0.0.1:"+port, "--timeout", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the hub") || !strings.Contains(r.stderr, "nothing was lost") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("sync now against a closed port: exit %d\n%s", r.code, r.stderr)
	}
	st := c.ok("sync", "status")
	if !strings.Contains(st, "pending)") || strings.Contains(st, "(0 pending)") {
		t.Fatalf("status after a failed sync:\n%s", st)
	}
	// Under the WASI engine sync is unsupported, said plainly.
	r = c.run("--engine", "wasi", "sync", "now", "--hub", "nats://127.0.0.1:"+port)
	if r.code != 1 || !strings.Contains(r.stderr, "unsupported") {
		t.Fatalf("sync now --engine wasi: exit %d\n%s", r.code, r.stderr)
	}
	// device list names this device.
	if out := c.ok("device", "list"); !strings.Contains(out, "a ") || !strings.Contains(out, "(this device)") {
		t.Fatalf("device list:\n%s", out)
	}
}
