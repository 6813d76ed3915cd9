package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Usage is the disk-usage API: the seed's "large files by directory", a directory-size tree
// and the largest files.
type Usage struct{ l *Library }

// Usage returns the disk-usage API.
func (l *Library) Usage() Usage { return Usage{l} }

// DirUsage is the size of one directory.
type DirUsage struct {
	Path  string `json:"path"`
	ID    int64  `json:"id"`
	Depth int    `json:"depth"` // 0 for the directory asked about
	Bytes int64  `json:"bytes"` // sum of the sizes of the files below (or, for LargeFiles, of its large files)
	Files int64  `json:"files"`
	Dirs  int64  `json:"dirs,omitempty"`
}

// LargeFiles is the seed's "large files by directory": for every directory holding files of
// at least minSize bytes, their total size and count, largest total first, at most limit rows
// (0: 100).
//
// With minSize ≥ 1 MiB (the seed's example is 100 MiB) it reads only the partial index
// entries_large, which holds files of 1 MiB and more; a smaller threshold reads the table.
func (u Usage) LargeFiles(ctx context.Context, minSize int64, limit int) ([]DirUsage, error) {
	const op = "tree.large_files"
	if limit <= 0 {
		limit = DefaultLimit
	}
	from := "FROM entries e NOT INDEXED"
	if minSize >= largeFileMin {
		from = fmt.Sprintf("FROM entries e INDEXED BY entries_large WHERE e.size >= %d AND", largeFileMin)
	} else {
		from += " WHERE"
	}
	// Hard links of one file in one directory count once (a file: an inode; a name without
	// one is a file of its own); n counts the names.
	rows, err := u.l.read.QueryContext(ctx, `SELECT g.parent_id, g.total, g.n, l.path, p.path FROM (
  SELECT f.parent_id, sum(f.size) AS total, sum(f.names) AS n FROM (
    SELECT e.parent_id, e.size, count(*) AS names `+from+` e.size >= ? AND e.kind = 0 GROUP BY e.parent_id, iif(e.inode > 0, e.inode, -e.id)
  ) f GROUP BY f.parent_id
) g JOIN entries p ON p.id = g.parent_id JOIN locations l ON l.id = p.location_id
ORDER BY g.total DESC, g.parent_id LIMIT ?`, minSize, limit)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	defer rows.Close()
	out := []DirUsage{}
	for rows.Next() {
		var d DirUsage
		var loc, path string
		if err := rows.Scan(&d.ID, &d.Bytes, &d.Files, &loc, &path); err != nil {
			return nil, wrapDB(op, err)
		}
		d.Path = joinPath(loc, path)
		out = append(out, d)
	}
	return out, wrapDB(op, rows.Err())
}

