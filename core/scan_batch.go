package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/core/internal/contentkind"
	"github.com/filedex/filedex/core/internal/identify"
	"github.com/filedex/filedex/core/internal/walk"
)

// dbEntry is an existing child row of the directory being scanned.
type dbEntry struct {
	id        int64
	name      string
	kind      Kind
	size      int64
	mtime     int64
	inode     int64
	perms     int64
	nlink     int64 // 0: one name or unknown (NULL)
	contentID int64 // 0: none
	path      string
}

// diskEntry is a child found on disk (names copied out of the walker's reused buffers).
type diskEntry struct {
	name string
	e    walk.Entry
}

func kindOf(t walk.Type) Kind {
	switch t {
	case walk.Dir:
		return KindDirectory
	case walk.Symlink:
		return KindSymlink
	}
	return KindFile
}

// nsToMS converts walker nanoseconds to the schema's milliseconds, flooring so that times
// before 1970 land in the right millisecond too.
func nsToMS(ns int64) int64 {
	if ns >= 0 {
		return ns / 1e6
	}
	return -((-ns + 1e6 - 1) / 1e6)
}

func optMS(ns int64) any {
	if ns == 0 {
		return nil
	}
	return nsToMS(ns)
}

func sizeOf(e walk.Entry) int64 {
	if e.Type == walk.Dir {
		return 0 // a directory inode's own size is filesystem noise; du sums its files
	}
	return e.Size
}

// displacedName is the name a row gets while its own name is gone from disk (deleted,
// renamed, replaced by another inode): "/<id>/<name>". No name read from a filesystem
// contains '/', so it collides with nothing; the id keeps it unique; the old name stays
// readable for warnings; and finalize finds every displaced row of a location with one
// range of the name index. A displaced directory's path is the same string, and its
// subtree's paths move below it.
func displacedName(id int64, name string) string { return "/" + strconv.FormatInt(id, 10) + "/" + name }

// originalName is the name a displaced row had.
func originalName(displaced string) string {
	if !strings.HasPrefix(displaced, "/") {
		return displaced
	}
	_, rest, _ := strings.Cut(displaced[1:], "/")
	return rest
}

// hashJob is a file whose content must be identified.
type hashJob struct {
	id    int64
	path  string
	name  string
	size  int64
	mtime int64
	// results
	cas     uint64
	kind    contentkind.Kind
	full    []byte
	media   []byte
	warning string // why it is not identified, recorded when its directory is indexed
	hashed  bool
	done    *sync.WaitGroup // the batch's, when identified ahead
}

// dirBatch is one directory's listing, copied out of the walker's reused buffers, waiting
// to be indexed.
type dirBatch struct {
	path     string
	disk     []diskEntry
	warnings []string
	err      error
	// ahead: pre was listed and handed to the hashing pipeline when the batch was taken
	// (first scans, where a directory below the root has no rows to diff against); hashing
	// is done when all of pre is.
	ahead   bool
	pre     []*hashJob
	hashing sync.WaitGroup
}

func (s *scanner) take(b *walk.Batch) *dirBatch {
	db := &dirBatch{path: b.Path, disk: make([]diskEntry, len(b.Entries)), err: b.Err}
	for i, e := range b.Entries {
		db.disk[i] = diskEntry{name: string(e.Name), e: e}
		db.disk[i].e.Name = nil
		if testHookEntry != nil {
			testHookEntry(&db.disk[i].e)
		}
	}
	for i := range b.Warnings {
		db.warnings = append(db.warnings, b.Warnings[i].Error())
	}
	return db
}

// batch takes a directory's listing from the walker and indexes it: at once, or, when its
// content can be identified ahead (see pipe), after the content of up to pipeDepth
// directories before it is identified while earlier ones are written.
func (s *scanner) batch(ctx context.Context, b *walk.Batch) error {
	db := s.take(b)
	if s.pipe == nil || db.path == "" {
		if err := s.drain(ctx); err != nil {
			return err
		}
		return s.index(ctx, db)
	}
	db.ahead = true
	db.pre = s.prehash(db.path, db.disk, nil)
	s.pipe.submit(db)
	s.queue = append(s.queue, db)
	s.queued += len(db.pre)
	for len(s.queue) > pipeDepth || (len(s.queue) > 1 && s.queued > pipeFiles) {
		if err := s.indexFront(ctx); err != nil {
			return err
		}
	}
	return nil
}

// indexFront indexes the oldest queued directory once its content is identified.
func (s *scanner) indexFront(ctx context.Context) error {
	db := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	s.queued -= len(db.pre)
	db.hashing.Wait()
	return s.index(ctx, db)
}

// drain indexes every queued directory, in walk order.
func (s *scanner) drain(ctx context.Context) error {
	for len(s.queue) > 0 {
		if err := s.indexFront(ctx); err != nil {
			return err
		}
	}
	return nil
}

