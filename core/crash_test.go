package core_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core"
)

// The test binary doubles as the process that gets killed: TestMain (process_test.go) calls
// runCrashHelper first, which runs one of these modes when FILEDEX_TEST_HELPER names it.
// A helper reports on stdout, one line per durable step, so the parent knows exactly what
// was committed when it sends SIGKILL.
const (
	helperEnv    = "FILEDEX_TEST_HELPER"
	helperDirEnv = "FILEDEX_TEST_HELPER_DIR"
	helperArgEnv = "FILEDEX_TEST_HELPER_ARG"
)

// runCrashHelper runs the helper mode named in the environment and reports whether it did.
func runCrashHelper() bool {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return false
	}
	dir, arg := os.Getenv(helperDirEnv), os.Getenv(helperArgEnv)
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	ctx := context.Background()
	fail := func(err error) {
		say("error %v", err)
		os.Exit(3)
	}
	switch mode {
	case "tag-edits":
		// Endless tag edits, each its own transaction: create a tag, apply it to an entry,
		// rename it. "committed N" follows the commit of the N-th round's last step.
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			fail(err)
		}
		root, err := lib.Entries().GetByPath(ctx, arg)
		if err != nil {
			fail(err)
		}
		for i := 0; ; i++ {
			tg, err := lib.Tags().Create(ctx, core.TagInput{Name: fmt.Sprintf("t%d", i), Color: "#00FF00"})
			if err != nil {
				fail(err)
			}
			if _, err := lib.Tags().Apply(ctx, tg.ID, root.ID); err != nil {
				fail(err)
			}
			name := fmt.Sprintf("tag %d", i)
			if _, err := lib.Tags().Update(ctx, tg.ID, core.TagUpdate{Name: &name}); err != nil {
				fail(err)
			}
			say("committed %d", i)
		}
	case "commit-then-wait":
		// Commit one tag and wait to be killed: the commit lives only in the WAL.
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			fail(err)
		}
		if _, err := lib.Tags().Create(ctx, core.TagInput{Name: arg}); err != nil {
			fail(err)
		}
		say("committed")
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0) // never Close: like a crash
	case "backup":
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			fail(err)
		}
		for {
			res, err := lib.Backup(ctx, core.BackupOptions{Progress: func(done, total int) { say("progress %d %d", done, total) }})
			if err != nil {
				fail(err)
			}
			say("backup %s", res.Path)
		}
	case "restore":
		_, err := core.Restore(ctx, dir, arg, testOptions(), core.RestoreOptions{Progress: func(p core.RestorePhase) { say("phase %s", p) }})
		if err != nil {
			fail(err)
		}
		say("restored")
		io.Copy(io.Discard, os.Stdin)
	case "scan":
		// Scan (or resume scanning) the tree in arg; "commit" after each of the indexer's
		// commits, "done" at the end.
		core.SetTestHooks(func() { say("commit") }, 0)
		lib, err := core.Open(dir, core.Options{})
		if err != nil {
			fail(err)
		}
		if _, err := lib.ScanPath(ctx, arg, core.ModeContent, nil, core.ScanOptions{Workers: 2}); err != nil {
			fail(err)
		}
		say("done")
		io.Copy(io.Discard, os.Stdin)
	case "hot-journal":
		// Leave a hot rollback journal: rollback-journal mode, a transaction larger than the
		// page cache (so pages spill into database.db), then wait to be killed.
		db, err := sql.Open("sqlite3", fileURI(filepath.Join(dir, core.DatabaseFile), "_pragma=busy_timeout(5000)"))
		if err != nil {
			fail(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`PRAGMA journal_mode=DELETE`); err != nil {
			fail(err)
		}
		if _, err := db.Exec(`PRAGMA cache_size=10; BEGIN; WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
INSERT INTO tags (uuid, name, icon, created_at, updated_at) SELECT randomblob(16), 'spill ' || i, hex(randomblob(300)), 0, 0 FROM s`); err != nil {
			fail(err)
		}
		say("dirty")
		io.Copy(io.Discard, os.Stdin)
	case "open":
		say("opening")
		lib, err := core.Open(dir, testOptions())
		if err != nil {
			fail(err)
		}
		say("opened")
		lib.Close()
		io.Copy(io.Discard, os.Stdin)
	default:
		fail(fmt.Errorf("unknown helper mode %q", mode))
	}
	return true
}

// helper is a running helper process.
type helper struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
	stdin io.WriteCloser
}

func startHelper(t testing.TB, mode, dir, arg string) *helper {
	t.Helper()
	skipWithoutSubprocesses(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir, helperArgEnv+"="+arg)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, lines: bufio.NewScanner(stdout), stdin: stdin}
	t.Cleanup(h.kill)
	return h
}

// next returns the helper's next line; it fails the test on an "error" line or exit.
func (h *helper) next(t testing.TB) string {
	t.Helper()
	if !h.lines.Scan() {
		h.kill()
		t.Fatalf("helper exited early: %v", h.lines.Err())
	}
	l := h.lines.Text()
	if strings.HasPrefix(l, "error ") {
		h.kill()
		t.Fatalf("helper: %s", l)
	}
	return l
}

