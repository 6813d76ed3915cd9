package core

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/filedex/filedex/internal/sqlbind"
)

// FindQuery is a search over entries; every set field must match (AND). The zero value
// matches everything.
type FindQuery struct {
	// Name is a glob on the whole name (see "Name globs" in glob.go): "*.pdf", "IMG_20??_*".
	// '%', '_' and '\' are literal characters.
	Name string `json:"name,omitempty"`
	// IgnoreCase matches Name ignoring case (Unicode simple folding), as fd and locate -i do.
	IgnoreCase bool `json:"ignore_case,omitempty"`
	// Text is full-text search on names: words, all required, in any order; "rep*" is a
	// prefix; case and diacritics are ignored. Results are ordered by BM25 relevance.
	Text string `json:"text,omitempty"`
	// Extensions: any of these (case-insensitive, with or without the leading dot).
	Extensions []string `json:"ext,omitempty"`
	// Kind: file, directory or symlink.
	Kind *Kind `json:"kind,omitempty"`
	// ContentKind: "image", "document", … (see ContentKinds); only identified files match.
	ContentKind string `json:"content_kind,omitempty"`
	// MinSize and MaxSize bound the size in bytes, inclusive.
	MinSize *int64 `json:"min_size,omitempty"`
	MaxSize *int64 `json:"max_size,omitempty"`
	// ModifiedAfter (inclusive) and ModifiedBefore (exclusive) bound the modification time;
	// CreatedAfter and CreatedBefore the birth time (entries without one never match them).
	ModifiedAfter  *time.Time `json:"modified_after,omitempty"`
	ModifiedBefore *time.Time `json:"modified_before,omitempty"`
	CreatedAfter   *time.Time `json:"created_after,omitempty"`
	CreatedBefore  *time.Time `json:"created_before,omitempty"`
	// Tags: entries carrying every one of these tags (by name).
	Tags []string `json:"tags,omitempty"`
	// Label: entries carrying this label or any label below it (by name or path "A/B").
	Label string `json:"label,omitempty"`
	// Favorite and Hidden: true keeps only favourites (hidden entries), false excludes them.
	Favorite *bool `json:"favorite,omitempty"`
	Hidden   *bool `json:"hidden,omitempty"`
	// Under: only entries strictly below this directory (absolute path).
	Under string `json:"under,omitempty"`
	// Device: only the entries of the device with this name ("" or "all": every device).
	Device string `json:"device,omitempty"`
}

// FindPlan describes how [Entries.Find] answers a query: the filter that drives it (read
// through its index), the SQL and SQLite's EXPLAIN QUERY PLAN of it.
type FindPlan struct {
	Driver    string   `json:"driver"`
	SQL       string   `json:"sql"`
	QueryPlan []string `json:"query_plan"`
}

// Query plans.
//
// A search reads one index — the driver — and checks every other filter on the rows it
// yields, in the driver's own order, so the first page costs about limit/selectivity index
// steps and no sort. Candidate drivers, each an index range:
//
//	text       entries_fts (FTS5), ranked by BM25 — always drives when set
//	tag/label  metadata_tag / metadata_label → entries_metadata (user-curated, usually small)
//	favorite   user_metadata_favorite / user_metadata_hidden (partial) → entries_metadata
//	name       entries_fts: the tokens of a glob's literal prefix p at the start of the name,
//	           the last one as a prefix ("IMG_20??_*" → ^"IMG_20"*), then the range [p, p+1)
//	ext        entries_fts, the phrase of each extension (also from a glob "*.pdf")
//	under      entries_dir_path range (subdirectories) → entries_parent_name (children)
//	large      entries_large (partial, ≥ 1 MiB), when MinSize ≥ 1 MiB
//	content    content_identity (scan of that table, not of entries) → entries_content
//	dirs       entries_dir_path (partial, directories only)
//
// The name and extension drivers read the full-text index (migration 0006 dropped their
// b-trees): its matches are a superset of the names the glob or extension can match, and the
// filters decide. FTS5 delivers them in id order. A prefix or extension that FTS5 might
// tokenize differently from the names (no ASCII letter or digit; an extension that is not
// ASCII, whose lower case may fold differently) is not indexable.
//
// When several apply, each is probed with a bounded count (at most probeCap index steps)
// and the one with the fewest rows drives; ties keep the order above. With no indexable
// filter the search scans the table in id order (a glob without a literal prefix such as
// "*foo*", modification times alone, or no filter at all). The page cursor records
// the driver, so later pages keep the first page's plan and order even if the data change
// which driver would win.
const probeCap = 2000

