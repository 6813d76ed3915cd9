package core

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/filedex/filedex/core/internal/cas"
	"github.com/google/uuid"
)

// DupesQuery selects duplicate groups for [Duplicates.Groups].
type DupesQuery struct {
	// Under keeps only entries strictly below this directory (absolute path): a group is
	// the entries under it that share a content; copies elsewhere are not counted.
	Under string `json:"under,omitempty"`
	// MinSize keeps groups whose content is at least this many bytes.
	MinSize int64 `json:"min_size,omitempty"`
	// ContentKind keeps groups of this content kind ("image", …).
	ContentKind string `json:"kind,omitempty"`
	// Verify proves, for the groups of the returned page, that members are byte-identical
	// by reading them whole (full BLAKE3). Members that differ are split into their true
	// groups; members missing or changed on disk are listed in Unverified.
	Verify bool `json:"verify,omitempty"`
	// Summary returns the groups (content, size, count, wasted bytes) and the totals without
	// their members (Paths and IDs empty): the whole list of a large library in one pass over
	// the index (and one more for the totals, by the first page only), for an overview;
	// members come with a normal query, a page at a time. Reading every member's path made
	// all the groups of a 1M-entry library take 4.5 s (benchmarks, query/duplicates). Not
	// with Verify, which needs the members.
	Summary bool `json:"summary,omitempty"`
}

// DupGroup is a set of entries sharing a content.
//
// Hard links are one file: Count counts names, Files counts files (distinct device and
// inode), and only the extra files are waste. A content whose names are all links of one
// file is no duplicate group at all. Inodes, beside Paths, shows which names are links of one
// another (equal inodes).
type DupGroup struct {
	CasID       string   `json:"cas_id"`
	Size        int64    `json:"size"`
	Count       int64    `json:"count"`        // names (entries)
	Files       int64    `json:"files"`        // distinct files: hard links of one inode count once
	WastedBytes int64    `json:"wasted_bytes"` // size × (files − 1)
	Verified    bool     `json:"verified"`     // members proven byte-identical (never from a sampled cas_id alone)
	Paths       []string `json:"paths"`
	// PathsB64 holds every member's exact path bytes (standard base64, in Paths' order) when
	// one of them is not valid UTF-8, which a JSON string cannot carry; absent otherwise.
	PathsB64 []string `json:"paths_b64,omitempty"`
	IDs      []int64  `json:"ids"`
	// Inodes holds each member's inode (0: unknown), in Paths' order: members with the
	// same inode are hard links of one file (all members of a group are on one device, or
	// their inodes are told apart by it: see migration 0009).
	Inodes []int64 `json:"inodes"`
	// IntegrityHash is the full-content BLAKE3 (hex) of a verified group.
	IntegrityHash string `json:"integrity_hash,omitempty"`
	// Unverified lists members that could not be read or no longer have the indexed size
	// (verify only); they are not counted in Count.
	Unverified []string `json:"unverified,omitempty"`
}

// DupesResult is a page of duplicate groups.
type DupesResult struct {
	Groups []DupGroup `json:"groups"`
	// TotalWastedBytes is the sum of WastedBytes over every group matching the query (all
	// pages), as the index knew them when the FIRST page was read; verified groups of this
	// page count as verified. TotalGroups is their number, as of the first page too.
	//
	// The first page computes the totals and its cursor carries them: later pages repeat
	// them instead of reading every group again (that pass was most of the cost of listing a
	// large library page by page). So every page of one listing shows the same totals, but if
	// the library changes between pages they are those of the first page's moment: they may
	// then differ from the sum of the groups the pages returned. Start again without a cursor
	// for fresh totals.
	TotalWastedBytes int64  `json:"total_wasted_bytes"`
	TotalGroups      int64  `json:"total_groups"`
	Next             string `json:"next,omitempty"`
}

// Duplicates is the duplicate-content API.
type Duplicates struct{ l *Library }

// Duplicates returns the duplicate-content API.
func (l *Library) Duplicates() Duplicates { return Duplicates{l} }

type dupKey struct {
	content, n, files, size int64
}