// index diffs one directory's children on disk against its rows, writes the changes, and
// identifies the content of new and modified files. Progress, warnings and the walk
// position move only here, so a checkpoint never counts a directory it has not written.
func (s *scanner) index(ctx context.Context, db *dirBatch) (err error) {
	p := &s.ck.Progress
	// A directory that fails to be written is not counted: a cancelled call (Ctrl-C)
	// fails here when it finds its context done, the scan pauses with the checkpoint
	// before this directory, and the resumed scan counts it when it writes it.
	saved := *p
	s.mu.Lock()
	savedWarnings := len(s.ck.Warnings)
	s.mu.Unlock()
	defer func() {
		if err != nil {
			s.mu.Lock()
			s.ck.Progress, s.ck.Warnings = saved, s.ck.Warnings[:savedWarnings]
			s.mu.Unlock()
		}
	}()
	p.CurrentPath = db.path
	disk := db.disk
	for _, d := range disk {
		switch d.e.Type {
		case walk.Dir:
			p.Dirs++
		case walk.Symlink:
			p.Symlinks++
		default:
			p.Files++
			p.Bytes += d.e.Size
		}
	}
	for _, w := range db.warnings {
		s.warn("%s", w)
	}
	if db.err != nil {
		s.warn("%s (its listing is incomplete; missing entries are kept)", db.err.Error())
	}
	complete := db.err == nil
	var dirID int64
	var dirPath string
	var rows []dbEntry
	var same bool // the rows match the listing (scan_digest.go): nothing to read or write
	err = s.w.do(ctx, func(c *sqlite3.Conn) error {
		var err error
		if dirID, dirPath, err = s.dirRow(c, db.path); err != nil || dirID == 0 {
			return err
		}
		if dirID <= s.ck.StartMaxID || !s.ck.FirstScan {
			if complete && !db.ahead {
				if same, err = s.unchanged(c, dirID, disk); err != nil || same {
					if err == nil {
						err = s.skipSubdirs(c, dirID, dirPath, disk)
					}
					return err
				}
			}
			rows, err = s.children(c, dirID)
		}
		return err
	})
	if err != nil {
		return err
	}
	if dirID == 0 {
		s.warn("%s: directory not in the index (changed during the scan?); skipped until the next scan", s.absPath(db.path, ""))
		return nil
	}
	if same {
		return s.indexed(ctx, db)
	}
	// Identify content before writing rows, so a new file's row is written once, content
	// id included, instead of inserted and then updated. A batch identified ahead listed
	// its files without rows; should it have rows after all, its list is a superset of
	// what prehash would give, and identifying a file again does no harm.
	pre := db.pre
	if !db.ahead {
		pre = s.prehash(dirPath, disk, rows)
		s.hash(ctx, pre)
	}
	var cids map[string]int64
	if len(pre) > 0 {
		s.jobWarnings(pre)
		cids = make(map[string]int64, len(pre))
		if err := s.w.do(ctx, func(c *sqlite3.Conn) error { return s.insertContent(c, pre, cids) }); err != nil {
			return err
		}
	}
	var jobs []*hashJob
	s.now = s.l.now() // one clock read a directory for the new rows' UUIDv7 timestamps
	err = s.w.do(ctx, func(c *sqlite3.Conn) error {
		var err error
		jobs, err = s.apply(c, dirID, dirPath, disk, rows, complete, cids)
		return err
	})
	if err != nil {
		return err
	}
	if len(jobs) > 0 { // rows whose content changed on a move: rare
		s.hash(ctx, jobs)
		s.jobWarnings(jobs)
		if err := s.w.do(ctx, func(c *sqlite3.Conn) error { return s.writeContent(c, jobs) }); err != nil {
			return err
		}
	}
	// The rows now match the listing unless the listing is incomplete or a row whose name
	// went missing stays displaced here until finalize. Every file has a content identity
	// when each one that needed identifying got one (the others kept theirs).
	if complete && s.leftover == 0 {
		contentDone := s.contentMode() && allHashed(pre) && allHashed(jobs)
		if err := s.w.do(ctx, func(c *sqlite3.Conn) error { return s.queueDigest(c, dirID, disk, contentDone) }); err != nil {
			return err
		}
	}
	return s.indexed(ctx, db)
}

// indexed moves the walk position past a written (or unchanged) directory and commits when due.
func (s *scanner) indexed(ctx context.Context, db *dirBatch) error {
	after := db.path
	s.ck.After = &after
	s.report(false)
	if s.w.due(len(s.pending)) {
		return s.commit(ctx)
	}
	return nil
}

func allHashed(jobs []*hashJob) bool {
	for _, j := range jobs {
		if !j.hashed {
			return false
		}
	}
	return true
}

// jobWarnings records the warnings of identified files, with their directory's batch.
func (s *scanner) jobWarnings(jobs []*hashJob) {
	for _, j := range jobs {
		if j.warning != "" {
			s.warn("%s", j.warning)
		}
	}
}