// rankWindow is the largest full-text match set ranked by BM25 (see chooseDriver).
var rankWindow = 1000 // a variable only so tests can exercise both plans

type findArm struct {
	from  string // replaces "FROM entries e": an index clause, or a join for FTS
	where string
	args  []any
	keys  []string // order key expressions before the id
	types string   // per key: 's' text, 'i' integer, 'f' real
	// id is the expression of the entry id in the order ("e.id" when empty); "f.rowid" lets
	// FTS5 deliver (and seek) rowid order itself.
	id string
	// wrap runs the driver, the filters, the order and the limit in an inner query that
	// touches entries only, and joins the page's rows to the rest afterwards: for drivers
	// that must sort all their rows (BM25 ranking), so the sort does not drag the joins.
	wrap bool
	// implies is 1 + the index of the filter this arm's own condition makes redundant (0:
	// none): "under" selects the subtree's rows itself, and its EXISTS filter cost a rowid
	// lookup per row.
	implies int
}

func (a findArm) idKey() string {
	if a.id == "" {
		return "e.id"
	}
	return a.id
}

type findDriver struct {
	name string
	arms []findArm
}

type findSQL struct {
	filters []findFilter
}

type findFilter struct {
	cond string
	args []any
}

func (f *findSQL) add(cond string, args ...any) {
	f.filters = append(f.filters, findFilter{cond, args})
}

