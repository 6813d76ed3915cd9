package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// readerTestLibrary builds a small ANALYZEd library whose entries cover what scanEntry
// reads: directories, files with and without content, names that are not UTF-8 or carry
// SQL wildcards, NULL and non-NULL times, inodes and permissions, and user metadata with
// tags, labels, notes and custom data on some entries.
func readerTestLibrary(t *testing.T) (l *Library, dirs, files []int64, paths []string) {
	t.Helper()
	ctx := context.Background()
	l, err := Open(filepath.Join(t.TempDir(), "lib"), Options{Clock: FixedClock(time.Unix(1e9, 0)), MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err) // a statement left unfinalized makes SQLite refuse
		}
	})
	loc, err := l.Locations().Create(ctx, LocationInput{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"a.txt", "100%_off.pdf", "caf\xe9.md", "IMG_0001.JPG", "'quoted'", ".hidden", "noext"}
	err = l.update(ctx, "test", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (42, 1, 7, 0)`); err != nil {
			return err
		}
		for d := range 30 {
			name := fmt.Sprintf("d%02d", d)
			id, err := insertEntry(ctx, tx, l, EntryRow{LocationID: loc.ID, ParentID: loc.RootID, Name: name, Kind: KindDirectory, Path: ptr(name), ModifiedAt: time.Unix(int64(d), 0)})
			if err != nil {
				return err
			}
			dirs = append(dirs, id)
			for f := range 40 {
				fn := fmt.Sprintf("%03d %s", f, names[f%len(names)])
				r := EntryRow{LocationID: loc.ID, ParentID: id, Name: fn, ModifiedAt: time.UnixMilli(int64(f) * 1001), Size: int64(f)}
				if f%3 == 0 {
					r.Inode, r.CreatedAt, r.AccessedAt, r.ContentID = ptr(int64(f)), ptr(time.UnixMilli(5)), ptr(time.UnixMilli(7)), ptr(int64(42))
				}
				if f%5 == 0 {
					r.Kind, r.ContentID = KindSymlink, nil
				}
				fid, err := insertEntry(ctx, tx, l, r)
				if err != nil {
					return err
				}
				files = append(files, fid)
				paths = append(paths, filepath.Join(loc.Path, name, fn))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := l.Tags().Create(ctx, TagInput{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	tag2, err := l.Tags().Create(ctx, TagInput{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	label, err := l.Labels().Create(ctx, LabelInput{Name: "work"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(files); i += 7 {
		if _, err := l.Tags().Apply(ctx, tag.ID, files[i]); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := l.Tags().Apply(ctx, tag2.ID, files[i]); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Labels().Apply(ctx, label.ID, files[i], dirs[i%len(dirs)]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := l.Metadata().Set(ctx, files[1], MetadataUpdate{Notes: ptr("n"), Favorite: ptr(true), CustomData: []byte(`{"k":1}`)}); err != nil {
		t.Fatal(err)
	}
	// ANALYZE fills sqlite_stat4: what makes a bare parameter on an indexed column re-prepare.
	if _, err := l.write.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	return l, dirs, files, paths
}

// TestReader_SameAsDatabaseSQL reads every entry (and a metadata row) through database/sql's
// Scan and through the reader connection's: the two must agree field for field, so moving
// a query onto the raw path never changes what the API returns.
func TestReader_SameAsDatabaseSQL(t *testing.T) {
	ctx := context.Background()
	l, _, _, _ := readerTestLibrary(t)
	rows, err := l.read.QueryContext(ctx, entrySelect+` ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	var want []Entry
	for rows.Next() {
		e, err := scanEntry(rows, l)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Entry
	err = l.withReader(ctx, "test", func(r *readConn) error {
		rows, err := r.query(entrySelect + ` ORDER BY e.id`)
		if err != nil {
			return err
		}
		_, err = Entries{l}.collect(rows, &got, len(want)+1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) < 1000 {
		t.Fatalf("%d entries through the reader, %d through database/sql", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("entry %d differs:\nreader       %+v\ndatabase/sql %+v", want[i].ID, got[i], want[i])
		}
	}
	// Metadata: bools, NULL and non-NULL text, a UUID.
	var wantM, gotM Metadata
	var notes, custom [2]sql.NullString
	var created, updated [2]int64
	const q = `SELECT id, uuid, notes, favorite, hidden, custom_data, created_at, updated_at FROM user_metadata ORDER BY notes IS NULL LIMIT 1`
	if err := l.read.QueryRowContext(ctx, q).Scan(&wantM.ID, &wantM.UUID, &notes[0], &wantM.Favorite, &wantM.Hidden, &custom[0], &created[0], &updated[0]); err != nil {
		t.Fatal(err)
	}
	err = l.withReader(ctx, "test", func(r *readConn) error {
		return r.queryRow(q).Scan(&gotM.ID, &gotM.UUID, &notes[1], &gotM.Favorite, &gotM.Hidden, &custom[1], &created[1], &updated[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotM, wantM) || notes[0] != notes[1] || custom[0] != custom[1] || created[0] != created[1] || updated[0] != updated[1] ||
		!wantM.Favorite || !notes[0].Valid || !custom[0].Valid {
		t.Fatalf("metadata differs or is not the annotated row: reader %+v %v %v, database/sql %+v %v %v", gotM, notes[1], custom[1], wantM, notes[0], custom[0])
	}
	// A NULL into a non-Null destination is an error on both paths, and no row is sql.ErrNoRows.
	var s string
	err = l.withReader(ctx, "test", func(r *readConn) error { return r.queryRow(`SELECT NULL`).Scan(&s) })
	if err == nil {
		t.Fatal("NULL scanned into a string without error")
	}
	err = l.withReader(ctx, "test", func(r *readConn) error { return r.queryRow(`SELECT 1 WHERE 0`).Scan(&s) })
	if CodeOf(err) != CodeInternal || !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("no row: %v", err)
	}
}

// TestPointQueries_NoReprepare_Internal runs the point queries many times with changing
// arguments on an ANALYZEd library and checks that SQLite never re-prepared their statements.
// With STAT4 a bare parameter compared with an indexed column (or a LIMIT) makes SQLite
// re-prepare the statement whenever the value changes: metadata's tag and label lookups did,
// once per entry with metadata, which was most of a directory listing's time.
func TestPointQueries_NoReprepare_Internal(t *testing.T) {
	ctx := context.Background()
	l, dirs, files, paths := readerTestLibrary(t)
	var runs int
	for i := range 300 {
		if _, err := l.Entries().GetByPath(ctx, paths[(i*7)%len(paths)]); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Entries().Get(ctx, files[(i*13)%len(files)]); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Entries().Path(ctx, files[(i*11)%len(files)]); err != nil {
			t.Fatal(err)
		}
		for _, o := range []ListOptions{{}, {DirsFirst: true}} {
			es, next, err := l.Entries().List(ctx, dirs[i%len(dirs)], o, Page{Limit: 5 + i%20})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := l.Entries().List(ctx, dirs[i%len(dirs)], o, Page{Limit: 7, After: next}); err != nil || len(es) == 0 {
				t.Fatal(err, len(es))
			}
		}
		if _, _, err := l.Entries().List(ctx, dirs[0]-1, ListOptions{DirsFirst: true}, Page{Limit: 1 + i%3}); err != nil { // the location root
			t.Fatal(err)
		}
	}
	l.readConns.mu.Lock()
	defer l.readConns.mu.Unlock()
	if len(l.readConns.m) == 0 {
		t.Fatal("no reader connection holds statements: the point queries did not use the reader")
	}
	for _, rc := range l.readConns.m {
		for q, st := range rc.stmts {
			runs += st.Status(sqlite3.STMTSTATUS_RUN, false)
			if n := st.Status(sqlite3.STMTSTATUS_REPREPARE, false); n > 1 {
				// One is allowed: the first run after the writer's ANALYZE changed the schema.
				t.Errorf("re-prepared %d times in %d runs: %s", n, st.Status(sqlite3.STMTSTATUS_RUN, false), q)
			}
		}
	}
	if runs < 3000 {
		t.Fatalf("only %d statement runs counted", runs)
	}
}

// TestReader_ConnectionClosed: a reader connection the pool closes (idle timeout) takes its
// statements with it, and the next query prepares them again on a new connection.
func TestReader_ConnectionClosed(t *testing.T) {
	ctx := context.Background()
	l, dirs, _, _ := readerTestLibrary(t)
	if _, _, err := l.Entries().List(ctx, dirs[0], ListOptions{}, Page{}); err != nil {
		t.Fatal(err)
	}
	l.read.SetMaxIdleConns(0) // every connection is closed when returned
	if _, _, err := l.Entries().List(ctx, dirs[1], ListOptions{}, Page{}); err != nil {
		t.Fatal(err)
	}
	l.readConns.mu.Lock()
	n := len(l.readConns.m)
	l.readConns.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d closed connections still in the statement cache", n)
	}
	l.read.SetMaxIdleConns(2)
	if _, _, err := l.Entries().List(ctx, dirs[2], ListOptions{}, Page{}); err != nil {
		t.Fatal(err)
	}
}

// TestCasIDString: the hand-rolled formatting is fmt's %016x of the id as unsigned, and
// ParseCasID reads it back.
func TestCasIDString(t *testing.T) {
	for _, id := range []int64{0, 1, 15, 16, 0xabc, 1 << 40, 1<<63 - 1, -1, -1 << 63, 0x0123456789abcdef} {
		got, want := CasIDString(id), fmt.Sprintf("%016x", uint64(id))
		if got != want {
			t.Errorf("CasIDString(%d) = %q, want %q", id, got, want)
		}
		if back, err := ParseCasID(got); err != nil || back != id {
			t.Errorf("ParseCasID(%q) = %d, %v", got, back, err)
		}
	}
}

// TestReader_SnapshotEnds: a call in a read transaction ends it whatever happens (found,
// not found, context cancelled before or during the call), so the pooled connection is
// never handed out mid-transaction: with a single reader connection, every later call would
// fail ("cannot start a transaction within a transaction") or pin an old snapshot.
func TestReader_SnapshotEnds(t *testing.T) {
	ctx := context.Background()
	l, dirs, _, paths := readerTestLibrary(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for range 3 {
		if _, err := l.Entries().GetByPath(cancelled, paths[0]); CodeOf(err) != CodeCancelled {
			t.Fatalf("cancelled: %v", err)
		}
		if _, err := l.Entries().GetByPath(ctx, paths[0]+"-missing"); CodeOf(err) != CodeNotFound {
			t.Fatalf("missing: %v", err)
		}
		if _, _, err := l.Entries().List(cancelled, dirs[0], ListOptions{}, Page{}); CodeOf(err) != CodeCancelled {
			t.Fatalf("cancelled list: %v", err)
		}
		// Cancelled between two statements of the same call: inside the transaction.
		err := l.withSnapshot(ctx, "test", func(r *readConn) error {
			if _, err := r.resolvePath(l, "test", paths[1]); err != nil {
				return err
			}
			r.c.SetInterrupt(cancelled)
			_, err := r.resolvePath(l, "test", paths[2])
			return err
		})
		if CodeOf(err) != CodeCancelled {
			t.Fatalf("cancelled mid-call: %v", err)
		}
	}
	// A write between two calls is seen by the next one: no snapshot outlived its call.
	e, err := l.Entries().GetByPath(ctx, paths[3])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Metadata().Set(ctx, e.ID, MetadataUpdate{Notes: ptr("after")}); err != nil {
		t.Fatal(err)
	}
	e, err = l.Entries().GetByPath(ctx, paths[3])
	if err != nil || e.Metadata == nil || e.Metadata.Notes != "after" {
		t.Fatalf("stale read after a write: %+v, %v", e.Metadata, err)
	}
	l.readConns.mu.Lock()
	defer l.readConns.mu.Unlock()
	for c := range l.readConns.m {
		if !c.GetAutocommit() {
			t.Fatal("a pooled reader connection is inside a transaction")
		}
	}
}