// prehash lists the files of a directory whose content must be identified: new ones,
// modified ones, and unchanged ones never identified (a scan in metadata mode before, or a
// read that failed). It is the same merge as apply, without writing.
func (s *scanner) prehash(dirPath string, disk []diskEntry, rows []dbEntry) []*hashJob {
	if !s.contentMode() {
		return nil
	}
	var out []*hashJob
	j := 0
	for _, d := range disk {
		if d.e.Type != walk.File || d.e.Size == 0 {
			continue
		}
		for j < len(rows) && rows[j].name < d.name {
			j++
		}
		if j < len(rows) && rows[j].name == d.name {
			r := rows[j]
			same := r.kind == KindFile && (r.inode == 0 || d.e.Ino == 0 || uint64(r.inode) == d.e.Ino) &&
				r.size == d.e.Size && r.mtime == nsToMS(d.e.Mtime)
			if same && r.contentID != 0 {
				continue
			}
		}
		out = append(out, s.hashJobFor(0, dirPath, d))
	}
	return out
}

// insertContent writes the content identities of hashed files and maps their names to them.
// One multi-row upsert per contentChunk files: a statement execution per file was the
// largest per-file cost of the writer after the entry inserts themselves. Two files of one
// directory with the same content are two rows of one statement; SQLite applies the upsert
// row by row, so the second one updates the first.
func (s *scanner) insertContent(c *sqlite3.Conn, jobs []*hashJob, cids map[string]int64) error {
	p := &s.ck.Progress
	now := ms(s.l.now())
	rows := s.contentRows[:0]
	for _, j := range jobs {
		if !j.hashed {
			continue
		}
		rows = append(rows, j)
		cids[j.name] = int64(j.cas)
		p.Hashed++
		p.HashedBytes += j.size
	}
	s.contentRows = rows[:0]
	for len(rows) > 0 {
		n := min(len(rows), contentChunk)
		st, err := s.w.stmt(c, upsertContentSQL[n])
		if err != nil {
			return err
		}
		for k, j := range rows[:n] {
			base := k * 6
			var err error
			if j.full != nil {
				err = st.BindBlob(base+4, j.full)
			} else {
				err = st.BindNull(base + 4)
			}
			if j.media != nil {
				err = errors.Join(err, st.BindText(base+5, string(j.media)))
			} else {
				err = errors.Join(err, st.BindNull(base+5))
			}
			if err = errors.Join(err, st.BindInt64(base+1, int64(j.cas)), st.BindInt64(base+2, int64(j.kind)),
				st.BindInt64(base+3, j.size), st.BindInt64(base+6, now)); err != nil {
				return err
			}
		}
		if err := st.Exec(); err != nil {
			return err
		}
		s.w.changes += int(c.Changes())
		rows = rows[n:]
	}
	return nil
}

// contentChunk is how many content identities one upsert writes at most.
const contentChunk = 64

// upsertContentSQL[n] is the upsert of n content identities (6 parameters each).
var upsertContentSQL [contentChunk + 1]string