// compileFind resolves names (tags, label, under) and returns the candidate drivers and the
// filters every row must pass.
func (l *Library) compileFind(ctx context.Context, op string, q FindQuery) ([]findDriver, findSQL, error) {
	var ds []findDriver
	var f findSQL
	idx := func(name string) string { return "FROM entries e INDEXED BY " + name }

	if q.Text != "" {
		expr, ok := ftsExpr(q.Text)
		if !ok {
			return nil, f, errInvalid(op, "text", "no word to search for in %q", q.Text)
		}
		ds = append(ds, findDriver{"text", []findArm{{
			from:  "FROM (SELECT rowid AS fid, rank AS frank FROM entries_fts WHERE entries_fts MATCH ?) f CROSS JOIN entries e ON e.id = f.fid",
			where: "1", keys: []string{"f.frank"}, types: "f", args: []any{expr}, id: "f.fid", wrap: true,
		}}}, findDriver{"text-all", []findArm{{
			from:  "FROM entries_fts f CROSS JOIN entries e ON e.id = f.rowid",
			where: "entries_fts MATCH ?", args: []any{expr}, id: "f.rowid",
		}}})
	}
	for i, name := range q.Tags {
		t, err := l.Tags().GetByName(ctx, name)
		if err != nil {
			return nil, f, &Error{Op: op, Field: "tags", Err: err}
		}
		f.add(`EXISTS (SELECT 1 FROM metadata_tag mt WHERE mt.metadata_id = e.metadata_id AND mt.tag_id = ?)`, t.ID)
		ds = append(ds, findDriver{fmt.Sprintf("tag%d", i), []findArm{{from: idx("entries_metadata"),
			where: `e.metadata_id IN (SELECT metadata_id FROM metadata_tag WHERE tag_id = ?) AND e.metadata_id IS NOT NULL`,
			args:  []any{t.ID}, keys: []string{"e.metadata_id"}, types: "i"}}})
	}
	if q.Label != "" {
		x, err := l.Labels().GetByName(ctx, q.Label)
		if err != nil {
			return nil, f, &Error{Op: op, Field: "label", Err: err}
		}
		// The label and all its descendants, by recursive CTE over labels_parent.
		const below = `WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT c.id FROM labels c JOIN d ON c.parent_id = d.id) SELECT id FROM d`
		f.add(`EXISTS (SELECT 1 FROM metadata_label ml WHERE ml.metadata_id = e.metadata_id AND ml.label_id IN (`+below+`))`, x.ID)
		ds = append(ds, findDriver{"label", []findArm{{from: idx("entries_metadata"),
			where: `e.metadata_id IN (SELECT ml.metadata_id FROM metadata_label ml WHERE ml.label_id IN (` + below + `)) AND e.metadata_id IS NOT NULL`,
			args:  []any{x.ID}, keys: []string{"e.metadata_id"}, types: "i"}}})
	}
	for _, flag := range []struct {
		name string
		v    *bool
	}{{"favorite", q.Favorite}, {"hidden", q.Hidden}} {
		if flag.v == nil {
			continue
		}
		cond := `EXISTS (SELECT 1 FROM user_metadata um WHERE um.id = e.metadata_id AND um.` + flag.name + ` = 1)`
		if !*flag.v {
			f.add(`NOT ` + cond)
			continue
		}
		f.add(cond)
		ds = append(ds, findDriver{flag.name, []findArm{{from: idx("entries_metadata"),
			where: `e.metadata_id IN (SELECT id FROM user_metadata WHERE ` + flag.name + ` = 1) AND e.metadata_id IS NOT NULL`,
			keys:  []string{"e.metadata_id"}, types: "i"}}})
	}

	var g *glob
	if q.Name != "" {
		var err error
		if g, err = compileGlob(q.Name); err != nil {
			return nil, f, &Error{Op: op, Field: "name", Err: err}
		}
		if q.IgnoreCase {
			// The full-text index folds case itself, so its matches stay a superset of the
			// names; the exact comparisons that narrow them fold too, with SQLite's lower(),
			// which folds ASCII only: a prefix that is not ASCII is left to the scan.
			f.add(`fdx_iglob(?, e.name)`, q.Name)
			if p := g.prefix(); p != "" && isASCII(p) {
				if expr, ok := ftsNamePrefix(p); ok {
					lp := strings.ToLower(p)
					ds = append(ds, findDriver{"name", []findArm{ftsArm(expr, `lower(e.name) >= ? AND lower(e.name) < ?`, lp, upperBound(lp))}})
				}
			}
		} else {
			f.add(`fdx_glob(?, e.name)`, q.Name)
			if name, ok := g.exact(); ok {
				if expr, ok := ftsNamePrefix(name); ok {
					ds = append(ds, findDriver{"name", []findArm{ftsArm(expr, `e.name = ?`, name)}})
				}
			} else if p := g.prefix(); p != "" {
				if expr, ok := ftsNamePrefix(p); ok {
					ds = append(ds, findDriver{"name", []findArm{ftsArm(expr, `e.name >= ? AND e.name < ?`, p, upperBound(p))}})
				}
			}
		}
	}

	// Extensions: the user's list, intersected with the glob's own ".ext" suffix if any.
	var exts []string
	for _, raw := range q.Extensions {
		x := ExtensionOf("x." + strings.TrimPrefix(raw, "."))
		if x == "" {
			return nil, f, errInvalid(op, "ext", "%q is not an extension", raw)
		}
		exts = append(exts, x)
	}
	slices.Sort(exts)
	exts = slices.Compact(exts)
	dotName := ""
	if g != nil {
		if gx, dn, ok := g.extension(); ok {
			if len(q.Extensions) == 0 {
				exts, dotName = []string{gx}, dn
			} else if slices.Contains(exts, gx) {
				exts = []string{gx}
			} else {
				exts = []string{} // "*.pdf" with --ext jpg: nothing can match
			}
		}
	}
	if len(q.Extensions) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", max(len(exts), 1)), ", ")
		args := make([]any, 0, len(exts))
		for _, x := range exts {
			args = append(args, x)
		}
		if len(exts) == 0 {
			args = append(args, nil) // IN (NULL): matches nothing
		}
		f.add(`e.extension IN (`+ph+`)`, args...)
	}
	if exts != nil {
		d := findDriver{name: "ext"}
		indexable := true
		if dotName != "" {
			// Not directories: the directory arm below has those (arms must not overlap).
			expr, ok := ftsNamePrefix(dotName)
			indexable = indexable && ok
			if q.IgnoreCase {
				indexable = indexable && isASCII(dotName)
				d.arms = append(d.arms, ftsArm(expr, `lower(e.name) = ? AND e.kind <> 1`, strings.ToLower(dotName)))
			} else {
				d.arms = append(d.arms, ftsArm(expr, `e.name = ? AND e.kind <> 1`, dotName))
			}
		}
		for _, x := range exts {
			expr, ok := ftsExtension(x)
			indexable = indexable && ok
			d.arms = append(d.arms, ftsArm(expr, `e.extension = ?`, x))
		}
		if len(q.Extensions) == 0 && (q.Kind == nil || *q.Kind == KindDirectory) {
			// A directory named "x.pdf" matches "*.pdf" but has no extension (only files
			// and symlinks do): the directories-only partial index adds them.
			d.arms = append(d.arms, dirsArm)
		}
		// An extension the full-text index cannot find (no ASCII letter or digit, or not
		// ASCII) leaves the filter to the scan.
		if indexable {
			ds = append(ds, d)
		}
	}

	if q.Under != "" {
		id, err := l.resolvePath(ctx, op, q.Under)
		if err != nil {
			return nil, f, &Error{Op: op, Field: "under", Err: err}
		}
		var loc int64
		var path sql.NullString
		row, err := l.queryRow(ctx, `SELECT location_id, path FROM entries WHERE id = ?`, id)
		if err == nil {
			err = row.Scan(&loc, &path)
		}
		if err != nil {
			return nil, f, wrapDB(op, err)
		}
		if !path.Valid {
			return nil, f, errInvalid(op, "under", "%s is not a directory", q.Under)
		}
		lo, hi := subtreeRange(path.String)
		f.add(`EXISTS (SELECT 1 FROM entries ud WHERE ud.id = e.parent_id AND ud.location_id = ? AND (ud.id = ? OR (ud.path >= ? AND ud.path < ?)))`, loc, id, lo, hi)
		ds = append(ds, findDriver{"under", []findArm{{from: idx("entries_parent_name"),
			where: `e.parent_id IN (SELECT id FROM entries WHERE location_id = ? AND path >= ? AND path < ? AND path IS NOT NULL UNION ALL SELECT ?)`,
			args:  []any{loc, lo, hi, id}, keys: []string{"e.parent_id", "e.name"}, types: "is", implies: len(f.filters)}}})
	}

	if q.Device != "" && q.Device != "all" {
		lo, hi, err := l.deviceIDRange(ctx, op, q.Device)
		if err != nil {
			return nil, f, err
		}
		f.add(`e.id >= ? AND e.id < ?`, lo, hi)
	}
	if q.MinSize != nil {
		f.add(`e.size >= ?`, *q.MinSize)
		if *q.MinSize >= largeFileMin {
			ds = append(ds, findDriver{"large", []findArm{{from: idx("entries_large"),
				where: fmt.Sprintf(`e.size >= ? AND e.size >= %d`, largeFileMin), args: []any{*q.MinSize},
				keys: []string{"e.size"}, types: "i"}}})
		}
	}
	if q.MaxSize != nil {
		f.add(`e.size <= ?`, *q.MaxSize)
	}
	if q.ContentKind != "" {
		k, ok := ContentKindCode(q.ContentKind)
		if !ok {
			return nil, f, errInvalid(op, "content_kind", "unknown content kind %q", q.ContentKind)
		}
		f.add(`EXISTS (SELECT 1 FROM content_identity ci WHERE ci.id = e.content_id AND ci.kind = ?)`, k)
		ds = append(ds, findDriver{"content", []findArm{{from: idx("entries_content"),
			where: `e.content_id IN (SELECT id FROM content_identity WHERE kind = ?) AND e.content_id IS NOT NULL`,
			args:  []any{k}, keys: []string{"e.content_id"}, types: "i"}}})
	}
	if q.Kind != nil {
		if *q.Kind < KindFile || *q.Kind > KindSymlink {
			return nil, f, errInvalid(op, "kind", "unknown kind %d", *q.Kind)
		}
		f.add(`e.kind = ?`, int(*q.Kind))
		if *q.Kind == KindDirectory {
			ds = append(ds, findDriver{"dirs", []findArm{dirsArm}})
		}
	}
	for _, t := range []struct {
		col, cmp string
		v        *time.Time
	}{{"modified_at", ">=", q.ModifiedAfter}, {"modified_at", "<", q.ModifiedBefore}, {"created_at", ">=", q.CreatedAfter}, {"created_at", "<", q.CreatedBefore}} {
		if t.v != nil {
			f.add(`e.`+t.col+` `+t.cmp+` ?`, t.v.UnixMilli())
		}
	}
	// The fallback, used only when nothing above applies.
	ds = append(ds, findDriver{"scan", []findArm{{from: "FROM entries e NOT INDEXED", where: "1"}}})
	return ds, f, nil
}

