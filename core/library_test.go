package core_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testOptions makes every output reproducible and the device independent of the machine.
func testOptions() core.Options {
	return core.Options{
		Clock: core.FixedClock(t0),
		UUIDs: core.SeededUUIDs(1),
		Device: &core.DeviceInfo{Name: "test-host", OS: "linux", HardwareModel: "test",
			UUID: [16]byte{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16}},
	}
}

func openTest(t *testing.T) *core.Library {
	t.Helper()
	lib, err := core.Open(filepath.Join(t.TempDir(), "lib"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func TestOpen_CreatesLibrary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	info, err := lib.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "lib" || info.SchemaVersion < 1 || info.Device.Name != "test-host" || !info.Device.IsOnline {
		t.Fatalf("info = %+v", info)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, core.DatabaseFile)); err != nil {
		t.Fatal(err)
	}
	// Reopening keeps the library's identity.
	lib2, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer lib2.Close()
	info2, _ := lib2.Info(context.Background())
	if info2.UUID != info.UUID || info2.Device.ID != info.Device.ID {
		t.Fatalf("identity changed: %v/%v vs %v/%v", info.UUID, info.Device.ID, info2.UUID, info2.Device.ID)
	}
}

func TestOpen_Errors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if _, err := core.Open(file, testOptions()); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("library on a file: %v", err)
	}
	ro := testOptions()
	ro.ReadOnly = true
	if _, err := core.Open(filepath.Join(tmp, "missing"), ro); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("read-only open of a missing library: %v", err)
	}
	garbage := filepath.Join(tmp, "garbage")
	os.MkdirAll(garbage, 0o755)
	os.WriteFile(filepath.Join(garbage, core.DatabaseFile), []byte("this is not a database, not at all, no"), 0o644)
	if _, err := core.Open(garbage, testOptions()); !errors.Is(err, core.ErrIncompatible) {
		t.Errorf("garbage database: %v", err)
	}
}

// TestClose_LeavesNoWALFiles: after the last connection closes, the library directory holds
// the database alone. A left -shm makes the WASI build (dot-lock VFS) refuse the library
// ("locking protocol"), so a library indexed natively could not be opened with --engine wasi.
func TestClose_LeavesNoWALFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Reads and a write, so both pools hold connections that mapped the WAL index.
	if _, err := lib.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Labels().Create(context.Background(), core.LabelInput{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(filepath.Join(dir, core.DatabaseFile+suffix)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s%s after Close: %v (want it removed)", core.DatabaseFile, suffix, err)
		}
	}
}

// TestOpen_MustExist: a caller that only reads gets ErrNotFound for a library that does not
// exist, and nothing is created: neither the directory nor, in an existing directory, the
// database or the lock file. An existing library opens as usual.
func TestOpen_MustExist(t *testing.T) {
	opts := testOptions()
	opts.MustExist = true
	missing := filepath.Join(t.TempDir(), "typo")
	if lib, err := core.Open(missing, opts); !errors.Is(err, core.ErrNotFound) {
		if lib != nil {
			lib.Close()
		}
		t.Fatalf("missing directory: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the missing library's directory was created (%v)", err)
	}
	empty := t.TempDir()
	if lib, err := core.Open(empty, opts); !errors.Is(err, core.ErrNotFound) {
		if lib != nil {
			lib.Close()
		}
		t.Fatalf("empty directory: %v, want ErrNotFound", err)
	}
	if des, _ := os.ReadDir(empty); len(des) != 0 {
		t.Fatalf("an open that must not create left %d files in an empty directory (%s)", len(des), des[0].Name())
	}
	lib, err := core.Open(empty, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	if lib, err = core.Open(empty, opts); err != nil {
		t.Fatalf("existing library with MustExist: %v", err)
	}
	lib.Close()
}