func init() {
	for n := 1; n <= contentChunk; n++ {
		upsertContentSQL[n] = `INSERT INTO content_identity (id, kind, size_bytes, integrity_hash, media_data, created_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?),", n), ",") +
			`
ON CONFLICT (id) DO UPDATE SET integrity_hash = coalesce(excluded.integrity_hash, integrity_hash), media_data = coalesce(excluded.media_data, media_data)`
	}
}

// subdir remembers the row of a subdirectory the walk will deliver later. The walk keeps
// at most the subdirectories of the directories on its current path pending, so the map
// stays as small as the walker's own stack.
func (s *scanner) subdir(dirPath, name string, id int64) {
	if s.subdirs == nil {
		s.subdirs = map[string]int64{}
	}
	s.subdirs[walk.Join(dirPath, name)] = id
}

// dirRow finds the row of the directory at a relative path (0 when there is none).
func (s *scanner) dirRow(c *sqlite3.Conn, rel string) (id int64, path string, err error) {
	// The parent's batch usually told us: a query per directory saved.
	if id, ok := s.subdirs[rel]; ok {
		delete(s.subdirs, rel)
		return id, rel, nil
	}
	if err := s.flushInserts(c, true); err != nil { // the row may be among them
		return 0, "", err
	}
	err = s.w.query(c, `SELECT id FROM entries WHERE location_id = ? AND path = ?`, []any{s.loc.ID, rel}, func(st *sqlite3.Stmt) error {
		id = st.ColumnInt64(0)
		return nil
	})
	return id, rel, err
}

func (s *scanner) children(c *sqlite3.Conn, dirID int64) ([]dbEntry, error) {
	if testHookChildren != nil {
		testHookChildren()
	}
	var out []dbEntry
	err := s.w.query(c, `SELECT id, name, kind, size, modified_at, coalesce(inode, 0), coalesce(permissions, -1), coalesce(content_id, 0), coalesce(path, ''), coalesce(nlink, 0)
FROM entries WHERE parent_id = ? ORDER BY name`, []any{dirID}, func(st *sqlite3.Stmt) error {
		out = append(out, dbEntry{
			id: st.ColumnInt64(0), name: st.ColumnText(1), kind: Kind(st.ColumnInt64(2)), size: st.ColumnInt64(3),
			mtime: st.ColumnInt64(4), inode: st.ColumnInt64(5), perms: st.ColumnInt64(6), contentID: st.ColumnInt64(7),
			path: st.ColumnText(8), nlink: st.ColumnInt64(9),
		})
		return nil
	})
	return out, err
}

func (s *scanner) contentMode() bool { return s.ck.Mode == ModeContent || s.ck.Mode == ModeDeep }

// needsContent reports whether a file row must be (re)hashed.
func (s *scanner) needsContent(kind Kind, size, contentID int64) bool {
	return s.contentMode() && kind == KindFile && size > 0 && contentID == 0
}

// apply writes a directory's changes. rows and disk are both sorted by name bytes (SQLite's
// BINARY collation is memcmp), so one merge pass classifies every name.
func (s *scanner) apply(c *sqlite3.Conn, dirID int64, dirPath string, disk []diskEntry, rows []dbEntry, complete bool, cids map[string]int64) ([]*hashJob, error) {
	p := &s.ck.Progress
	var jobs []*hashJob
	var fresh []diskEntry
	var displaced []dbEntry
	i, j := 0, 0
	for i < len(disk) || j < len(rows) {
		var cmp int
		switch {
		case i == len(disk):
			cmp = 1
		case j == len(rows):
			cmp = -1
		default:
			cmp = strings.Compare(disk[i].name, rows[j].name)
		}
		switch {
		case cmp < 0:
			fresh = append(fresh, disk[i])
			i++
		case cmp > 0:
			if complete {
				displaced = append(displaced, rows[j])
			}
			j++
		default:
			d, r := disk[i], rows[j]
			i++
			j++
			k := kindOf(d.e.Type)
			if k == KindDirectory && r.kind == KindDirectory {
				s.subdir(dirPath, d.name, r.id)
			}
			sameInode := r.inode == 0 || d.e.Ino == 0 || uint64(r.inode) == d.e.Ino
			if k != r.kind || !sameInode {
				// Same name, another file: the old row may have moved elsewhere.
				displaced = append(displaced, r)
				fresh = append(fresh, d)
				continue
			}
			changed := r.size != sizeOf(d.e) || r.mtime != nsToMS(d.e.Mtime)
			newCID, hashed := cids[d.name]
			// Permissions count only where they can be seen (r.perms is -1 when unknown, so a
			// platform that sees them fills them in): under WASI every file would otherwise
			// "change" to the mode Go's port makes up.
			permsChanged := walk.PermKnown && r.perms != int64(d.e.Perm)
			// Link counts likewise, where the walker sees them (a known count of 1 is stored
			// as NULL, as is an unknown one: see nlinkOf).
			nlink, nlinkKnown := nlinkOf(d.e)
			nlinkChanged := nlinkKnown && r.nlink != nlink
			if changed || permsChanged || nlinkChanged || (d.e.Ino != 0 && r.inode == 0) || (hashed && newCID != r.contentID) {
				cid := r.contentID
				if changed || hashed {
					cid = newCID
				}
				if err := s.updateRow(c, r.id, dirID, d, cid); err != nil {
					return nil, err
				}
				if k != KindDirectory { // a directory's mtime moves with every child added
					p.Updated++
				}
				if r.contentID != 0 && cid != r.contentID {
					s.orphanCandidate(r.contentID)
				}
			}
		}
	}

	// Free the names of displaced rows first: a fresh entry may need one (a swap).
	for _, r := range displaced {
		if err := s.displace(c, r); err != nil {
			return nil, err
		}
	}
	// Renames inside this directory: a displaced row whose inode reappears under a new name.
	byIno := map[uint64]int{}
	for k, r := range displaced {
		if r.inode != 0 {
			byIno[uint64(r.inode)] = k
		}
	}
	used := make([]bool, len(displaced))
	for _, d := range fresh {
		k := kindOf(d.e.Type)
		rowID := int64(0)
		if x, ok := byIno[d.e.Ino]; ok && d.e.Ino != 0 && !used[x] && displaced[x].kind == k {
			used[x] = true
			rowID = displaced[x].id
		} else if id, ok, err := s.findMoved(c, k, d, dirPath); err != nil {
			return nil, err
		} else if ok {
			rowID = id
		}
		if rowID != 0 {
			if k == KindDirectory {
				s.subdir(dirPath, d.name, rowID)
			}
			cid, err := s.moveRow(c, rowID, dirID, dirPath, d, cids)
			if err != nil {
				return nil, err
			}
			p.Moved++
			if _, hashed := cids[d.name]; !hashed && s.needsContent(k, sizeOf(d.e), cid) {
				jobs = append(jobs, s.hashJobFor(rowID, dirPath, d))
			}
			continue
		}
		if _, err := s.insertRow(c, dirID, dirPath, d, cids[d.name]); err != nil {
			return nil, err
		}
		p.Added++
	}
	// A first scan queries none of the rows it inserts, so they wait for a full statement
	// (see insertBig); a rescan may look any of them up by id or parent.
	if err := s.flushInserts(c, !s.ck.FirstScan); err != nil {
		return nil, err
	}
	s.leftover = len(displaced)
	for k, r := range displaced {
		if used[k] {
			s.leftover--
		}
		if used[k] || r.inode == 0 {
			continue
		}
		if r.kind == KindDirectory {
			s.displacedDirs[uint64(r.inode)] = r.id
		} else {
			s.displacedFiles[uint64(r.inode)] = r.id
		}
	}
	return jobs, nil
}

func (s *scanner) hashJobFor(id int64, dirPath string, d diskEntry) *hashJob {
	return &hashJob{id: id, path: s.absPath(dirPath, d.name), name: d.name, size: d.e.Size, mtime: d.e.Mtime}
}

const (
	insertEntryCols = `INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, inode, permissions,
 created_at, modified_at, accessed_at, path, content_id, nlink) VALUES `
	insertEntryRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// insertEntryParams is the number of parameters in insertEntryRow (bindPending's).
	insertEntryParams = 15
	// Rows per INSERT statement: one statement opens its cursors on the table and its
	// indexes once for all its rows (14 parameters a row stays far below SQLite's limit).
	insertChunk = 32
	// insertBig rows per statement when rows are held across directories (first scans).
	// Each INSERT opens a statement savepoint (the triggers make it a multi-row write), and
	// FTS5 writes its pending terms to a new segment at every savepoint: at 32 rows a
	// statement that was 1.7 s of 7.5 s CPU of a /usr metadata scan, plus the merges. Since
	// first scans insert in bulk (scan_bulk.go) FTS5 sees none of these statements; 2048 rows
	// measured the same as 256 (/usr metadata scan, three alternating pairs, load 3-4).
	insertBig = 256
)

var insertSQL [insertChunk + 1]string

var insertBigSQL = insertEntryCols + strings.TrimSuffix(strings.Repeat(insertEntryRow+",", insertBig), ",")

func init() {
	for n := 1; n <= insertChunk; n++ {
		insertSQL[n] = insertEntryCols + strings.TrimSuffix(strings.Repeat(insertEntryRow+",", n), ",")
	}
}

// pendingRow is an entry row queued by insertRow. Typed fields instead of a []any row:
// boxing 15 values costs about 10 allocations a row, and bindAll a type switch per value.
type pendingRow struct {
	id, dirID                int64
	name, ext, path          string
	hasExt, hasPath          bool
	hasBtime, hasAtime       bool
	hasPerms                 bool // false where the platform cannot see permissions (walk.PermKnown)
	kind, size, perms, mtime int64
	inode, btime, atime, cid int64 // inode, cid 0: NULL
	nlink                    int64 // 0: NULL (see nlinkOf)
}

// flushInserts writes the rows insertRow queued: insertBig at a time while that many wait,
// then, if all, the rest insertChunk at a time.
func (s *scanner) flushInserts(c *sqlite3.Conn, all bool) error {
	for len(s.pending) >= insertBig || (all && len(s.pending) > 0) {
		n, q := insertBig, insertBigSQL
		if len(s.pending) < insertBig {
			n = min(len(s.pending), insertChunk)
			q = insertSQL[n]
		}
		if s.ck.FirstScan {
			// Nothing but the root existed when the scan began, and the scan queries
			// none of the rows it inserts: the triggers' work waits for the commit.
			if err := s.w.beginBulk(c, s.pending[0].id); err != nil {
				return err
			}
		}
		st, err := s.w.stmt(c, q)
		if err != nil {
			return err
		}
		for k := range s.pending[:n] {
			if err := bindPending(st, k*insertEntryParams, &s.pending[k], s.loc.ID); err != nil {
				return err
			}
		}
		if err := st.Exec(); err != nil {
			return err
		}
		s.w.changes += int(c.Changes())
		s.pending = s.pending[n:]
	}
	if len(s.pending) == 0 {
		s.pending = s.pending[:0:cap(s.pending)]
	}
	return nil
}

// commit writes the queued rows and commits them with the checkpoint.
func (s *scanner) commit(ctx context.Context) error {
	if len(s.pending) > 0 {
		if err := s.w.do(ctx, func(c *sqlite3.Conn) error { return s.flushInserts(c, true) }); err != nil {
			return err
		}
	}
	return s.w.commit(ctx, s.checkpointFn())
}

// bindPending binds one row's 15 parameters, starting after parameter base, in the column
// order of insertEntryCols.
func bindPending(st *sqlite3.Stmt, base int, r *pendingRow, locID int64) error {
	opt := func(i int, v int64, ok bool) error {
		if !ok {
			return st.BindNull(base + i)
		}
		return st.BindInt64(base+i, v)
	}
	str := func(i int, v string, ok bool) error {
		if !ok {
			return st.BindNull(base + i)
		}
		return st.BindText(base+i, v)
	}
	return errors.Join(
		st.BindInt64(base+1, r.id), st.BindInt64(base+2, locID),
		st.BindInt64(base+3, r.dirID), st.BindText(base+4, r.name), str(5, r.ext, r.hasExt),
		st.BindInt64(base+6, r.kind), st.BindInt64(base+7, r.size), opt(8, r.inode, r.inode != 0),
		opt(9, r.perms, r.hasPerms), opt(10, r.btime, r.hasBtime), st.BindInt64(base+11, r.mtime),
		opt(12, r.atime, r.hasAtime), str(13, r.path, r.hasPath), opt(14, r.cid, r.cid != 0), opt(15, r.nlink, r.nlink != 0))
}

func (s *scanner) insertRow(c *sqlite3.Conn, dirID int64, dirPath string, d diskEntry, contentID int64) (int64, error) {
	id := s.w.allocID()
	k := kindOf(d.e.Type)
	r := pendingRow{id: id, dirID: dirID, name: d.name,
		kind: int64(k), size: sizeOf(d.e), inode: int64(d.e.Ino), perms: int64(d.e.Perm), hasPerms: walk.PermKnown,
		mtime: nsToMS(d.e.Mtime), cid: contentID}
	r.nlink, _ = nlinkOf(d.e)
	if d.e.Btime != 0 {
		r.btime, r.hasBtime = nsToMS(d.e.Btime), true
	}
	if d.e.Atime != 0 {
		r.atime, r.hasAtime = nsToMS(d.e.Atime), true
	}
	if k == KindDirectory {
		r.path, r.hasPath = walk.Join(dirPath, d.name), true
	} else if x := ExtensionOf(d.name); x != "" {
		r.ext, r.hasExt = x, true
	}
	if k == KindDirectory {
		s.subdir(dirPath, d.name, id)
	}
	s.pending = append(s.pending, r)
	if k == KindDirectory && s.dirIno != nil && d.e.Ino != 0 {
		s.dirIno[d.e.Ino] = id
	}
	return id, nil
}

// nlinkOf is the value entries.nlink stores for what the walker saw (migration 0011): the
// link count of a file with more than one name, 0 (NULL) for one name or anything but a
// file. known is false where the walker cannot see link counts (Nlink 0: no real file has
// none), and then nothing may be written over what a scan that could see them stored.
func nlinkOf(e walk.Entry) (nlink int64, known bool) {
	if e.Type != walk.File {
		return 0, true
	}
	if e.Nlink == 0 {
		return 0, false
	}
	if e.Nlink > 1 {
		return int64(e.Nlink), true
	}
	return 0, true
}

// updateRow rewrites a row's stat fields (and content id) from what was seen on disk. What
// this platform cannot observe (permissions under WASI, a birth time the file system does
// not report) is NULL here, and coalesce keeps the value a scan that could see it stored:
// a rescan never replaces a known value with an unknown one. (The row is the same file:
// apply only updates a row whose inode matches.)
func (s *scanner) updateRow(c *sqlite3.Conn, id, dirID int64, d diskEntry, contentID int64) error {
	var inode, cid, perms, nlink any
	if d.e.Ino != 0 {
		inode = int64(d.e.Ino)
	}
	if contentID != 0 {
		cid = contentID
	}
	if walk.PermKnown {
		perms = int64(d.e.Perm)
	}
	// nlink: a known count of 1 writes NULL, an unknown one keeps the stored value (-1 here).
	if n, known := nlinkOf(d.e); !known {
		nlink = -1
	} else if n != 0 {
		nlink = n
	}
	return s.w.exec(c, `UPDATE entries SET size = ?, inode = ?, permissions = coalesce(?, permissions), created_at = coalesce(?, created_at), modified_at = ?, accessed_at = ?, content_id = ?,
 nlink = iif(?8 = -1, nlink, ?8) WHERE id = ?9`,
		sizeOf(d.e), inode, perms, optMS(d.e.Btime), nsToMS(d.e.Mtime), optMS(d.e.Atime), cid, nlink, id)
}

// displace renames a row whose name is gone to "/<id>" (and, for a directory, the paths of
// its subtree to the "/<id>" prefix) until finalize decides: moved elsewhere, or deleted.
func (s *scanner) displace(c *sqlite3.Conn, r dbEntry) error {
	tmp := displacedName(r.id, r.name)
	if r.kind == KindDirectory {
		if err := s.rewritePaths(c, r.path, tmp); err != nil {
			return err
		}
		return s.w.exec(c, `UPDATE entries SET name = ?, path = ? WHERE id = ?`, tmp, tmp, r.id)
	}
	return s.w.exec(c, `UPDATE entries SET name = ? WHERE id = ?`, tmp, r.id)
}

// rewritePaths moves the directory paths strictly below old to below new. Paths are bytes:
// the suffix is cut as a BLOB so multi-byte or invalid UTF-8 names are cut where they should be.
func (s *scanner) rewritePaths(c *sqlite3.Conn, old, new string) error {
	lo, hi := subtreeRange(old)
	return s.w.exec(c, `UPDATE entries SET path = ? || substr(CAST(path AS BLOB), ?) WHERE location_id = ? AND path >= ? AND path < ?`,
		new, int64(len(old)+1), s.loc.ID, lo, hi)
}

// moveRow puts an existing row (displaced, or still at its old path) at a new place, keeping
// its id, UUID and user metadata. It returns the content id the row keeps (0 if its content
// changed).
func (s *scanner) moveRow(c *sqlite3.Conn, id int64, dirID int64, dirPath string, d diskEntry, cids map[string]int64) (int64, error) {
	var size, mtime, cid int64
	var oldPath string
	err := s.w.query(c, `SELECT size, modified_at, coalesce(content_id, 0), coalesce(path, '') FROM entries WHERE id = ?`, []any{id}, func(st *sqlite3.Stmt) error {
		size, mtime, cid, oldPath = st.ColumnInt64(0), st.ColumnInt64(1), st.ColumnInt64(2), st.ColumnText(3)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if size != sizeOf(d.e) || mtime != nsToMS(d.e.Mtime) || cid == 0 {
		if cid != 0 {
			s.orphanCandidate(cid)
		}
		cid = cids[d.name] // identified before the move was known, or 0
	}
	k := kindOf(d.e.Type)
	var ext, path any
	if k == KindDirectory {
		np := walk.Join(dirPath, d.name)
		if err := s.rewritePaths(c, oldPath, np); err != nil {
			return 0, err
		}
		path = np
	} else if x := ExtensionOf(d.name); x != "" {
		ext = x
	}
	if err := s.w.exec(c, `UPDATE entries SET parent_id = ?, name = ?, extension = ?, path = ? WHERE id = ?`, dirID, d.name, ext, path, id); err != nil {
		return 0, err
	}
	return cid, s.updateRow(c, id, dirID, d, cid)
}

// findMoved looks for the row a fresh entry came from: a row displaced earlier in this walk
// with the same inode, or (directories) a directory row still at a path the walk has not
// reached, whose inode is no longer there on disk. First scans have nothing to find.
func (s *scanner) findMoved(c *sqlite3.Conn, k Kind, d diskEntry, dirPath string) (id int64, ok bool, err error) {
	if s.ck.FirstScan || d.e.Ino == 0 {
		return 0, false, nil
	}
	if k != KindDirectory {
		if id, ok := s.displacedFiles[d.e.Ino]; ok {
			got, err := s.kindOfRow(c, id)
			if err != nil || got != k {
				return 0, false, err // the inode was reused by an entry of another kind
			}
			delete(s.displacedFiles, d.e.Ino)
			return id, true, nil
		}
		return 0, false, nil
	}
	if id, ok := s.displacedDirs[d.e.Ino]; ok {
		delete(s.displacedDirs, d.e.Ino)
		return id, true, nil
	}
	if s.dirIno == nil {
		if err := s.loadDirInodes(c); err != nil {
			return 0, false, err
		}
	}
	id, ok = s.dirIno[d.e.Ino]
	if !ok {
		return 0, false, nil
	}
	var oldPath string
	err = s.w.query(c, `SELECT path FROM entries WHERE id = ?`, []any{id}, func(st *sqlite3.Stmt) error {
		oldPath = st.ColumnText(0)
		return nil
	})
	if err != nil || oldPath == "" || strings.HasPrefix(oldPath, "/") {
		return 0, false, err // the root, or gone, or displaced (then it is in displacedDirs)
	}
	newPath := walk.Join(dirPath, d.name)
	if oldPath == newPath || strings.HasPrefix(newPath, oldPath+"/") {
		return 0, false, nil // a directory cannot have moved into itself
	}
	// Still there on disk with this inode: not a move (a bind mount or hard-linked directory).
	if st, err := walk.Lstat(s.absPath(oldPath, "")); err == nil && st.Ino == d.e.Ino && st.Type == walk.Dir {
		return 0, false, nil
	}
	return id, true, nil
}

func (s *scanner) kindOfRow(c *sqlite3.Conn, id int64) (Kind, error) {
	var got Kind = -1
	err := s.w.query(c, `SELECT kind FROM entries WHERE id = ?`, []any{id}, func(st *sqlite3.Stmt) error {
		got = Kind(st.ColumnInt64(0))
		return nil
	})
	return got, err
}

// loadDirInodes maps the inode of every directory of the location to its row. Directories
// are a few percent of entries, so this stays small; it is built only when a rescan meets a
// new directory name.
func (s *scanner) loadDirInodes(c *sqlite3.Conn) error {
	s.dirIno = map[uint64]int64{}
	return s.w.query(c, `SELECT id, inode FROM entries WHERE location_id = ? AND path IS NOT NULL AND inode IS NOT NULL`, []any{s.loc.ID}, func(st *sqlite3.Stmt) error {
		s.dirIno[uint64(st.ColumnInt64(1))] = st.ColumnInt64(0)
		return nil
	})
}

// loadDisplaced rebuilds the displaced maps from the rows a previous call of this scan
// renamed (their names start with '/', a range of the name index).
func (s *scanner) loadDisplaced(ctx context.Context) error {
	s.displacedDirs, s.displacedFiles = map[uint64]int64{}, map[uint64]int64{}
	rows, err := s.l.read.QueryContext(ctx, `SELECT id, kind, inode FROM entries WHERE name >= '/' AND name < '0' AND location_id = ? AND inode IS NOT NULL`, s.loc.ID)
	if err != nil {
		return wrapDB("location.scan", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ino int64
		var k Kind
		if err := rows.Scan(&id, &k, &ino); err != nil {
			return wrapDB("location.scan", err)
		}
		if k == KindDirectory {
			s.displacedDirs[uint64(ino)] = id
		} else {
			s.displacedFiles[uint64(ino)] = id
		}
	}
	return wrapDB("location.scan", rows.Err())
}

// Identifying ahead (first scans in content and deep modes): the writer indexes a directory
// while the content of the next ones is read, instead of alternating between the two.
// Bounded by pipeDepth directories and, beyond the first queued one, pipeFiles files.
const (
	pipeDepth = 8
	pipeFiles = 1024
)

// hashPipe is a pool of workers identifying the files of queued directories in walk order.
type hashPipe struct {
	feed chan *dirBatch
	jobs chan *hashJob
	wg   sync.WaitGroup
}

func (s *scanner) startPipe(ctx context.Context) *hashPipe {
	p := &hashPipe{feed: make(chan *dirBatch, pipeDepth), jobs: make(chan *hashJob)}
	for range s.hashWorkers() {
		p.wg.Go(func() {
			for j := range p.jobs {
				if ctx.Err() == nil {
					s.hashOne(j)
				}
				j.done.Done()
			}
		})
	}
	p.wg.Go(func() {
		for db := range p.feed {
			for _, j := range db.pre {
				p.jobs <- j
			}
		}
		close(p.jobs)
	})
	return p
}

func (p *hashPipe) submit(db *dirBatch) {
	db.hashing.Add(len(db.pre))
	for _, j := range db.pre {
		j.done = &db.hashing
	}
	p.feed <- db
}

// stop waits for the workers; jobs not started when ctx ends are left unidentified.
func (p *hashPipe) stop() {
	close(p.feed)
	p.wg.Wait()
}

func (s *scanner) hashWorkers() int {
	if s.opts.Workers > 0 {
		return s.opts.Workers
	}
	return min(max(2*runtime.GOMAXPROCS(0), 2), 8)
}

// hash identifies the content of files in parallel. Reads are positioned (pread) and a
// sampled id reads at most 56 KiB, so a few workers keep the disk and both cores busy.
func (s *scanner) hash(ctx context.Context, jobs []*hashJob) {
	workers := s.hashWorkers()
	next := make(chan *hashJob)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for j := range next {
				s.hashOne(j)
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
}

func (s *scanner) hashOne(j *hashJob) {
	r, err := identify.File(j.path, j.name, identify.Expect{Size: j.size, Mtime: j.mtime}, identify.Deep(s.ck.Mode == ModeDeep))
	switch {
	case errors.Is(err, identify.ErrChanged):
		j.warning = j.path + ": changed while it was read; identified at the next scan"
		return
	case err != nil:
		j.warning = fmt.Sprintf("%s: %v (content not identified)", j.path, err)
		return
	}
	j.cas, j.kind = r.ID, r.Kind
	if r.Integrity != nil {
		j.full = r.Integrity[:]
	}
	if r.Image != nil {
		j.media, _ = json.Marshal(r.Image)
	}
	j.hashed = true
}

// writeContent records the content of rows already written (the leftover path of apply).
func (s *scanner) writeContent(c *sqlite3.Conn, jobs []*hashJob) error {
	cids := map[string]int64{}
	if err := s.insertContent(c, jobs, cids); err != nil {
		return err
	}
	for _, j := range jobs {
		if cid, ok := cids[j.name]; ok {
			if err := s.w.exec(c, `UPDATE entries SET content_id = ? WHERE id = ?`, cid, j.id); err != nil {
				return err
			}
		}
	}
	return nil
}
