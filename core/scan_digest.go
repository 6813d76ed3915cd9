package core

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/core/internal/walk"
)

// Rescan digests (migration 0005, docs/schema.md "0005"): a directory whose listing hashes to
// the digest stored on its dir_stats row has exactly the rows the listing describes, so a
// rescan skips its children query and diff. The query was most of a rescan's own work: on
// /usr (149k entries, 16.9k directories) 0.33 s of CPU in a 1.0 s rescan, 11–16 µs a
// directory, most of it a table search per child; the digest costs one rowid search.
//
// Soundness rests on two rules:
//   - the indexer stores a digest only right after writing the directory, when the rows then
//     equal the listing it hashed (complete listing, no displaced row left in the directory;
//     the content flag only when every file of it has a content identity), and only once no
//     row of the directory waits in s.pending (first scans: at the commit, after the rows
//     and the bulk insert's catch-up);
//   - the triggers of 0005, and the bulk catch-up for the rows it accounts for, reset the
//     digest on any later change to a child's compared columns, whoever makes it (this
//     scan, the API, another process).
// So a stored digest always describes the rows as they are, and an equal hash of the
// listing means nothing would be written. A 64-bit hash, as for content ids: a changed
// directory is missed with probability 2^-64.

// digestVersion starts every hashed listing: changing what is hashed must change it, so
// that digests stored by an older binary never match.
const digestVersion = 1

// listingDigest hashes a directory's listing: what apply compares for each child (name,
// kind, inode, size, mtime in ms, permissions where the platform sees them, a link count above
// 1), in the walker's name order, and whether every
// file of it has a content identity (contentDone).
func listingDigest(buf []byte, disk []diskEntry, contentDone bool) (int64, []byte) {
	buf = append(buf[:0], digestVersion)
	for i := range disk {
		d := &disk[i]
		buf = append(buf, d.name...)
		buf = append(buf, 0, byte(kindOf(d.e.Type))) // no name contains NUL
		buf = binary.LittleEndian.AppendUint64(buf, d.e.Ino)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(sizeOf(d.e)))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(nsToMS(d.e.Mtime)))
		perm := d.e.Perm
		if !walk.PermKnown {
			// Not compared (apply ignores them): a value no real mode has (modes fit in
			// 12 bits), so a listing hashed without permissions never matches one hashed
			// with them, whichever engine stored it.
			perm = 0xFFFFFFFF
		}
		buf = binary.LittleEndian.AppendUint32(buf, perm)
		if n, _ := nlinkOf(d.e); n != 0 {
			// A file with further names adds its link count (migration 0011), one with a
			// single name (or an unknown count) nothing: digests stored before link counts
			// were compared still match every directory without hard links, and those with
			// them are diffed once, which fills their counts in. The NUL first keeps it apart
			// from the next child's name (never empty).
			buf = append(buf, 0)
			buf = binary.LittleEndian.AppendUint64(buf, uint64(n))
		}
	}
	if contentDone {
		buf = append(buf, 1)
	} else {
		buf = append(buf, 0)
	}
	sum := sha256.Sum256(buf)
	return int64(binary.LittleEndian.Uint64(sum[:8])), buf
}

// unchanged reports whether a directory's rows are known to match its listing, from its
// stored digest: without reading them. A content scan needs the digest stored with every
// file identified; a metadata scan accepts either.
func (s *scanner) unchanged(c *sqlite3.Conn, dirID int64, disk []diskEntry) (bool, error) {
	stored, ok, err := s.storedDigest(c, dirID)
	if err != nil || !ok {
		return false, err
	}
	var h int64
	h, s.digestBuf = listingDigest(s.digestBuf, disk, true)
	if h == stored {
		return true, nil
	}
	if s.contentMode() {
		return false, nil
	}
	h, s.digestBuf = listingDigest(s.digestBuf, disk, false)
	return h == stored, nil
}