// dirsArm reads every directory, and nothing else, from the partial index entries_dir_path.
var dirsArm = findArm{from: "FROM entries e INDEXED BY entries_dir_path", where: `e.path IS NOT NULL`,
	keys: []string{"e.location_id", "e.path"}, types: "is"}

// largeFileMin is the threshold of the partial index entries_large (migration 0001).
const largeFileMin = 1 << 20

// chooseDriver picks the driver with the fewest rows, by bounded counts.
func (l *Library) chooseDriver(ctx context.Context, ds []findDriver) (findDriver, error) {
	var indexed []findDriver
	for i, d := range ds {
		if d.name == "text" {
			// FTS drives: its own index. BM25 ranking has to score every match before the
			// first row (measured at 100k entries: ~50 ms for the 12.5k matches of "rep*"),
			// so only match sets up to rankWindow are ranked; broader ones come in index
			// (id) order at the cost of the first page only ("text-all").
			// A cached statement (one text per rankWindow): preparing it on every call was
			// ~40 % of a prefix query's CPU at 1M entries (FTS5 reads its config at prepare).
			var n int
			row, err := l.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM entries_fts WHERE entries_fts MATCH (SELECT ?) LIMIT `+fmt.Sprint(rankWindow+1)+`)`, d.arms[0].args...)
			if err == nil {
				err = row.Scan(&n)
			}
			if err != nil {
				return d, err
			}
			if n > rankWindow {
				return ds[i+1], nil
			}
			return d, nil
		}
		if d.name != "scan" && d.name != "text-all" {
			indexed = append(indexed, d)
		}
	}
	switch len(indexed) {
	case 0:
		return ds[0], nil // the first fallback
	case 1:
		return indexed[0], nil
	}
	best, bestN := 0, int64(-1)
	for i, d := range indexed {
		var n int64
		for _, a := range d.arms {
			var k int64
			err := l.read.QueryRowContext(ctx, hideParams(`SELECT count(*) FROM (SELECT 1 `+a.from+` WHERE `+a.where+` LIMIT `+fmt.Sprint(probeCap)+`)`), a.args...).Scan(&k)
			if err != nil {
				return d, err
			}
			n += k
		}
		if bestN < 0 || n < bestN {
			best, bestN = i, n
		}
	}
	return indexed[best], nil
}

// findCursor is the position after the last row of a page: the driver, its arm and the
// sort key. Text keys travel as bytes (names need not be UTF-8).
type findCursor struct {
	Driver string            `json:"d"`
	Arm    int               `json:"a"`
	Keys   []json.RawMessage `json:"k"`
}

func (a findArm) decodeKeys(raw []json.RawMessage) ([]any, error) {
	if len(raw) != len(a.types)+1 {
		return nil, fmt.Errorf("key count")
	}
	out := make([]any, len(raw))
	for i, r := range raw {
		t := byte('i')
		if i < len(a.types) {
			t = a.types[i]
		}
		var err error
		switch t {
		case 's':
			var b []byte
			err = json.Unmarshal(r, &b)
			out[i] = string(b)
		case 'f':
			var v float64
			err = json.Unmarshal(r, &v)
			out[i] = v
		default:
			var v int64
			err = json.Unmarshal(r, &v)
			out[i] = v
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keyset returns "after this key" for the arm's order (keys…, e.id): a leading ">=" on the
// first key lets the index start at the cursor, the nested OR does the exact comparison.
func (a findArm) keyset(vals []any) (string, []any) {
	cond, args := a.idKey()+" > ?", []any{vals[len(vals)-1]}
	for i := len(a.keys) - 1; i >= 0; i-- {
		k := a.keys[i]
		cond = fmt.Sprintf("(%s > ? OR (%s = ? AND %s))", k, k, cond)
		args = append([]any{vals[i], vals[i]}, args...)
	}
	if len(a.keys) > 0 {
		cond = a.keys[0] + " >= ? AND " + cond
		args = append([]any{vals[0]}, args...)
	}
	return cond, args
}

func (a findArm) sql(f findSQL, after []any) (string, []any) {
	var w strings.Builder // WHERE … ORDER BY … LIMIT ? over entries e
	args := append([]any{}, a.args...)
	w.WriteString("\nWHERE ")
	w.WriteString(a.where)
	if after != nil {
		c, ca := a.keyset(after)
		w.WriteString(" AND " + c)
		args = append(args, ca...)
	}
	for i, c := range f.filters {
		if a.implies == i+1 {
			continue
		}
		w.WriteString("\n AND " + c.cond)
		args = append(args, c.args...)
	}
	w.WriteString("\nORDER BY ")
	for _, k := range a.keys {
		w.WriteString(k + ", ")
	}
	w.WriteString(a.idKey() + " LIMIT ?")
	if !a.wrap {
		return strings.Replace(entrySelect, "FROM entries e\n", a.from+"\n", 1) + w.String(), args
	}
	// Inner query: ids and keys of the page; outer: the page joined to everything else.
	var inner, order strings.Builder
	inner.WriteString("SELECT " + a.idKey() + " AS wid")
	for i, k := range a.keys {
		fmt.Fprintf(&inner, ", %s AS k%d", k, i)
		fmt.Fprintf(&order, "w.k%d, ", i)
	}
	inner.WriteString(" " + a.from + w.String())
	from := "FROM (" + inner.String() + ") w CROSS JOIN entries e ON e.id = w.wid\n"
	return strings.Replace(entrySelect, "FROM entries e\n", from, 1) + "\nORDER BY " + order.String() + "w.wid", args
}

// selectKeys adds the arm's key columns to the select list (read back for the cursor).
func (a findArm) selectKeys(sqlText string) string {
	if len(a.keys) == 0 {
		return sqlText
	}
	keys := a.keys
	if a.wrap {
		keys = nil
		for i := range a.keys {
			keys = append(keys, fmt.Sprintf("w.k%d", i))
		}
	}
	return strings.Replace(sqlText, "\nFROM ", ", "+strings.Join(keys, ", ")+"\n FROM ", 1)
}

// Find searches entries (see [FindQuery]) and returns a page of them, with the cursor of the
// next page ("" after the last). Results come in the order of the index that drives the
// query (see FindPlan): relevance for Text (up to 1000 matches), id order for a name or
// extension search (the full-text index's order), otherwise that index's order; pages never
// repeat or skip an entry that did not change. A cursor from before migration 0006 (name
// order) is refused as malformed.
func (s Entries) Find(ctx context.Context, q FindQuery, p Page) ([]Entry, string, error) {
	const op = "entry.find"
	limit, err := p.limit(op)
	if err != nil {
		return nil, "", err
	}
	ds, f, err := s.l.compileFind(ctx, op, q)
	if err != nil {
		return nil, "", err
	}
	d, armIdx, after, err := s.l.findStart(ctx, op, ds, p.After)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, min(limit, 64))
	next, err := s.l.findRows(ctx, op, d, armIdx, after, f, limit, func(es []Entry) error {
		out = append(out, es...)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// FindEach streams what [Entries.Find] would return over all its pages: the entries of q
// after the cursor after ("" from the start), in Find's order, at most limit of them (0: no
// limit), handed to fn in batches of up to [EachBatch] as they are read. It reads one
// snapshot with one statement per index arm, so a listing of any size costs one query and
// memory for one batch, where paging costs a query (and its subquery set-up) per page. The
// cursor returned is "" when everything matching was delivered, else the position after the
// last entry, for Find or FindEach to continue from. An error from fn stops the stream and is
// returned as it is.
func (s Entries) FindEach(ctx context.Context, q FindQuery, after string, limit int, fn func([]Entry) error) (string, error) {
	const op = "entry.find"
	if limit < 0 {
		return "", errInvalid(op, "limit", "must be ≥ 0")
	}
	ds, f, err := s.l.compileFind(ctx, op, q)
	if err != nil {
		return "", err
	}
	d, armIdx, keys, err := s.l.findStart(ctx, op, ds, after)
	if err != nil {
		return "", err
	}
	return s.l.findRows(ctx, op, d, armIdx, keys, f, limit, fn)
}

// EachBatch is the most entries FindEach and ListEach hand to their callback at once.
const EachBatch = 256

// findStart picks the driver of a search: the cursor's, or the cheapest (chooseDriver) for a
// first page, with the arm and keys to resume after.
func (l *Library) findStart(ctx context.Context, op string, ds []findDriver, cursor string) (findDriver, int, []any, error) {
	if cursor == "" {
		d, err := l.chooseDriver(ctx, ds)
		if err != nil {
			return d, 0, nil, wrapDB(op, err)
		}
		return d, 0, nil, nil
	}
	var c findCursor
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return findDriver{}, 0, nil, errInvalid(op, "after", "malformed cursor")
	}
	i := slices.IndexFunc(ds, func(x findDriver) bool { return x.name == c.Driver })
	if i < 0 || c.Arm < 0 || c.Arm >= len(ds[i].arms) {
		return findDriver{}, 0, nil, errInvalid(op, "after", "cursor does not belong to this query")
	}
	keys, err := ds[i].arms[c.Arm].decodeKeys(c.Keys)
	if err != nil {
		return findDriver{}, 0, nil, errInvalid(op, "after", "malformed cursor")
	}
	return ds[i], c.Arm, keys, nil
}

// findRows runs driver d's arms from armIdx (after the keys after, when set) in one read
// snapshot and hands the entries to fn in batches, with their metadata attached. limit 0
// reads to the end; otherwise it stops after limit entries and returns the cursor of the
// next one if any row follows. Each arm is one statement read to its end (or the limit):
// no page re-runs the driver's set-up (the subtree's directory set of "under", the FTS
// match), which is what made listing a large tree page by page cost ~90 µs a path.
func (l *Library) findRows(ctx context.Context, op string, d findDriver, armIdx int, after []any, f findSQL, limit int, fn func([]Entry) error) (string, error) {
	var next string
	b := &entryBatch{fn: fn}
	err := l.withSnapshot(ctx, op, func(r *readConn) error {
		b.r = r
		n := 0
		var lastKeys []any
		for ; armIdx < len(d.arms); armIdx, after = armIdx+1, nil {
			a := d.arms[armIdx]
			lastKeys = nil // arms may differ in their keys
			text, args := a.sql(f, after)
			sqlLimit := -1 // SQLite: no limit
			if limit > 0 {
				sqlLimit = limit - n + 1
			}
			args = append(args, sqlLimit)
			st, _, err := r.c.Prepare(hideParams(a.selectKeys(text)))
			if err != nil {
				return err
			}
			if err := sqlbind.Args(st, args...); err != nil {
				st.Close()
				return err
			}
			rows := &readRows{st: st}
			more, err := func() (bool, error) {
				defer st.Close()
				for rows.Next() {
					if limit > 0 && n == limit {
						return true, nil
					}
					var er entryRow
					if err := rows.entryRow(&er); err != nil {
						return false, err
					}
					e := er.entry()
					e.UUID, e.Device = l.entryUUID(e.ID), l.entryDevice(e.ID)
					lastKeys = readKeys(lastKeys, st, a.types, e.ID)
					n++
					if err := b.add(e); err != nil {
						return false, err
					}
				}
				return false, rows.Err()
			}()
			if err != nil {
				return err
			}
			if more || (limit > 0 && n == limit && armIdx+1 < len(d.arms)) {
				// Stopped inside an arm, or the limit reached exactly at the end of one:
				// the next page starts after the last entry delivered.
				next = encodeFindCursor(d.name, armIdx, lastKeys)
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

// readKeys reads the order keys a find statement selects after the entry's columns
// (selectKeys) into keys, in encodeFindCursor's form, then the entry id. keys is reused
// from row to row (nil the first time): every row is read, only the last one's are kept.
func readKeys(keys []any, st *sqlite3.Stmt, types string, id int64) []any {
	if keys == nil {
		keys = make([]any, len(types)+1)
		for i := range len(types) {
			switch types[i] {
			case 's':
				keys[i] = new([]byte)
			case 'f':
				keys[i] = new(float64)
			default:
				keys[i] = new(int64)
			}
		}
	}
	for i := range len(types) {
		col := entryColumns + i
		switch k := keys[i].(type) {
		case *[]byte:
			*k = append((*k)[:0], st.ColumnRawText(col)...)
		case *float64:
			*k = st.ColumnFloat(col)
		case *int64:
			*k = st.ColumnInt64(col)
		}
	}
	keys[len(types)] = id
	return keys
}

// hideParams writes every parameter of a find statement as "(SELECT ?)", for the reason
// paths.go gives above listDirsQ: with STAT4 samples, a statement whose plan looked at a
// bound value is prepared again at its first step, so each Find prepared its statement
// twice. Find's plans do not need the values: each arm names its index (INDEXED BY) and
// the driver is chosen by bounded counts (chooseDriver). The statement texts hold no
// string literal with a '?' (TestFindNoQuestionMarkLiterals).
func hideParams(q string) string { return strings.ReplaceAll(q, "?", "(SELECT ?)") }

func encodeFindCursor(driver string, arm int, keys []any) string {
	c := findCursor{Driver: driver, Arm: arm}
	for _, k := range keys {
		var b []byte
		switch v := k.(type) {
		case *[]byte:
			b, _ = json.Marshal(*v) // base64: any bytes survive
		case *float64:
			b, _ = json.Marshal(*v)
		case *int64:
			b, _ = json.Marshal(*v)
		default:
			b, _ = json.Marshal(v)
		}
		c.Keys = append(c.Keys, b)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// scanPlus scans an entry row followed by extra columns.
type scanPlus struct {
	rows  *sql.Rows
	extra []any
}

func (s scanPlus) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

// ExplainFind returns the plan [Entries.Find] uses for the first page of q.
func (s Entries) ExplainFind(ctx context.Context, q FindQuery) (FindPlan, error) {
	const op = "entry.find"
	ds, f, err := s.l.compileFind(ctx, op, q)
	if err != nil {
		return FindPlan{}, err
	}
	d, err := s.l.chooseDriver(ctx, ds)
	if err != nil {
		return FindPlan{}, wrapDB(op, err)
	}
	plan := FindPlan{Driver: d.name}
	for _, a := range d.arms {
		text, args := a.sql(f, nil)
		args = append(args, 1)
		lines, err := s.l.explain(ctx, a.selectKeys(text), args...)
		if err != nil {
			return plan, wrapDB(op, err)
		}
		if plan.SQL != "" {
			plan.SQL += ";\n"
		}
		plan.SQL += text
		plan.QueryPlan = append(plan.QueryPlan, lines...)
	}
	return plan, nil
}

// explain runs EXPLAIN QUERY PLAN and returns its detail lines.
func (l *Library) explain(ctx context.Context, query string, args ...any) ([]string, error) {
	return explainOn(ctx, l.read, query, args...)
}

// explainOn is explain on a given pool (tests explain writing statements on the writer).
func explainOn(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
