package core_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/filedex/filedex/core"
)

// TestMeasureBackup measures the two ways to back up a live library that RATIONALE.md
// compares: the online backup API (Library.Backup, verification included) and VACUUM INTO,
// each while a writer commits one small transaction after another. It is a measurement, not a
// test: it runs only with FILEDEX_MEASURE_BACKUP=N (entries) and prints its figures.
//
//	FILEDEX_MEASURE_BACKUP=100000 go test ./core -run TestMeasureBackup -v
func TestMeasureBackup(t *testing.T) {
	n := envInt("FILEDEX_MEASURE_BACKUP", 0)
	if n == 0 {
		t.Skip("a measurement: set FILEDEX_MEASURE_BACKUP=<entries>")
	}
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	os.Mkdir(data, 0o755)
	lib, err := core.Open(filepath.Join(tmp, "lib"), core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
		// 5 % directories, realistic-length names, content ids on the files.
		_, err := tx.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?3)
INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at, path)
SELECT 100 + i, ?1, ?2, 'IMG_' || (20000000 + i) || CASE WHEN i % 20 = 0 THEN '' ELSE '.jpg' END,
  CASE WHEN i % 20 = 0 THEN NULL ELSE 'jpg' END, CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END,
  CASE WHEN i % 20 = 0 THEN 0 ELSE abs(random() % 5000000) END, 1700000000000 + i,
  CASE WHEN i % 20 = 0 THEN 'IMG_' || (20000000 + i) END FROM s`, loc.ID, loc.RootID, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	measure := func(name string, op func() (string, error)) {
		var stop atomic.Bool
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				s := time.Now()
				if err := lib.UpdateForTest(ctx, func(tx *sql.Tx) error {
					_, err := tx.Exec(`INSERT INTO tags (uuid, name, created_at, updated_at) VALUES (randomblob(16), hex(randomblob(8)), 0, 0)`)
					return err
				}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(s))
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		lat = lat[:0]
		mu.Unlock()
		start := time.Now()
		path, err := op()
		took := time.Since(start)
		stop.Store(true)
		wg.Wait()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st, _ := os.Stat(path)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		var p50, max time.Duration
		if len(lat) > 0 {
			p50, max = lat[len(lat)/2], lat[len(lat)-1]
		}
		t.Logf("%-28s %8v  %6.1f MB  writer meanwhile: %d commits, p50 %v, max %v",
			name, took.Round(time.Millisecond), float64(st.Size())/1e6, len(lat), p50.Round(10*time.Microsecond), max.Round(10*time.Microsecond))
	}

	measure("backup API (Library.Backup)", func() (string, error) {
		res, err := lib.Backup(ctx, core.BackupOptions{Dir: filepath.Join(tmp, "b1")})
		return res.Path, err
	})
	measure("backup API, copy only", func() (string, error) {
		out := filepath.Join(tmp, "api-copy.db")
		db, err := driver.Open(fileURI(filepath.Join(tmp, "lib", core.DatabaseFile), "mode=ro"))
		if err != nil {
			return "", err
		}
		defer db.Close()
		conn, err := db.Conn(ctx)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		return out, conn.Raw(func(c any) error { return c.(driver.Conn).Raw().Backup("main", fileURI(out, "")) })
	})
	measure("integrity_check of a copy", func() (string, error) {
		out := filepath.Join(tmp, "api-copy.db")
		db, err := driver.Open(fileURI(out, "mode=ro"))
		if err != nil {
			return "", err
		}
		defer db.Close()
		var ok string
		return out, db.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	})
	measure("VACUUM INTO", func() (string, error) {
		out := filepath.Join(tmp, "vacuum-into.db")
		db, err := driver.Open(fileURI(filepath.Join(tmp, "lib", core.DatabaseFile), "mode=ro"))
		if err != nil {
			return "", err
		}
		defer db.Close()
		_, err = db.Exec(`VACUUM INTO ?`, out)
		return out, err
	})
}