// knownDigest is a subdirectory's digest read with its parent's subdirectories (skipSubdirs),
// valid while the database is as it was then: same transaction (no other writer can commit
// during it) and no row changed by this connection since.
type knownDigest struct {
	digest  int64
	ok      bool // not NULL
	tx      int
	changes int64
}

// storedDigest reads a directory's digest: from what its parent's skipSubdirs read when that
// is still valid (one query saved per directory: on desktop_complex, 92k directories, the
// rowid search cost 3 µs a directory), else from its dir_stats row.
func (s *scanner) storedDigest(c *sqlite3.Conn, dirID int64) (digest int64, ok bool, err error) {
	if k, found := s.known[dirID]; found {
		delete(s.known, dirID)
		if k.tx == s.w.txSeq && k.changes == c.TotalChanges() {
			return k.digest, k.ok, nil
		}
	}
	err = s.w.query(c, `SELECT digest FROM dir_stats WHERE dir_id = ? AND digest IS NOT NULL`, []any{dirID}, func(st *sqlite3.Stmt) error {
		digest, ok = st.ColumnInt64(0), true
		return nil
	})
	return digest, ok, err
}

// skipSubdirs records the rows of an unchanged directory's subdirectories for dirRow, as
// apply does from the children it reads, and their digests for storedDigest.
// entries_child_dirs holds (parent_id, name) and the rowid of directories only, so this reads
// that index and one dir_stats row per subdirectory.
func (s *scanner) skipSubdirs(c *sqlite3.Conn, dirID int64, dirPath string, disk []diskEntry) error {
	hasDir := false
	for i := range disk {
		if disk[i].e.Type == walk.Dir {
			hasDir = true
			break
		}
	}
	if !hasDir {
		return nil
	}
	if s.known == nil {
		s.known = map[int64]knownDigest{}
	}
	changes := c.TotalChanges()
	return s.w.query(c, `SELECT c.name, c.id, s.digest FROM entries c LEFT JOIN dir_stats s ON s.dir_id = c.id WHERE c.parent_id = ? AND c.kind = 1`, []any{dirID}, func(st *sqlite3.Stmt) error {
		id := st.ColumnInt64(1)
		s.subdir(dirPath, st.ColumnText(0), id)
		ok := st.ColumnType(2) != sqlite3.NULL // before ColumnInt64, which would convert it
		s.known[id] = knownDigest{digest: st.ColumnInt64(2), ok: ok, tx: s.w.txSeq, changes: changes}
		return nil
	})
}

// dirDigest is a digest waiting to be stored.
type dirDigest struct{ dirID, digest int64 }

// queueDigest stores a written directory's digest: at once in a rescan, at the commit in a
// first scan (its rows wait in s.pending across directories, and a bulk insert creates the
// new directories' dir_stats rows only in its catch-up before the commit; both reset it).
func (s *scanner) queueDigest(c *sqlite3.Conn, dirID int64, disk []diskEntry, contentDone bool) error {
	if len(s.pending) > 0 && !s.ck.FirstScan {
		// A rescan may still move a row out of this directory before the queued rows are
		// written, and a digest stored after that reset would be stale: not stored (the next
		// scan diffs the directory and stores it). Rescans write their rows per directory,
		// so this does not happen today.
		return nil
	}
	var h int64
	h, s.digestBuf = listingDigest(s.digestBuf, disk, contentDone)
	s.digests = append(s.digests, dirDigest{dirID, h})
	if s.ck.FirstScan {
		return nil // nothing changes a first scan's rows again before its commit
	}
	return s.writeDigests(c)
}

// writeDigests stores the queued digests; the caller has written every pending row.
func (s *scanner) writeDigests(c *sqlite3.Conn) error {
	if len(s.pending) > 0 {
		return nil // still after rows of theirs; the commit writes them
	}
	for _, d := range s.digests {
		if err := s.w.exec(c, `UPDATE dir_stats SET digest = ? WHERE dir_id = ?`, d.digest, d.dirID); err != nil {
			return err
		}
	}
	s.digests = s.digests[:0]
	return nil
}