// kill sends SIGKILL (TerminateProcess on Windows) and reaps the process. Nothing in the
// helper runs after it: no deferred Close, no checkpoint, no cleanup.
func (h *helper) kill() {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Kill()
	h.stdin.Close()
	h.cmd.Wait()
}

// newCrashLibrary makes a library with one location (a real directory) and returns the
// library directory and the location's path.
func newCrashLibrary(t testing.TB) (string, string) {
	t.Helper()
	tmp := t.TempDir()
	dir, data := filepath.Join(tmp, "lib"), filepath.Join(tmp, "data")
	os.Mkdir(data, 0o755)
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Locations().Create(ctx, core.LocationInput{Path: data}); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	p, _ := core.CleanLocationPath(data)
	return dir, p
}

// openAndCheck opens the library after a crash and requires Check to pass.
func openAndCheck(t testing.TB, dir string) *core.Library {
	t.Helper()
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatalf("open after SIGKILL: %v", err)
	}
	rep, err := lib.Check(ctx)
	if err != nil || !rep.OK {
		lib.Close()
		t.Fatalf("check after SIGKILL: %v %+v", err, rep.Problems)
	}
	return lib
}

// killDuringTagEdits runs one round: a helper edits tags, is SIGKILLed after `after`
// committed rounds (plus whatever it did in between), and the library must open, pass
// Check and hold every round the helper reported committed, each complete.
func killDuringTagEdits(t testing.TB, dir, root string, after int) {
	t.Helper()
	lib0, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	base := len(tagNamesTB(t, lib0))
	lib0.Close()
	h := startHelper(t, "tag-edits", dir, root)
	last := -1
	for last < after {
		l := h.next(t)
		n, err := strconv.Atoi(strings.TrimPrefix(l, "committed "))
		if err != nil {
			t.Fatalf("helper said %q", l)
		}
		last = n
	}
	h.kill()
	lib := openAndCheck(t, dir)
	defer lib.Close()
	tags, _, err := lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	// The helper may have committed more rounds than it had reported when the kill landed,
	// and the round in flight may be partly there (three transactions): an unrenamed "t<i>".
	// Every renamed tag must be a complete round, and rounds must be contiguous from 0.
	complete, inFlight := map[int]bool{}, 0
	for _, tg := range tags {
		var i int
		if _, err := fmt.Sscanf(tg.Name, "tag %d", &i); err == nil {
			if tg.Usage != 1 {
				t.Fatalf("round %d renamed but not applied: %+v", i, tg)
			}
			complete[i] = true
		} else if strings.HasPrefix(tg.Name, "t") {
			inFlight++
		}
	}
	for i := 0; i <= last; i++ {
		if !complete[i] {
			t.Fatalf("committed round %d lost after SIGKILL (have %d complete rounds)", i, len(complete))
		}
	}
	if len(tags)-base != len(complete)+inFlight || inFlight > 1 {
		t.Fatalf("after SIGKILL: %d complete rounds, %d in flight, %d tags", len(complete), inFlight, len(tags)-base)
	}
	// Clean up for the next round: the helper restarts numbering at 0.
	for _, tg := range tags {
		if err := lib.Tags().Delete(ctx, tg.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func tagNamesTB(t testing.TB, lib *core.Library) []string {
	tags, _, err := lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		out = append(out, tg.Name)
	}
	return out
}

// TestCrash_TagEdits: SIGKILL during tag edits at several points loses no committed edit and
// leaves a library that passes Check.
func TestCrash_TagEdits(t *testing.T) {
	dir, root := newCrashLibrary(t)
	for _, after := range []int{0, 1, 4, 9, 17} {
		killDuringTagEdits(t, dir, root, after)
	}
}

// TestCrash_CommitInWAL: a transaction committed just before SIGKILL (so only in the WAL) is
// there after reopening.
func TestCrash_CommitInWAL(t *testing.T) {
	dir, _ := newCrashLibrary(t)
	h := startHelper(t, "commit-then-wait", dir, "only in the WAL")
	if l := h.next(t); l != "committed" {
		t.Fatalf("helper: %q", l)
	}
	h.kill()
	if st, err := os.Stat(filepath.Join(dir, core.DatabaseFile+"-wal")); err != nil || st.Size() == 0 {
		t.Fatalf("expected the commit to sit in the WAL: %v", err)
	}
	lib := openAndCheck(t, dir)
	defer lib.Close()
	if got := tagNames(t, lib); fmt.Sprint(got) != "[only in the WAL]" {
		t.Fatalf("after SIGKILL: %v", got)
	}
}

// TestCrash_Backup: SIGKILL at several points of a backup never leaves a partial file under
// a backup's name (every database_backup_*.db verifies), and the library passes Check.
func TestCrash_Backup(t *testing.T) {
	dir, root := newCrashLibrary(t)
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustBulk(t, lib, 5000) // two backup steps
	lib.Close()
	_ = root
	verified := map[string]bool{}
	for _, at := range []int{1, 2, 3, 5} { // the at-th progress line, across backups
		h := startHelper(t, "backup", dir, "")
		for seen := 0; seen < at; {
			if strings.HasPrefix(h.next(t), "progress ") {
				seen++
			}
		}
		h.kill()
		lib := openAndCheck(t, dir)
		lib.Close()
		list, err := core.ListBackups(filepath.Join(dir, core.BackupsDir))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range list {
			if !verified[b.Path] {
				verifyBackupFile(t, b.Path)
				verified[b.Path] = true
			}
		}
	}
}

// mustBulk adds n tags with 800-byte icons: a few MiB of pages, quickly.
func mustBulk(t testing.TB, lib *core.Library, n int) {
	t.Helper()
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
INSERT INTO tags (uuid, name, icon, created_at, updated_at) SELECT randomblob(16), 'bulk ' || i, hex(randomblob(400)), 0, 0 FROM s`, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// verifyBackupFile requires a backup to be whole: restorable into a fresh library that
// passes Check.
func verifyBackupFile(t testing.TB, path string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "verify")
	if _, err := core.Restore(ctx, dir, path, testOptions(), core.RestoreOptions{}); err != nil {
		t.Fatalf("backup %s is not whole: %v", filepath.Base(path), err)
	}
	lib := openAndCheck(t, dir)
	lib.Close()
}

// TestCrash_Restore: SIGKILL at each phase of a restore leaves the old library or the new
// one, whole, never a mix and never nothing.
func TestCrash_Restore(t *testing.T) {
	for _, phase := range []core.RestorePhase{core.PhaseValidate, core.PhaseLock, core.PhaseKeep, core.PhaseSwap, "restored"} {
		t.Run(string(phase), func(t *testing.T) {
			dir, _ := newCrashLibrary(t)
			lib, err := core.Open(dir, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			mustTag(t, lib, "old")
			b, err := lib.Backup(ctx, core.BackupOptions{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			mustTag(t, lib, "new")
			lib.Close()
			h := startHelper(t, "restore", dir, b.Path)
			for {
				l := h.next(t)
				if l == "phase "+string(phase) || l == string(phase) {
					break
				}
			}
			h.kill()
			lib = openAndCheck(t, dir)
			defer lib.Close()
			got := fmt.Sprint(tagNames(t, lib))
			if got != "[new old]" && got != "[old]" {
				t.Fatalf("after SIGKILL at %s the library holds %s", phase, got)
			}
			if phase == "restored" && got != "[old]" {
				t.Fatalf("restore reported done but the library holds %s", got)
			}
		})
	}
}

// TestCrash_Migrations: SIGKILL while a new library is being created and migrated, at
// several delays after the helper starts opening: the library either does not exist yet or
// opens (finishing any migration left) and passes Check.
func TestCrash_Migrations(t *testing.T) {
	for _, d := range []time.Duration{0, 200 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond} {
		dir := filepath.Join(t.TempDir(), "lib")
		h := startHelper(t, "open", dir, "")
		if l := h.next(t); l != "opening" {
			t.Fatalf("helper: %q", l)
		}
		time.Sleep(d) // where the kill lands varies; every outcome must be sound
		h.kill()
		lib := openAndCheck(t, dir)
		info, err := lib.Info(ctx)
		lib.Close()
		if err != nil || info.SchemaVersion == 0 {
			t.Fatalf("after SIGKILL at +%v: %+v %v", d, info, err)
		}
	}
}

// TestCrash_HotJournal: a process killed mid-write in rollback-journal mode leaves a hot
// journal that only a read-write connection can roll back. A read-only open refuses with a
// clear message and changes nothing; a read-write open recovers it (the interrupted
// transaction disappears whole) and the library passes Check. TestCrash_Migrations hit this
// by chance (a library killed while being created, before WAL mode); this makes it certain.
func TestCrash_HotJournal(t *testing.T) {
	dir, _ := newCrashLibrary(t)
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "committed")
	lib.Close()
	h := startHelper(t, "hot-journal", dir, "")
	if l := h.next(t); l != "dirty" {
		t.Fatalf("helper: %q", l)
	}
	h.kill()
	if st, err := os.Stat(filepath.Join(dir, core.DatabaseFile+"-journal")); err != nil || st.Size() == 0 {
		t.Fatalf("no hot journal left: %v", err)
	}
	ro := testOptions()
	ro.ReadOnly = true
	if _, err := core.Open(dir, ro); !errors.Is(err, core.ErrIncompatible) || !strings.Contains(err.Error(), "read-write") {
		t.Fatalf("read-only open of a library with a hot journal: %v", err)
	}
	lib = openAndCheck(t, dir)
	defer lib.Close()
	if got := tagNames(t, lib); fmt.Sprint(got) != "[committed]" {
		t.Fatalf("after recovery: %d tags (%v…), want only the committed one", len(got), got[:min(3, len(got))])
	}
}