// wasted is a group's wasted bytes: every file but one (hard links of one file are one).
func (k dupKey) wasted() int64 { return k.size * (k.files - 1) }

// Groups returns duplicate groups, most wasted bytes first (ties by cas_id), a page at a time.
//
// The cursor of the next page is bound to the query's filters (Under, MinSize, ContentKind)
// and to the library: replayed with other filters or on another library it is refused as
// invalid ("after"), as is a damaged one. Summary and Verify are not bound (they change what
// a group shows, not which groups come in which order): a listing may switch between them.
// The totals are those of the first page (see [DupesResult.TotalWastedBytes]).
//
// Plan: without Under, the page's groups are read in order from the partial index
// content_dupes (duplicated contents only, by wasted bytes; entry_count kept by triggers,
// migration 0003) and the first page's totals are one pass over it (none when the first page
// holds every group: its groups are the totals). With Under, the subtree's entries are read
// (directory path range, then children by parent_id) and grouped. Only the page's groups read
// their members (entries_content).
func (d Duplicates) Groups(ctx context.Context, q DupesQuery, p Page) (DupesResult, error) {
	const op = "duplicates.find"
	res := DupesResult{Groups: []DupGroup{}}
	limit, err := p.limit(op)
	if err != nil {
		return res, err
	}
	if q.Summary && q.Verify {
		return res, errInvalid(op, "summary", "cannot be combined with verify, which reads the members")
	}
	kind := -1
	if q.ContentKind != "" {
		k, ok := ContentKindCode(q.ContentKind)
		if !ok {
			return res, errInvalid(op, "kind", "unknown content kind %q", q.ContentKind)
		}
		kind = k
	}
	var under *subtree
	if q.Under != "" {
		if under, err = d.l.subtreeOf(ctx, op, q.Under); err != nil {
			return res, err
		}
	}
	bind := dupBinding{library: d.l.info.UUID, minSize: q.MinSize, kind: int64(kind)}
	if under != nil {
		bind.under = under.id
	}
	var after *dupCursor
	if p.After != "" {
		c, err := bind.decode(op, p.After)
		if err != nil {
			return res, err
		}
		after = &c
	}

	var page []dupKey
	var more bool
	var totals dupTotals
	if under == nil {
		page, more, totals, err = d.indexedGroups(ctx, q.MinSize, kind, after, limit)
	} else {
		page, more, totals, err = d.subtreeGroups(ctx, under, q.MinSize, kind, after, limit)
	}
	if err != nil {
		return res, wrapDB(op, err)
	}
	// The cursor carries the index's totals; Verify's corrections below are the page's own.
	res.TotalGroups, res.TotalWastedBytes = totals.groups, totals.wasted
	if more {
		last := page[len(page)-1]
		res.Next = bind.encode(dupCursor{wasted: last.wasted(), content: last.content, totals: totals})
	}
	for _, k := range page {
		g := DupGroup{CasID: CasIDString(k.content), Size: k.size, Count: k.n, Files: k.files, WastedBytes: k.wasted()}
		if q.Summary {
			g.Paths, g.IDs, g.Inodes = []string{}, []int64{}, []int64{}
			res.Groups = append(res.Groups, g)
			continue
		}
		if err := d.members(ctx, op, k.content, under, &g); err != nil {
			return res, err
		}
		if !q.Verify {
			res.Groups = append(res.Groups, g)
			continue
		}
		vs, err := d.verify(ctx, op, k.content, g)
		if err != nil {
			return res, err
		}
		res.TotalWastedBytes -= g.WastedBytes
		for _, v := range vs {
			res.TotalWastedBytes += v.WastedBytes
		}
		res.Groups = append(res.Groups, vs...)
	}
	for i := range res.Groups {
		res.Groups[i].setPathsB64()
	}
	return res, nil
}

// setPathsB64 fills PathsB64 when a member's path is not valid UTF-8 (see DupGroup).
func (g *DupGroup) setPathsB64() {
	if !slices.ContainsFunc(g.Paths, func(p string) bool { return !utf8.ValidString(p) }) {
		return
	}
	g.PathsB64 = make([]string, len(g.Paths))
	for i, p := range g.Paths {
		g.PathsB64[i] = base64.StdEncoding.EncodeToString([]byte(p))
	}
}

