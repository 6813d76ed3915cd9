package core

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
)

// Path queries over the materialized layout of migration 0001: a directory row carries its
// own path below the location root, every entry points to its directory by parent_id. So
//
//   - the children of a directory are one range of entries_parent_name (parent_id, name);
//   - the directories of a subtree are one range of entries_dir_path (location_id, path),
//     [dir + "/", dir + "0") — see subtreeRange — and the rest of the subtree is their
//     children, one entries_parent_name search each;
//   - the full path of any entry is the location's path, its parent's path and its name:
//     three rowid lookups whatever the depth.

// ListOptions select the order of [Entries.List].
type ListOptions struct {
	// DirsFirst lists sub-directories (by name) before everything else (by name), as file
	// managers do. The directories come from the partial index entries_child_dirs, so they
	// cost nothing extra however many files the directory holds.
	DirsFirst bool `json:"dirs_first,omitempty"`
}

// List returns the entries of the directory dirID, in name order (byte order, as stored) or
// directories first, a page at a time. The cursor is the last name returned (and, with
// DirsFirst, which half of the listing it was in), so a page stays correct while entries are
// inserted or removed: nothing is repeated or skipped except what changed.
func (s Entries) List(ctx context.Context, dirID int64, o ListOptions, p Page) ([]Entry, string, error) {
	const op = "entry.list"
	limit, err := p.limit(op)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, min(limit, 64))
	next, err := s.listRows(ctx, op, dirID, o, p.After, limit, func(es []Entry) error {
		out = append(out, es...)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ListEach streams what [Entries.List] would return over all its pages, as
// [Entries.FindEach] does for Find: the children after the cursor after, at most limit (0: no
// limit), in batches of up to [EachBatch], from one snapshot.
func (s Entries) ListEach(ctx context.Context, dirID int64, o ListOptions, after string, limit int, fn func([]Entry) error) (string, error) {
	const op = "entry.list"
	if limit < 0 {
		return "", errInvalid(op, "limit", "must be ≥ 0")
	}
	return s.listRows(ctx, op, dirID, o, after, limit, fn)
}

// listRows reads the children of dirID after cursor in one snapshot, limit 0 meaning all,
// and hands them to fn in batches with their metadata; it returns the next cursor.
func (s Entries) listRows(ctx context.Context, op string, dirID int64, o ListOptions, cursor string, limit int, fn func([]Entry) error) (string, error) {
	phase, after := 0, []byte{}
	if cursor != "" {
		if err := decodeCursor(op, cursor, &phase, &after); err != nil {
			return "", err
		}
		if phase < 0 || phase > 1 {
			return "", errInvalid(op, "after", "malformed cursor")
		}
	}
	var next string
	b := &entryBatch{fn: fn}
	err := s.l.withSnapshot(ctx, op, func(r *readConn) error {
		b.r = r
		if cursor == "" {
			if err := r.mustBeDir(op, dirID); err != nil {
				return err
			}
		}
		if !o.DirsFirst {
			phase = 1
		}
		// Phase 0: sub-directories from entries_child_dirs; phase 1: the rest (with DirsFirst:
		// everything but directories) from entries_parent_name. Names are compared as bytes:
		// the cursor carries them as bytes so that names which are not UTF-8 survive it.
		n := 0
		var last string
		for ; phase <= 1; phase, after = phase+1, []byte{} {
			q := listDirsQ
			if phase == 1 {
				q = listAllQ
				if o.DirsFirst {
					q = listRestQ
				}
			}
			sqlLimit := -1 // SQLite: no limit
			if limit > 0 {
				sqlLimit = limit - n + 1
			}
			rows, err := r.query(q, dirID, string(after), sqlLimit)
			if err != nil {
				return err
			}
			more := false
			for rows.Next() {
				if limit > 0 && n == limit {
					more = true
					break
				}
				e, err := scanEntry(rows, s.l)
				if err != nil {
					rows.Close()
					return err
				}
				last = e.Name
				n++
				if err := b.add(e); err != nil {
					rows.Close()
					return err
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if more {
				next = encodeCursor(phase, []byte(last))
				break
			}
			if limit > 0 && n == limit && phase == 0 {
				// Page full exactly at the end of the directories: the next page starts the files.
				next = encodeCursor(1, []byte{})
				break
			}
		}
		return b.flush()
	})
	if b.fnErr != nil {
		return "", b.fnErr
	}
	if err != nil {
		return "", err
	}
	return next, nil
}

// rowIter is what collect reads: *sql.Rows or a reader connection's *readRows.
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// collect appends entries (entrySelect's columns) to out up to limit, reports whether more
// rows followed, and closes rows.
func (s Entries) collect(rows rowIter, out *[]Entry, limit int) (more bool, err error) {
	for rows.Next() {
		if len(*out) == limit {
			more = true
			break
		}
		e, err := scanEntry(rows, s.l)
		if err != nil {
			rows.Close()
			return false, err
		}
		*out = append(*out, e)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return false, err
	}
	return more, rows.Close()
}

// withMetadata attaches user metadata to the entries that have some (few do: a metadata
// row exists only once a user added something).
func (s Entries) withMetadata(ctx context.Context, op string, es []Entry, next string) ([]Entry, string, error) {
	if !slices.ContainsFunc(es, func(e Entry) bool { return e.MetadataID != 0 }) {
		return es, next, nil // no connection needed
	}
	err := s.l.withReader(ctx, op, func(r *readConn) error { return r.attachMetadata(es) })
	if err != nil {
		return nil, "", err
	}
	return es, next, nil
}

func (r *readConn) attachMetadata(es []Entry) error {
	var ids []int64
	for i := range es {
		if es[i].MetadataID != 0 {
			ids = append(ids, es[i].MetadataID)
		}
	}
	if len(ids) > metadataBatchFrom {
		ms, err := r.metadataMany(ids)
		if err != nil {
			return err
		}
		for i := range es {
			if id := es[i].MetadataID; id != 0 {
				// A row missing here went after the entries were read in another snapshot
				// (metadata_id is ON DELETE SET NULL): the entry has no metadata now.
				es[i].Metadata = ms[id]
			}
		}
		return nil
	}
	for i := range es {
		if es[i].MetadataID != 0 {
			m, err := r.metadata(es[i].MetadataID)
			if err != nil {
				return err
			}
			es[i].Metadata = &m
		}
	}
	return nil
}

func (r *readConn) mustBeDir(op string, id int64) error {
	var kind Kind
	if err := r.queryRow(`SELECT kind FROM entries WHERE id = ?`, id).Scan(&kind); errors.Is(err, sql.ErrNoRows) {
		return errNotFound(op, "no such directory")
	} else if err != nil {
		return err
	}
	if kind != KindDirectory {
		return errInvalid(op, "id", "entry %d is a %s, not a directory", id, kind)
	}
	return nil
}

// selectEntries is entrySelect with an index clause ("INDEXED BY x", "NOT INDEXED") after
// "FROM entries e", so the column list stays written once while each query names the index
// it is designed around (and fails loudly, "no query solution", if that index cannot serve).
func selectEntries(index string) string {
	const from = "FROM entries e\n"
	if !strings.Contains(entrySelect, from) {
		panic("core: entrySelect changed shape") // programmer mistake, caught by every test
	}
	return strings.Replace(entrySelect, from, "FROM entries e "+index+"\n", 1)
}

// Bound parameters compared with indexed columns are written "(SELECT ?1)" in statements the
// library caches. SQLite here is built with SQLITE_ENABLE_STAT4: once ANALYZE (or PRAGMA
// optimize, which Close runs) has filled sqlite_stat4, a statement whose plan looked at a
// parameter's value is re-prepared every time that value changes — which for a cached point
// query is every call, and costs more than the query (measured on 100k entries: 55 µs per
// listing step with a bare ?1, 8 µs with (SELECT ?1)). A LIMIT whose value changes does the
// same. A scalar subquery hides the value from the planner; the index is used exactly the same
// way (TestQueryPlans_Internal checks the plans, STMTSTATUS_REPREPARE showed 300 re-prepares in
// 300 calls with bare parameters, 0 with wrapped ones).
var (
	listDirsQ = listChildren("entries_child_dirs") + ` AND e.kind = 1 AND e.name > (SELECT ?2) ORDER BY e.name LIMIT (SELECT ?3)`
	listAllQ  = listChildren("entries_parent_name") + ` AND e.name > (SELECT ?2) ORDER BY e.name LIMIT (SELECT ?3)`
	listRestQ = listChildren("entries_parent_name") + ` AND e.name > (SELECT ?2) AND e.kind <> 1 ORDER BY e.name LIMIT (SELECT ?3)`
)

// listChildren selects scanEntry's columns for the children of directory ?1 through index.
// Unlike entrySelect, the directory's path and its location's path are not joined per child
// (every child shares them) but read once, as constant subqueries: two of the four lookups
// per listed row (the content identity and its kind remain). The children's index range is
// then the only loop over entries, so its order is the listing's order whatever the
// statistics say (a join with locations let the planner put a one-row scan of locations
// first and sort the whole directory).
func listChildren(index string) string {
	return `SELECT ` + entryCols + `,
 (SELECT path FROM entries WHERE id = (SELECT ?1)),
 (SELECT path FROM locations WHERE id = (SELECT location_id FROM entries WHERE id = (SELECT ?1))),
 ck.name
FROM entries e INDEXED BY ` + index + `
LEFT JOIN content_identity c ON c.id = e.content_id
LEFT JOIN content_kinds ck ON ck.id = c.kind
WHERE e.parent_id = (SELECT ?1)`
}

// Path returns the absolute path of an entry: three rowid lookups (entry, its directory,
// its location), whatever its depth.
func (s Entries) Path(ctx context.Context, id int64) (string, error) {
	const op = "entry.path"
	var name, locPath string
	var root bool
	var parentPath sql.NullString
	err := s.l.withReader(ctx, op, func(r *readConn) error {
		err := r.queryRow(`SELECT e.name, e.parent_id IS NULL, p.path, l.path
FROM entries e JOIN locations l ON l.id = e.location_id LEFT JOIN entries p ON p.id = e.parent_id WHERE e.id = ?`, id).
			Scan(&name, &root, &parentPath, &locPath)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound(op, "no such entry")
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if root {
		return locPath, nil
	}
	return joinPath(locPath, parentPath.String, name), nil
}

// Resolve returns the id of the entry at an absolute path: two index searches whatever the
// depth (the directory by its path, then the child by name).
func (s Entries) Resolve(ctx context.Context, path string) (int64, error) {
	return s.l.resolvePath(ctx, "entry.resolve", path)
}

// TreeStats summarizes a subtree.
type TreeStats struct {
	Files    int64 `json:"files"`
	Dirs     int64 `json:"dirs"` // directories below the root of the subtree
	Symlinks int64 `json:"symlinks"`
	Bytes    int64 `json:"bytes"` // sum of file sizes, each file once: hard links of one inode count once (as du does)
	// HardLinks is the number of names among Files that are further hard links of a file
	// already counted: their bytes are not in Bytes.
	HardLinks int64 `json:"hard_links,omitempty"`
}

// Stats counts the files, directories and symlinks below a directory and sums the file
// sizes (for a file: the file itself). It reads one dir_stats row per directory of the
// subtree (migration 0003: each directory's direct children, kept by triggers), found by one
// entries_dir_path range — never the subtree's files.
func (s Entries) Stats(ctx context.Context, id int64) (TreeStats, error) {
	const op = "tree.stats"
	var st TreeStats
	row, err := s.l.queryRow(ctx, `SELECT location_id, kind, size, path FROM entries WHERE id = ?`, id)
	if err != nil {
		return st, wrapDB(op, err)
	}
	var loc, size int64
	var kind Kind
	var path sql.NullString
	if err := row.Scan(&loc, &kind, &size, &path); errors.Is(err, sql.ErrNoRows) {
		return st, errNotFound(op, "no such entry")
	} else if err != nil {
		return st, wrapDB(op, err)
	}
	switch kind {
	case KindFile:
		return TreeStats{Files: 1, Bytes: size}, nil
	case KindSymlink:
		return TreeStats{Symlinks: 1}, nil
	}
	lo, hi := subtreeRange(path.String)
	row, err = s.l.queryRow(ctx, subtreeStatsQ, loc, lo, hi, id)
	if err != nil {
		return st, wrapDB(op, err)
	}
	if err = row.Scan(&st.Files, &st.Dirs, &st.Symlinks, &st.Bytes); err != nil {
		return st, wrapDB(op, err)
	}
	links, err := s.l.subtreeLinks(ctx, loc, lo, hi, id)
	if err != nil {
		return st, wrapDB(op, err)
	}
	for _, k := range links {
		st.Bytes -= k.extra
		st.HardLinks += k.names - 1
	}
	return st, nil
}

// linkedFile is a file with several names in a subtree; extra is the bytes its names beyond
// the first added to the subtree's sum (their sizes are its size).
type linkedFile struct {
	inode, extra, names int64
}

// subtreeLinks returns the files with more than one name (hard links of one inode) in a
// subtree (parameters as in subtreeDirs), each with its number of names there: what du
// subtracts from dir_stats' sums, which add every name's size. The names are found where
// the scan recorded a link count above 1, the partial index entries_nlink (migration 0011,
// any location mode), and among the contents with hard links, content_linked (0009), which
// covers content-mode rows written before 0011 until a rescan records their counts. Both
// hold a handful of rows on a usual system (24 names of 126,670 files in /usr here), so the
// cost does not grow with the library; on a tree of hard-linked snapshots it approaches
// reading the subtree's files.
func (l *Library) subtreeLinks(ctx context.Context, loc int64, lo string, hi any, dir int64) ([]linkedFile, error) {
	rows, err := l.query(ctx, subtreeLinksQ, loc, lo, hi, dir)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []linkedFile
	for rows.Next() {
		var k linkedFile
		if err := rows.Scan(&k.inode, &k.extra, &k.names); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// linkedNamesQ selects the names of location ?1 that have further hard links (id, content
// id or 0, inode, size, parent_id): those with a recorded link count, and those of a content
// whose names outnumber its files. UNION: a name found both ways is one name. Names are one
// file when they share the inode and the content id (0009's rule, which a name without a
// content meets by having none either), so a stale row whose content differs from its
// inode's other names is counted apart, as dupes counts it.
const linkedNamesQ = `SELECT e.id, coalesce(e.content_id, 0) AS content, e.inode, e.size, e.parent_id FROM entries e INDEXED BY entries_nlink
WHERE e.location_id = ?1 AND e.nlink > 1 AND e.inode > 0
UNION
SELECT e.id, e.content_id, e.inode, e.size, e.parent_id FROM content_identity c INDEXED BY content_linked
CROSS JOIN entries e INDEXED BY entries_content ON e.content_id = c.id
WHERE c.entry_count > c.file_count AND e.inode > 0 AND e.location_id = ?1`

// subtreeLinksQ: see subtreeLinks. One location: one device, so the inode tells files apart.
const subtreeLinksQ = `SELECT n.inode, sum(n.size) - max(n.size), count(*) FROM (` + linkedNamesQ + `) n
JOIN entries p ON p.id = n.parent_id
WHERE p.id = ?4 OR (p.location_id = ?1 AND p.path >= ?2 AND p.path < ?3)
GROUP BY n.content, n.inode HAVING count(*) > 1`

// subtreeStatsQ sums the dir_stats rows of a subtree's directories (parameters as in
// subtreeDirs): the directory ?4's own row plus every directory row below it.
// CROSS JOIN fixes the loop order: with statistics saying dir_stats is small the planner
// would otherwise scan all of it against a Bloom filter of the subtree.
const subtreeStatsQ = `SELECT coalesce(sum(s.files), 0), coalesce(sum(s.dirs), 0), coalesce(sum(s.symlinks), 0), coalesce(sum(s.bytes), 0)
FROM (` + subtreeDirs + `) d CROSS JOIN dir_stats s ON s.dir_id = d.id`

// subtreeDirs selects a directory ?4 and every directory below it (location ?1, path range
// [?2, ?3) from subtreeRange): one range of entries_dir_path.
// (The parameters are hidden from STAT4 as explained at listDirsQ.)
const subtreeDirs = `SELECT id FROM entries WHERE location_id = (SELECT ?1) AND path >= (SELECT ?2) AND path < (SELECT ?3) AND path IS NOT NULL UNION ALL SELECT ?4`
