//go:build linux

package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startWASIHolder starts `filedex --engine wasi rpc` on c's library, makes it write (a tag)
// so the guest's SQLite has the library open, and returns the running process. Its stdin
// stays open, so it holds the library until killed.
func startWASIHolder(t *testing.T, c *cli, env []string, tag string) (*exec.Cmd, io.Closer) {
	t.Helper()
	cmd := exec.Command(binary, "--library", c.lib, "--engine", "wasi", "rpc")
	cmd.Env = append(append(os.Environ(), c.env...), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"tag.create","params":{"name":"`+tag+`"}}`+"\n"); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if !strings.Contains(s, `"result"`) {
			t.Fatalf("tag.create through the WASI engine: %q", s)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the WASI rpc server did not answer in 2 minutes")
	}
	return cmd, in
}

// TestCLI_WASIKilledHolderDoesNotLockLibrary SIGKILLs a WASI process that has the library
// open. Its SQLite (the dot-lock VFS) leaves database.db-shm as a directory; before the
// guard (core/lock_wasi.go), every later open failed, natively with "database.db-shm: is a
// directory" and under WASI with "database is locked". Now a dead holder's marks are
// broken by either engine, and a live holder's are respected.
func TestCLI_WASIKilledHolderDoesNotLockLibrary(t *testing.T) {
	env := wasiEnv(t)
	c := newCLI(t)
	c.ok("tag", "create", "native")
	shm := filepath.Join(c.lib, "database.db-shm")
	for round, next := range []string{"native", "wasi", "native"} {
		cmd, in := startWASIHolder(t, c, env, "t"+string(rune('a'+round)))
		st, err := os.Lstat(shm)
		if err != nil || !st.IsDir() {
			t.Fatalf("round %d: a live WASI holder should have database.db-shm as a directory: %v %v", round, st, err)
		}
		// Live: a native open must not break the marks.
		r := c.run("tag", "list")
		if r.code == 0 || !strings.Contains(r.stderr, "WASI engine") {
			t.Fatalf("round %d: native open beside a live WASI holder: exit %d, %s", round, r.code, r.stderr)
		}
		if st, err := os.Lstat(shm); err != nil || !st.IsDir() {
			t.Fatalf("round %d: a native open removed a live holder's marks", round)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		in.Close()
		if st, err := os.Lstat(shm); err != nil || !st.IsDir() {
			t.Fatalf("round %d: the killed WASI process left no marks (%v): the test would prove nothing", round, err)
		}
		args := []string{"tag", "list"}
		if next == "wasi" {
			c.env = append(c.env, env...)
			args = append([]string{"--engine", "wasi"}, args...)
		}
		out := c.ok(args...)
		if !strings.Contains(out, "t"+string(rune('a'+round))) || !strings.Contains(out, "native") {
			t.Fatalf("round %d: %s after the kill lists %q", round, next, out)
		}
		c.ok("check")
	}
}

// TestCLI_WASIOpensAfterKilledNative SIGKILLs a native process mid-scan: it leaves a
// regular database.db-shm, which the WASI VFS refused as "locking protocol" with no advice.
// With no native process holding the library, the WASI host removes it (the WAL index is
// rebuilt from the WAL) and the guest opens the library. While the native process lives,
// the WASI engine refuses, saying why.
func TestCLI_WASIOpensAfterKilledNative(t *testing.T) {
	env := wasiEnv(t)
	c := newCLI(t)
	cmd := exec.Command(binary, "--library", c.lib, "rpc")
	cmd.Env = append(os.Environ(), c.env...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"tag.create","params":{"name":"n1"}}`+"\n")
	if s, _ := bufio.NewReader(out).ReadString('\n'); !strings.Contains(s, `"result"`) {
		t.Fatalf("tag.create: %q", s)
	}
	// While it runs, the WASI engine must not open the library beside it: the two VFSs
	// lock differently, and each would write as if alone.
	wenv := append(append([]string(nil), c.env...), env...)
	w := &cli{t: t, lib: c.lib, env: wenv}
	if r := w.run("--engine", "wasi", "tag", "list"); r.code == 0 || !strings.Contains(r.stderr, "native engine") {
		t.Fatalf("WASI beside a live native process: exit %d, %q", r.code, r.stderr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if st, err := os.Lstat(filepath.Join(c.lib, "database.db-shm")); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("the killed native process left no -shm file (%v): the test would prove nothing", err)
	}
	c.env = append(c.env, env...)
	if got := c.ok("--engine", "wasi", "tag", "list"); !strings.Contains(got, "n1") {
		t.Fatalf("tag list through WASI: %q", got)
	}
}
