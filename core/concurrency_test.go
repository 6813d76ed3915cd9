package core_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
)

// TestConcurrency_ReadersSeeWholeBatches: while a writer commits batches of n rows, readers
// on the same library always see a multiple of n (a committed snapshot, never half a batch),
// and they are not blocked by the open write transaction: the writer holds its transaction
// open, half written, until a reader has completed a read.
func TestConcurrency_ReadersSeeWholeBatches(t *testing.T) {
	skipWithoutThreads(t)
	lib := openTest(t)
	const n, batches, readers = 10, 40, 3
	midBatch := make(chan struct{})
	readDone := make(chan struct{}, 1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, readers+1)

	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tags, _, err := lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
				if err != nil {
					errs <- err
					return
				}
				if len(tags)%n != 0 {
					errs <- fmt.Errorf("reader saw %d tags: half a batch", len(tags))
					return
				}
				select {
				case <-midBatch:
					// A read that starts now starts while the write transaction is open.
					tags, _, err := lib.Tags().List(ctx, core.Page{Limit: core.MaxLimit})
					if err != nil || len(tags)%n != 0 {
						errs <- fmt.Errorf("read during an open write transaction: %d tags, %v", len(tags), err)
						return
					}
					readDone <- struct{}{}
				default:
				}
			}
		}()
	}

	for b := 0; b < batches; b++ {
		err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
			for i := 0; i < n; i++ {
				if _, err := tx.Exec(`INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), ?, 0, 0)`, fmt.Sprintf("b%d-%d", b, i)); err != nil {
					return err
				}
				if b%10 == 0 && i == n/2 {
					// Half a batch written, transaction open: a reader must still get through.
					select {
					case midBatch <- struct{}{}:
					case <-time.After(30 * time.Second):
						return errors.New("no reader left")
					}
					select {
					case <-readDone:
					case <-time.After(30 * time.Second): // a deadlock guard, not a speed limit
						return errors.New("no reader completed while a write transaction was open: readers are blocked")
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(tagNames(t, lib)); got != n*batches {
		t.Fatalf("%d tags, want %d", got, n*batches)
	}
}

// TestConcurrency_ReadOnlyWhileAnotherProcessWrites: a read-only library opens and reads
// while another process holds the write lock, and sees only committed rows.
func TestConcurrency_ReadOnlyWhileAnotherProcessWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	lib, err := core.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustTag(t, lib, "committed")
	lib.Close()
	holdWriteLockProcess(t, dir)
	opts := testOptions()
	opts.ReadOnly = true
	ro, err := core.Open(dir, opts)
	if err != nil {
		t.Fatalf("read-only open while another process writes: %v", err)
	}
	defer ro.Close()
	if got := tagNames(t, ro); fmt.Sprint(got) != "[committed]" {
		t.Fatalf("read-only library sees %v", got)
	}
	mustCheck(t, ro)
	if _, err := ro.Tags().Create(ctx, core.TagInput{Name: "x"}); !errors.Is(err, core.ErrReadOnly) {
		t.Fatalf("write through a read-only library: %v", err)
	}
}
