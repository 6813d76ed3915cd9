package core_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/filedex/filedex/core"
)

func ExampleLibrary_Backup() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{Clock: core.FixedClock(t0)})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()

	// Keep the newest 5 backups; report progress as pages are copied.
	res, err := lib.Backup(ctx, core.BackupOptions{Keep: 5, Progress: func(done, total int) {}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(res.Path))
	// Output: database_backup_20250301_120000.db
}

func ExampleRestore() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "library")
	lib, err := core.Open(dir, core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	lib.Tags().Create(ctx, core.TagInput{Name: "kept"})
	b, _ := lib.Backup(ctx, core.BackupOptions{})
	lib.Tags().Create(ctx, core.TagInput{Name: "lost"})
	lib.Close() // a restore needs the library closed everywhere (or use Library.Restore)

	res, err := core.Restore(ctx, dir, b.Path, core.Options{}, core.RestoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	lib, _ = core.Open(dir, core.Options{})
	defer lib.Close()
	tags, _, _ := lib.Tags().List(ctx, core.Page{})
	fmt.Println(len(tags), tags[0].Name, res.Previous != "")
	// Output: 1 kept true
}

func ExampleLibrary_Check() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()
	rep, err := lib.Check(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.OK, len(rep.Problems), rep.Checks[0])
	// Output: true 0 integrity
}

func ExampleLibrary_Optimize() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "filedex-example")
	defer os.RemoveAll(tmp)
	lib, err := core.Open(filepath.Join(tmp, "library"), core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close()
	rep, err := lib.Optimize(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.SizeAfter == rep.SizeBefore-rep.Reclaimed)
	// Output: true
}