// UnmarshalJSON reads a group and gives Paths back their exact bytes from paths_b64, as
// [Entry.UnmarshalJSON] does for an entry's path.
func (g *DupGroup) UnmarshalJSON(b []byte) error {
	type plain DupGroup // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*g = DupGroup(p)
	if len(g.PathsB64) == len(g.Paths) {
		for i, s := range g.PathsB64 {
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("duplicate group: %w", err)
			}
			g.Paths[i] = string(raw)
		}
	}
	return nil
}

// dupTotals are the number of groups and their wasted bytes, over all pages.
type dupTotals struct{ groups, wasted int64 }

// dupCursor is the position after a page's last group (its sort key: wasted bytes, content
// id) and the totals the first page computed.
type dupCursor struct {
	wasted, content int64
	totals          dupTotals
}

// dupBinding is what a duplicates cursor is valid for: the library and the filters that
// select the groups.
type dupBinding struct {
	library       uuid.UUID
	under         int64 // directory entry id of Under, 0 without
	minSize, kind int64 // kind -1: any
}

// The duplicates cursor, base64url (no padding) of 41 bytes: version (1), then big-endian
// int64s wasted, content, total groups, total wasted bytes, then the first 8 bytes of
// SHA-256(dupCursorDomain, library UUID, under, min size, kind, the 33 bytes before). The tag
// is a check, not a secret: it refuses a damaged cursor and one made for other filters or
// another library (which would otherwise resume at a foreign position and echo foreign
// totals). A client can forge a cursor it could have got anyway; it learns nothing from it.
const (
	dupCursorV1     = 2 // 2 since wasted bytes count files, not names (migration 0009)
	dupCursorBody   = 1 + 4*8
	dupCursorTag    = 8
	dupCursorDomain = "filedex duplicates.find cursor v2\x00"
)

func (b dupBinding) tag(body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(dupCursorDomain))
	h.Write(b.library[:])
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:], uint64(b.under))
	binary.BigEndian.PutUint64(buf[8:], uint64(b.minSize))
	binary.BigEndian.PutUint64(buf[16:], uint64(b.kind))
	h.Write(buf[:])
	h.Write(body)
	return h.Sum(nil)[:dupCursorTag]
}

