package core_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
)

// TestMain lets the test binary double as a second process that holds a library's write lock.
func TestMain(m *testing.M) {
	if dir := os.Getenv("FILEDEX_TEST_HOLD_WRITE_LOCK"); dir != "" {
		holdWriteLock(dir)
		return
	}
	if os.Getenv("FILEDEX_TEST_SCAN_CHILD") != "" {
		scanChild()
		return
	}
	if runCrashHelper() { // crash_test.go: the processes the crash tests SIGKILL
		return
	}
	os.Exit(m.Run())
}

// holdWriteLock opens the library in this process, starts a write transaction with an
// uncommitted change, says "locked", and holds it until its stdin closes.
func holdWriteLock(dir string) {
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		panic(err)
	}
	defer lib.Close()
	db, err := driver.Open("file:"+filepath.Join(dir, core.DatabaseFile)+"?_txlock=immediate", fts5.Register)
	if err != nil {
		panic(err)
	}
	tx, err := db.Begin()
	if err != nil {
		panic(err)
	}
	if _, err := tx.Exec(`INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), 'uncommitted', 0, 0)`); err != nil {
		panic(err)
	}
	os.Stdout.WriteString("locked\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	tx.Rollback()
}

// TestOpen_TwoProcesses: while another process holds the write lock, this process still
// opens the library and reads (WAL readers never wait), and a write waits busy_timeout and
// then fails with ErrBusy instead of corrupting anything.
func TestOpen_TwoProcesses(t *testing.T) {
	skipWithoutSubprocesses(t)
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: "committed"}); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FILEDEX_TEST_HOLD_WRITE_LOCK="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper process: %q %v", line, err)
	}

	opts := testOptions()
	opts.BusyTimeout = 300 * time.Millisecond
	lib2, err := core.Open(dir, opts)
	if err != nil {
		t.Fatalf("open while another process writes: %v", err)
	}
	defer lib2.Close()
	tags, _, err := lib2.Tags().List(ctx, core.Page{})
	if err != nil {
		t.Fatalf("read while another process writes: %v", err)
	}
	if len(tags) != 1 || tags[0].Name != "committed" {
		t.Fatalf("reader saw %+v: uncommitted rows leaked or committed ones vanished", tags)
	}
	start := time.Now()
	_, err = lib2.Tags().Create(ctx, core.TagInput{Name: "blocked"})
	if !errors.Is(err, core.ErrBusy) {
		t.Fatalf("write while another process writes: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < opts.BusyTimeout/2 {
		// Not a speed assertion: a writer that fails at once did not wait at all.
		t.Fatalf("write failed after %v without waiting busy_timeout (%v)", waited, opts.BusyTimeout)
	}
	if core.CodeOf(err) != core.CodeBusy {
		t.Fatalf("code %q", core.CodeOf(err))
	}
	stdin.Close()
	cmd.Wait()
	if _, err := lib2.Tags().Create(ctx, core.TagInput{Name: "after"}); err != nil {
		t.Fatalf("write after the other process let go: %v", err)
	}
}

// TestOpen_RefusesNewerLibrary: a library migrated by a newer filedex is refused with a clear
// error, and its database file is not modified in any way.
func TestOpen_RefusesNewerLibrary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	db, _ := driver.Open("file:"+filepath.Join(dir, core.DatabaseFile), fts5.Register)
	if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (9999, 'future', 'x', 0); PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := snapshot(t, dir)
	for _, ro := range []bool{false, true} {
		opts := testOptions()
		opts.ReadOnly = ro
		_, err = core.Open(dir, opts)
		if !errors.Is(err, core.ErrIncompatible) || !bytes.Contains([]byte(err.Error()), []byte("newer")) {
			t.Fatalf("read-only=%v: %v", ro, err)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Fatalf("refused library was modified:\n%s\n%s", before, after)
	}

	// An edited migration is refused too, naming the file.
	db, _ = driver.Open("file:"+filepath.Join(dir, core.DatabaseFile), fts5.Register)
	db.Exec(`DELETE FROM schema_migrations WHERE version = 9999; UPDATE schema_migrations SET checksum = 'x' WHERE version = 1`)
	db.Close()
	_, err = core.Open(dir, testOptions())
	if !errors.Is(err, core.ErrIncompatible) || !bytes.Contains([]byte(err.Error()), []byte("0001_init.up.sql")) {
		t.Fatalf("edited migration: %v", err)
	}
}

// snapshot is what a change to the library would show: the database file's hash and the size
// of its write-ahead log (a reader may create empty -wal/-shm files; only content counts).
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, core.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	var walSize int64
	if st, err := os.Stat(filepath.Join(dir, core.DatabaseFile+"-wal")); err == nil {
		walSize = st.Size()
	}
	return fmt.Sprintf("db %x, wal %d bytes", sha256.Sum256(b), walSize)
}

func TestOpen_ReadOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, _ := core.Open(dir, testOptions())
	lib.Tags().Create(ctx, core.TagInput{Name: "x"})
	lib.Close()
	opts := testOptions()
	opts.ReadOnly = true
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if tags, _, err := ro.Tags().List(ctx, core.Page{}); err != nil || len(tags) != 1 {
		t.Fatalf("read-only list: %v", err)
	}
	if _, err := ro.Tags().Create(context.Background(), core.TagInput{Name: "y"}); !errors.Is(err, core.ErrReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
}

// skipWithoutSubprocesses skips tests that need a second process: a WASI module cannot start
// one (make test-wasi runs the core's tests as a wasip1 module).
func skipWithoutSubprocesses(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "wasip1" || runtime.GOOS == "js" {
		t.Skipf("needs a second process, which %s cannot start", runtime.GOOS)
	}
}

// skipWithoutThreads skips tests whose point is goroutines making progress side by side (a
// writer committing while a backup or a reader runs): a wasip1 module runs every goroutine on
// one thread without preemption, so a busy loop there starves the others.
func skipWithoutThreads(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "wasip1" || runtime.GOOS == "js" {
		t.Skipf("needs goroutines running in parallel, which %s does not have", runtime.GOOS)
	}
}