// Tree returns the sizes of a directory and of its sub-directories down to depth levels
// below it (0: the directory alone), in path order. Each size covers the whole subtree
// below that directory. It reads the subtree's directories only: their paths by one
// entries_dir_path range, their direct sums from dir_stats (kept by triggers), rolled up in Go.
func (u Usage) Tree(ctx context.Context, path string, depth int) ([]DirUsage, error) {
	const op = "tree.usage"
	if depth < 0 {
		return nil, errInvalid(op, "depth", "must be ≥ 0")
	}
	st, err := u.l.subtreeOf(ctx, op, path)
	if err != nil {
		return nil, err
	}
	var rootPath, locPath string
	row, err := u.l.queryRow(ctx, `SELECT e.path, l.path FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.id = ?`, st.id)
	if err == nil {
		err = row.Scan(&rootPath, &locPath)
	}
	if err != nil {
		return nil, wrapDB(op, err)
	}
	// Directories of the subtree (and the root), with their own path.
	type dir struct {
		id           int64
		path         string
		bytes, files int64
		dirs         int64
	}
	dirs := map[int64]*dir{st.id: {id: st.id, path: rootPath}}
	rows, err := u.l.query(ctx, `SELECT id, path FROM entries WHERE location_id = (SELECT ?1) AND path >= (SELECT ?2) AND path < (SELECT ?3) AND path IS NOT NULL`, st.loc, st.lo, st.hi)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	for rows.Next() {
		d := &dir{}
		if err := rows.Scan(&d.id, &d.path); err != nil {
			rows.Close()
			return nil, wrapDB(op, err)
		}
		dirs[d.id] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapDB(op, err)
	}
	// Direct file sums per directory: its dir_stats row (migration 0003), not its children.
	rows, err = u.l.query(ctx, usageDirsQ, st.loc, st.lo, st.hi, st.id)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	for rows.Next() {
		var id, b, f, sd int64
		if err := rows.Scan(&id, &b, &f, &sd); err != nil {
			rows.Close()
			return nil, wrapDB(op, err)
		}
		if d := dirs[id]; d != nil {
			d.bytes, d.files, d.dirs = b, f, sd
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapDB(op, err)
	}
	// Roll up: every directory adds its direct sums to the ancestor at depth ≤ depth that
	// contains it (paths below rootPath: count the '/'-separated levels).
	out := map[string]*DirUsage{}
	prefixLen := len(rootPath)
	if rootPath != "" {
		prefixLen++ // the '/' after it
	}
	byPath := map[string]int64{}
	for _, d := range dirs {
		byPath[d.path] = d.id
	}
	for _, d := range dirs {
		rel := ""
		if d.id != st.id {
			rel = d.path[prefixLen:]
		}
		parts := strings.Split(rel, "/")
		if rel == "" {
			parts = nil
		}
		// Credit this directory's direct sums to itself and each ancestor up to the root,
		// but only those within the depth limit are reported.
		for k := min(len(parts), depth); k >= 0; k-- {
			p := strings.Join(parts[:k], "/")
			x := out[p]
			if x == nil {
				full := rootPath
				if p != "" {
					full = strings.TrimPrefix(rootPath+"/"+p, "/")
				}
				x = &DirUsage{ID: byPath[full], Path: joinPath(locPath, full), Depth: k}
				out[p] = x
			}
			x.Bytes += d.bytes
			x.Files += d.files
			x.Dirs += d.dirs
		}
	}
	// Hard links count once per reported directory, as du counts them: each further name
	// of a file within a directory's subtree takes its size back out. Only the subtree's
	// names of linked contents are read (subtreeLinkNamesQ), not its files.
	rows, err = u.l.query(ctx, subtreeLinkNamesQ, st.loc, st.lo, st.hi, st.id)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	type linkKey struct {
		dir            string
		content, inode int64 // one location: one device
	}
	type linkSum struct{ sum, max int64 }
	names := map[linkKey]*linkSum{}
	for rows.Next() {
		var content, inode, size int64
		var parent string
		if err := rows.Scan(&content, &inode, &size, &parent); err != nil {
			rows.Close()
			return nil, wrapDB(op, err)
		}
		rel := ""
		if parent != rootPath {
			rel = parent[prefixLen:]
		}
		parts := strings.Split(rel, "/")
		if rel == "" {
			parts = nil
		}
		for k := min(len(parts), depth); k >= 0; k-- {
			key := linkKey{strings.Join(parts[:k], "/"), content, inode}
			x := names[key]
			if x == nil {
				x = &linkSum{}
				names[key] = x
			}
			x.sum += size
			x.max = max(x.max, size)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapDB(op, err)
	}
	for k, x := range names {
		if d := out[k.dir]; d != nil {
			d.Bytes -= x.sum - x.max
		}
	}
	res := make([]DirUsage, 0, len(out))
	for _, x := range out {
		res = append(res, *x)
	}
	slices.SortFunc(res, func(a, b DirUsage) int { return cmp.Compare(a.Path, b.Path) })
	return res, nil
}

// subtreeLinkNamesQ: every name in a subtree (parameters as in subtreeDirs) of a file that
// has hard links, with its directory's path (subtreeLinksQ, one row per name).
const subtreeLinkNamesQ = `SELECT n.content, n.inode, n.size, p.path FROM (` + linkedNamesQ + `) n
JOIN entries p ON p.id = n.parent_id
WHERE p.id = ?4 OR (p.location_id = ?1 AND p.path >= ?2 AND p.path < ?3)`

// usageDirsQ: the dir_stats rows of a subtree's directories (parameters as in subtreeDirs;
// loop order fixed as in subtreeStatsQ).
const usageDirsQ = `SELECT s.dir_id, s.bytes, s.files, s.dirs FROM (` + subtreeDirs + `) d CROSS JOIN dir_stats s ON s.dir_id = d.id`

// Largest returns the n largest files (0: 100), largest first, optionally below a directory
// (under, absolute path). Without under it reads the partial index entries_large from its
// largest end and falls back to the table only when fewer than n files of 1 MiB or more
// exist; with under it reads the subtree.
func (u Usage) Largest(ctx context.Context, under string, n int) ([]Entry, error) {
	const op = "tree.usage"
	if n <= 0 {
		n = DefaultLimit
	}
	if n > MaxLimit {
		return nil, errInvalid(op, "top", "must be ≤ %d", MaxLimit)
	}
	queries := largeThenSmall("")
	if under != "" {
		st, err := u.l.subtreeOf(ctx, op, under)
		if err != nil {
			return nil, err
		}
		switch {
		case st.root:
			// A whole location: entries_large filtered by location, no directory list. The
			// location is "(SELECT ?1)": with the value visible (STAT4), the planner sorted
			// every large file of the location before the LIMIT (tree.usage {top: 100} at
			// the root: 5.98 s at 1M entries in the benchmark; 29 ms → 1.5 ms at 10k).
			queries = largeThenSmall(` AND e.location_id = (SELECT ?1)`, st.loc)
		default:
			stats, err := (Entries{u.l}).Stats(ctx, st.id)
			if err != nil {
				return nil, err
			}
			if stats.Files > largestWalkFrom {
				// A large subtree: entries_large from the largest file down, keeping those under
				// the subtree. Reading every file of the subtree and sorting took 6 s for a
				// location's root at 1M entries (benchmarks, query/top_largest via tree.usage).
				queries = largeThenSmall(` AND e.parent_id IN (`+subtreeDirs+`)`, st.loc, st.lo, st.hi, st.id)
			} else {
				filter := ` AND e.parent_id IN (` + subtreeDirs + `)`
				queries = []largestQuery{{selectEntries("INDEXED BY entries_parent_name") +
					` WHERE e.kind = 0` + filter + firstLink(filter) + ` ORDER BY e.size DESC, e.id LIMIT ?`,
					[]any{st.loc, st.lo, st.hi, st.id}}}
			}
		}
	}
	out := []Entry{}
	for _, q := range queries {
		if len(out) >= n {
			break
		}
		args := append(slices.Clip(q.args), n-len(out)) // the LIMIT: what is still to find
		rows, err := u.l.query(ctx, q.q, args...)
		if err != nil {
			return nil, wrapDB(op, err)
		}
		if _, err := (Entries{u.l}).collect(rows, &out, n); err != nil {
			return nil, wrapDB(op, err)
		}
	}
	es, _, err := Entries{u.l}.withMetadata(ctx, op, out, "")
	return es, err
}

// largestWalkFrom: subtrees with more files than this find their largest files through
// entries_large rather than by reading and sorting all their files.
var largestWalkFrom int64 = 20000

// largestQuery is one statement of Largest; its LIMIT is its last parameter, bound to what
// the statements before it left to find.
type largestQuery struct {
	q    string
	args []any
}

// largeThenSmall reads files of at least largeFileMin through entries_large, largest first,
// then (only when fewer than n were large) the smaller ones; filter narrows both.
func largeThenSmall(filter string, args ...any) []largestQuery {
	const order = ` ORDER BY e.size DESC, e.id LIMIT ?`
	return []largestQuery{
		{selectEntries("INDEXED BY entries_large") + fmt.Sprintf(` WHERE e.size >= %d AND e.kind = 0`, largeFileMin) + filter + firstLink(filter) + order, args},
		{selectEntries("NOT INDEXED") + fmt.Sprintf(` WHERE e.size < %d AND e.kind = 0`, largeFileMin) + filter + firstLink(filter) + order, args},
	}
}

// firstLink keeps a file with hard links once among the largest: by its first name (lowest
// id) within the same filter (filter is written over e; it is applied to the other names as
// x). Names with one inode and one content id (or none) on one device are one file
// (linkedNamesQ); they are found as names with a
// recorded link count (entries_nlink, migration 0011, any location mode) or as names of one
// content (entries_content, 0009: content-mode rows written before 0011). One index search
// per candidate that has a link count or a content.
func firstLink(filter string) string {
	xf := strings.ReplaceAll(filter, "e.", "x.")
	return ` AND NOT (e.inode > 0 AND (
 (e.content_id IS NOT NULL AND EXISTS (SELECT 1 FROM entries x INDEXED BY entries_content
 WHERE x.content_id = e.content_id AND x.inode = e.inode AND x.id < e.id` + xf + `
 AND (x.location_id = e.location_id OR (SELECT device_id FROM locations WHERE id = x.location_id) = (SELECT device_id FROM locations WHERE id = e.location_id))))
 OR (e.nlink > 1 AND EXISTS (SELECT 1 FROM entries x INDEXED BY entries_nlink
 WHERE x.location_id IN (SELECT l2.id FROM locations l1 JOIN locations l2 ON l2.device_id = l1.device_id WHERE l1.id = e.location_id)
 AND x.inode = e.inode AND x.nlink > 1 AND x.content_id IS e.content_id AND x.id < e.id` + xf + `))))`
}