func (b dupBinding) encode(c dupCursor) string {
	buf := make([]byte, 0, dupCursorBody+dupCursorTag)
	buf = append(buf, dupCursorV1)
	for _, v := range [...]int64{c.wasted, c.content, c.totals.groups, c.totals.wasted} {
		buf = binary.BigEndian.AppendUint64(buf, uint64(v))
	}
	buf = append(buf, b.tag(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func (b dupBinding) decode(op, cursor string) (dupCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) != dupCursorBody+dupCursorTag || raw[0] != dupCursorV1 {
		return dupCursor{}, errInvalid(op, "after", "malformed cursor")
	}
	if !bytes.Equal(b.tag(raw[:dupCursorBody]), raw[dupCursorBody:]) {
		return dupCursor{}, errInvalid(op, "after", "cursor does not belong to this query (other filters or library) or is damaged")
	}
	v := func(i int) int64 { return int64(binary.BigEndian.Uint64(raw[1+8*i:])) }
	c := dupCursor{wasted: v(0), content: v(1), totals: dupTotals{groups: v(2), wasted: v(3)}}
	if c.wasted < 0 || c.totals.groups < 0 || c.totals.wasted < 0 {
		// Only a forged cursor gets here (encode never writes these).
		return dupCursor{}, errInvalid(op, "after", "malformed cursor")
	}
	return c, nil
}

// indexedGroups reads the page of groups from the partial index content_dupes (migration
// 0003: contents with entry_count > 1, in wasted-bytes order, ties by cas_id), so only the
// duplicated contents are read and only limit+1 of them for the page. The totals come from
// the cursor after the first page; on the first page they are one pass over the same index,
// or the page itself when it holds every group. entry_count is library-wide, which is why a
// query with Under cannot use it (subtreeGroups).
func (d Duplicates) indexedGroups(ctx context.Context, minSize int64, kind int, after *dupCursor, limit int) (page []dupKey, more bool, totals dupTotals, err error) {
	afterWasted, afterCas := int64(math.MaxInt64), int64(math.MinInt64)
	if after != nil {
		afterWasted, afterCas = after.wasted, after.content
	}
	rows, err := d.l.query(ctx, dupPageQ, minSize, kind, afterWasted, afterCas, limit+1)
	if err != nil {
		return nil, false, totals, err
	}
	defer rows.Close()
	for rows.Next() {
		var k dupKey
		if err := rows.Scan(&k.content, &k.n, &k.files, &k.size); err != nil {
			return nil, false, totals, err
		}
		page = append(page, k)
	}
	if err := rows.Err(); err != nil {
		return nil, false, totals, err
	}
	rows.Close()
	if more = len(page) > limit; more {
		page = page[:limit]
	}
	switch {
	case after != nil:
		totals = after.totals
	case !more:
		// The first page is every group: they are the totals, from the same statement.
		for _, k := range page {
			totals.groups++
			totals.wasted += k.wasted()
		}
	default:
		row, err := d.l.queryRow(ctx, dupTotalsQ, minSize, kind)
		if err != nil {
			return nil, false, totals, err
		}
		if err := row.Scan(&totals.groups, &totals.wasted); err != nil {
			return nil, false, totals, err
		}
	}
	return page, more, totals, nil
}

// dupWasted is content_dupes' indexed expression, written exactly as in the index so the
// planner matches it: the bytes of every file of the content but one (file_count counts hard
// links of one inode once, migration 0009).
const dupWasted = `size_bytes * (file_count - 1)`

// dupTotalsQ: number of groups and wasted bytes over content_dupes (?1 minimum size, ?2 kind
// or -1), run by the first page only. The index alone answers, filters included (it carries
// size_bytes and kind). It is a statement apart from the page's, so under a concurrent scan
// the totals may be a commit newer or older than the first page — as later pages may be
// anyway.
const dupTotalsQ = `SELECT count(*), coalesce(sum(` + dupWasted + `), 0) FROM content_identity INDEXED BY content_dupes
WHERE file_count > 1 AND size_bytes >= ?1 AND (?2 < 0 OR kind = ?2)`

// dupPageQ: the groups after the cursor (?3 wasted, ?4 cas_id) in (wasted desc, cas_id asc)
// order, at most ?5. The cursor bounds are hidden from STAT4 as explained at listDirsQ.
const dupPageQ = `SELECT id, entry_count, file_count, size_bytes FROM content_identity INDEXED BY content_dupes
WHERE file_count > 1 AND ` + dupWasted + ` <= (SELECT ?3) AND (` + dupWasted + ` < (SELECT ?3) OR id > (SELECT ?4))
 AND size_bytes >= ?1 AND (?2 < 0 OR kind = ?2)
ORDER BY ` + dupWasted + ` DESC, id LIMIT (SELECT ?5)`

// subtreeGroups reads the subtree's entries (directory path range, then children by
// parent_id), groups them by content and sorts the groups in Go: counts below a directory
// are not the library-wide entry_count. Every page reads the whole subtree (the totals come
// free with it, but after the first page they are the cursor's, as for indexedGroups).
func (d Duplicates) subtreeGroups(ctx context.Context, under *subtree, minSize int64, kind int, after *dupCursor, limit int) (page []dupKey, more bool, totals dupTotals, err error) {
	rows, err := d.l.query(ctx, dupGroupsUnderQ, under.loc, under.lo, under.hi, under.id, minSize, kind)
	if err != nil {
		return nil, false, totals, err
	}
	var all []dupKey
	for rows.Next() {
		var k dupKey
		if err := rows.Scan(&k.content, &k.n, &k.files, &k.size); err != nil {
			rows.Close()
			return nil, false, totals, err
		}
		all = append(all, k)
		totals.wasted += k.wasted()
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, totals, err
	}
	totals.groups = int64(len(all))
	wasted := func(k dupKey) int64 { return k.wasted() }
	slices.SortFunc(all, func(a, b dupKey) int {
		return cmp.Or(cmp.Compare(wasted(b), wasted(a)), cmp.Compare(a.content, b.content))
	})
	start := 0
	if after != nil {
		totals = after.totals
		start, _ = slices.BinarySearchFunc(all, dupKey{}, func(k dupKey, _ dupKey) int {
			// Position of the first group strictly after the cursor in (wasted desc, cas asc).
			if c := cmp.Compare(after.wasted, wasted(k)); c != 0 {
				return c
			}
			if k.content <= after.content {
				return -1
			}
			return 1
		})
	}
	page = all[start:min(len(all), start+limit)]
	return page, start+limit < len(all), totals, nil
}

// dupGroupsUnderQ: the same over a subtree (?1..?4 as in subtreeDirs). A subtree is in one
// location, so on one device: its files are its distinct inodes (a name without one is a
// file of its own).
const dupGroupsUnderQ = `SELECT g.content_id, g.n, g.files, c.size_bytes FROM (
  SELECT content_id, count(*) AS n, count(DISTINCT iif(inode > 0, inode, -id)) AS files FROM entries INDEXED BY entries_parent_name
  WHERE parent_id IN (` + subtreeDirs + `) AND content_id IS NOT NULL GROUP BY content_id HAVING files > 1
) g JOIN content_identity c ON c.id = g.content_id
WHERE c.size_bytes >= ?5 AND (?6 < 0 OR c.kind = ?6)`

// members fills a group's entry ids and paths (entries_content search).
func (d Duplicates) members(ctx context.Context, op string, content int64, under *subtree, g *DupGroup) error {
	const q = `SELECT e.id, coalesce(e.inode, 0), e.name, p.path, l.path FROM entries e INDEXED BY entries_content
JOIN locations l ON l.id = e.location_id JOIN entries p ON p.id = e.parent_id
WHERE e.content_id = (SELECT ?1) AND e.content_id IS NOT NULL
 AND (?2 = 0 OR (p.location_id = ?2 AND (p.id = ?5 OR (p.path >= ?3 AND p.path < ?4))))
ORDER BY e.id`
	var loc, id int64
	var lo string
	var hi any = ""
	if under != nil {
		loc, lo, hi, id = under.loc, under.lo, under.hi, under.id
	}
	rows, err := d.l.query(ctx, q, content, loc, lo, hi, id)
	if err != nil {
		return wrapDB(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var eid, ino int64
		var name, parentPath, locPath string
		if err := rows.Scan(&eid, &ino, &name, &parentPath, &locPath); err != nil {
			return wrapDB(op, err)
		}
		g.IDs = append(g.IDs, eid)
		g.Inodes = append(g.Inodes, ino)
		g.Paths = append(g.Paths, joinPath(locPath, parentPath, name))
	}
	return wrapDB(op, rows.Err())
}

// verify reads every member whole and splits the group into classes of identical bytes.
//
// Why no shortcut through a cached integrity hash: content_identity.integrity_hash belongs to
// a content id, not to a file. It was computed from some file carrying that cas_id at some
// time; it says nothing about another member (a sampled id can collide on files that differ
// outside the samples) nor about the same file after it changed. Trusting it per member would
// need a per-entry record of (hash, size, mtime) at hashing time, which the schema does not
// keep (it would cost every entry bytes for a rare operation). So each member is hashed
// (full BLAKE3; reading all bytes is the price of proof), and the cache is written instead:
// when all readable members agree, their hash becomes the content's integrity_hash, for
// deep-mode consumers.
func (d Duplicates) verify(ctx context.Context, op string, content int64, g DupGroup) ([]DupGroup, error) {
	type member struct {
		id, ino int64
		path    string
		sum     [32]byte
	}
	var ok []member
	var bad []string
	for i, path := range g.Paths {
		if err := ctx.Err(); err != nil {
			return nil, wrapDB(op, err)
		}
		// Every name is read, links too: a name may no longer be a link of the inode the
		// index knows (replaced since), and proof is about what is on disk now.
		sum, err := hashFile(path, g.Size)
		if err != nil {
			bad = append(bad, path)
			continue
		}
		ok = append(ok, member{g.IDs[i], g.Inodes[i], path, sum})
	}
	// files counts a class's distinct files, as file_count does: hard links of one inode
	// are one file.
	files := func(ms []member) int64 {
		seen := map[int64]bool{}
		var n int64
		for _, m := range ms {
			if m.ino == 0 || !seen[m.ino] {
				n++
			}
			seen[m.ino] = true
		}
		return n
	}
	// Classes of equal hashes, in member (id) order.
	slices.SortStableFunc(ok, func(a, b member) int { return bytes.Compare(a.sum[:], b.sum[:]) })
	var out []DupGroup
	for i := 0; i < len(ok); {
		j := i
		for j < len(ok) && ok[j].sum == ok[i].sum {
			j++
		}
		if nf := files(ok[i:j]); nf >= 2 {
			v := DupGroup{CasID: g.CasID, Size: g.Size, Count: int64(j - i), Files: nf, WastedBytes: g.Size * (nf - 1),
				Verified: true, IntegrityHash: hex.EncodeToString(ok[i].sum[:])}
			cls := ok[i:j]
			slices.SortFunc(cls, func(a, b member) int { return cmp.Compare(a.id, b.id) })
			for _, m := range cls {
				v.IDs = append(v.IDs, m.id)
				v.Paths = append(v.Paths, m.path)
				v.Inodes = append(v.Inodes, m.ino)
			}
			out = append(out, v)
		}
		i = j
	}
	if len(out) == 1 && out[0].Count == int64(len(ok)) && !d.l.opts.ReadOnly {
		sum := ok[0].sum
		if err := d.l.update(ctx, op, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE content_identity SET integrity_hash = ? WHERE id = ? AND integrity_hash IS NOT ?`, sum[:], content, sum[:])
			return err
		}); err != nil {
			return nil, err
		}
	}
	if len(bad) > 0 {
		if len(out) == 0 {
			out = append(out, DupGroup{CasID: g.CasID, Size: g.Size, Paths: []string{}, IDs: []int64{}, Inodes: []int64{}})
		}
		out[0].Unverified = bad
	}
	slices.SortFunc(out, func(a, b DupGroup) int {
		if len(a.IDs) == 0 || len(b.IDs) == 0 {
			return cmp.Compare(len(b.IDs), len(a.IDs))
		}
		return cmp.Or(cmp.Compare(b.WastedBytes, a.WastedBytes), cmp.Compare(a.IDs[0], b.IDs[0]))
	})
	return out, nil
}

// hashFile is the full BLAKE3 of a regular file that must still have the indexed size.
func hashFile(path string, size int64) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return [32]byte{}, err
	}
	if !st.Mode().IsRegular() || st.Size() != size {
		return [32]byte{}, fmt.Errorf("%s: %w", path, cas.ErrChanged)
	}
	return cas.Integrity(io.ReaderAt(f), size)
}

// subtree is a directory and the path range of the directories below it.
type subtree struct {
	id, loc int64
	lo      string
	hi      any
	root    bool // the location's root: the subtree is the whole location
}

// subtreeOf resolves an absolute directory path to its subtree range.
func (l *Library) subtreeOf(ctx context.Context, op, path string) (*subtree, error) {
	id, err := l.resolvePath(ctx, op, path)
	if err != nil {
		return nil, &Error{Op: op, Field: "under", Err: err}
	}
	row, err := l.queryRow(ctx, `SELECT location_id, path FROM entries WHERE id = ?`, id)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	var loc int64
	var p sql.NullString
	if err := row.Scan(&loc, &p); err != nil {
		return nil, wrapDB(op, err)
	}
	if !p.Valid {
		return nil, errInvalid(op, "under", "%s is not a directory", path)
	}
	lo, hi := subtreeRange(p.String)
	return &subtree{id: id, loc: loc, lo: lo, hi: hi, root: p.String == ""}, nil
}
