// Package sqlitestat measures how many pages each table and index of a
// SQLite database occupies, like the dbstat virtual table.
//
// github.com/ncruces/go-sqlite3 v0.37.0 is built without
// SQLITE_ENABLE_DBSTAT_VTAB ("no such table: dbstat"), so this package walks
// the b-trees of the database file itself, following the file format
// (https://sqlite.org/fileformat2.html): interior and leaf pages of every
// b-tree from its root page, plus the overflow chains of cells too large for
// their page. Every page of the file is then accounted for: b-tree pages,
// freelist pages and the lock-byte page add up to the header's page count,
// which the package checks.
//
// The file must be quiescent and complete: checkpoint a WAL database (or use
// journal_mode=DELETE) and close writers before calling [Analyze].
package sqlitestat

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/internal/wasivfs"
)

// Object is one b-tree: a table, an index (automatic ones included), or the
// schema table itself.
type Object struct {
	Name     string // index or table name; "sqlite_schema" for page 1's tree
	Type     string // "table" or "index"
	Table    string // the table an index belongs to (the table itself for tables)
	Pages    int    // interior + leaf + overflow pages
	Overflow int    // overflow pages alone
	Cells    int    // rows of a table, entries of an index (or WITHOUT ROWID table)
	Payload  int64  // record bytes of those cells
}

// Stats is the page accounting of one database file.
type Stats struct {
	PageSize  int
	PageCount int // from the header
	Freelist  int
	Objects   []Object // largest first
}

// Bytes returns the bytes an object's pages occupy.
func (s *Stats) Bytes(o Object) int64 { return int64(o.Pages) * int64(s.PageSize) }

// FileBytes returns PageCount × PageSize.
func (s *Stats) FileBytes() int64 { return int64(s.PageCount) * int64(s.PageSize) }

// Analyze walks every b-tree of the database file at path.
func Analyze(path string) (*Stats, error) { return AnalyzeContext(context.Background(), path) }

// checkEvery is how many pages are read between looks at the context.
const checkEvery = 256

// AnalyzeContext is Analyze, stopping with ctx's error once ctx is done.
//
// The file is outside input: it may be damaged (that is when a user asks for stats), so
// every offset and count read from it is checked against its page before use, every page
// number against the file, and every page may be reached once only. A b-tree whose pages
// point twice to one child would otherwise be walked again and again (exponentially many
// times, since each level doubles), and an offset past the page panicked.
func AnalyzeContext(ctx context.Context, path string) (*Stats, error) {
	roots, err := schemaRoots(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hdr [100]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if string(hdr[:16]) != "SQLite format 3\x00" {
		return nil, errors.New("not a SQLite database")
	}
	ps := int(binary.BigEndian.Uint16(hdr[16:]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("%w: page size %d", ErrCorrupt, ps)
	}
	usable := ps - int(hdr[20])
	if usable < 480 {
		return nil, fmt.Errorf("%w: usable page size %d", ErrCorrupt, usable)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	st := &Stats{PageSize: ps, PageCount: int(binary.BigEndian.Uint32(hdr[28:])), Freelist: int(binary.BigEndian.Uint32(hdr[36:]))}
	// Pages that exist: the header's count, but never past the end of the file (a damaged
	// count must not size the visited set, nor let a read run past the end).
	pages := int64(st.PageCount)
	if inFile := fi.Size() / int64(ps); pages <= 0 || pages > inFile {
		pages = inFile
	}
	w := &walker{ctx: ctx, f: f, pageSize: ps, usable: usable, pages: uint32(pages), seen: make([]bool, pages+1)}
	seen := 0
	for _, r := range roots {
		o := Object{Name: r.name, Type: r.typ, Table: r.table}
		if err := w.tree(r.root, &o, 0); err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		seen += o.Pages
		st.Objects = append(st.Objects, o)
	}
	// The lock-byte page exists in files larger than 1 GiB and belongs to no tree.
	lock := 0
	if int64(st.PageCount)*int64(ps) > 1<<30 {
		lock = 1
	}
	if seen+st.Freelist+lock != st.PageCount {
		return st, fmt.Errorf("page accounting: %d b-tree + %d free + %d lock-byte pages != %d in header (auto-vacuum pointer maps or a live WAL?)",
			seen, st.Freelist, lock, st.PageCount)
	}
	sort.SliceStable(st.Objects, func(i, j int) bool { return st.Objects[i].Pages > st.Objects[j].Pages })
	return st, nil
}

// ErrCorrupt is wrapped by every error about a damaged file: an offset, count or page
// number out of range, a page reached twice.
var ErrCorrupt = errors.New("corrupt database file")

type root struct {
	name, typ, table string
	root             uint32
}

func schemaRoots(path string) ([]root, error) {
	c, err := sqlite3.OpenFlags(wasivfs.URI(path, nil), sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// Reading a schema that declares FTS5 tables needs the module.
	if err := fts5.Register(c); err != nil {
		return nil, err
	}
	st, _, err := c.Prepare(`SELECT name, type, tbl_name, rootpage FROM sqlite_schema WHERE rootpage > 0 ORDER BY rootpage`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rs := []root{{name: "sqlite_schema", typ: "table", table: "sqlite_schema", root: 1}}
	for st.Step() {
		rs = append(rs, root{name: st.ColumnText(0), typ: st.ColumnText(1), table: st.ColumnText(2), root: uint32(st.ColumnInt64(3))})
	}
	return rs, st.Err()
}

type walker struct {
	ctx      context.Context
	f        *os.File
	pageSize int
	usable   int
	pages    uint32 // pages that exist: 1..pages
	seen     []bool // by page number: every page belongs to one tree, once
	reads    int
}

func (w *walker) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// read returns page pg, refusing a page number outside the file or one already reached.
func (w *walker) read(pg uint32) ([]byte, error) {
	if pg == 0 || pg > w.pages {
		return nil, w.corrupt("page %d is outside the file's %d pages", pg, w.pages)
	}
	if w.seen[pg] {
		return nil, w.corrupt("page %d is reached twice (a cycle or a shared child)", pg)
	}
	w.seen[pg] = true
	if w.reads++; w.reads%checkEvery == 0 {
		if err := w.ctx.Err(); err != nil {
			return nil, err
		}
	}
	p := make([]byte, w.pageSize)
	if _, err := w.f.ReadAt(p, int64(pg-1)*int64(w.pageSize)); err != nil {
		return nil, err
	}
	return p, nil
}

// u16 and u32 read big-endian integers at off, or report that off is past the page.
func (w *walker) u16(p []byte, off, pg int) (int, error) {
	if off < 0 || off+2 > len(p) {
		return 0, w.corrupt("page %d: offset %d out of range", pg, off)
	}
	return int(binary.BigEndian.Uint16(p[off:])), nil
}

func (w *walker) u32(p []byte, off, pg int) (uint32, error) {
	if off < 0 || off+4 > len(p) {
		return 0, w.corrupt("page %d: offset %d out of range", pg, off)
	}
	return binary.BigEndian.Uint32(p[off:]), nil
}

// varint reads a SQLite varint at off, within the page's usable bytes.
func (w *walker) varint(p []byte, off, pg int) (uint64, int, error) {
	if off < 0 || off >= w.usable {
		return 0, 0, w.corrupt("page %d: cell offset %d out of range", pg, off)
	}
	v, k := uvarint(p[off:w.usable])
	if k == 0 {
		return 0, 0, w.corrupt("page %d: truncated varint at %d", pg, off)
	}
	return v, k, nil
}

// tree counts the pages of the b-tree rooted at pg into o.
func (w *walker) tree(pg uint32, o *Object, depth int) error {
	if depth > 64 {
		return w.corrupt("b-tree deeper than 64 levels")
	}
	p, err := w.read(pg)
	if err != nil {
		return err
	}
	h := 0
	if pg == 1 {
		h = 100
	}
	o.Pages++
	kind := p[h]
	interior := kind == 0x02 || kind == 0x05
	switch kind {
	case 0x02, 0x05, 0x0a, 0x0d:
	default:
		return w.corrupt("page %d: unknown b-tree page type %#x", pg, kind)
	}
	ipg := int(pg)
	n, err := w.u16(p, h+3, ipg)
	if err != nil {
		return err
	}
	cellPtrs := h + 8
	if interior {
		cellPtrs = h + 12
	}
	if cellPtrs+2*n > w.usable {
		return w.corrupt("page %d: %d cells do not fit", pg, n)
	}
	for i := 0; i < n; i++ {
		c, err := w.u16(p, cellPtrs+2*i, ipg)
		if err != nil {
			return err
		}
		if c < cellPtrs+2*n || c >= w.usable {
			return w.corrupt("page %d: cell %d at offset %d, outside the cell area", pg, i, c)
		}
		switch kind {
		case 0x05: // table interior: child, rowid
			child, err := w.u32(p[:w.usable], c, ipg)
			if err != nil {
				return err
			}
			if err := w.tree(child, o, depth+1); err != nil {
				return err
			}
		case 0x0d: // table leaf: payload size, rowid, payload
			size, k, err := w.varint(p, c, ipg)
			if err != nil {
				return err
			}
			_, k2, err := w.varint(p, c+k, ipg)
			if err != nil {
				return err
			}
			o.Cells++
			o.Payload += int64(min(size, 1<<40))
			if err := w.overflow(p, ipg, c+k+k2, size, w.usable-35, o); err != nil {
				return err
			}
		case 0x0a, 0x02: // index leaf / interior: [child], payload size, payload
			off := c
			if kind == 0x02 {
				child, err := w.u32(p[:w.usable], c, ipg)
				if err != nil {
					return err
				}
				if err := w.tree(child, o, depth+1); err != nil {
					return err
				}
				off += 4
			}
			// Interior cells of an index b-tree hold real keys too.
			o.Cells++
			size, k, err := w.varint(p, off, ipg)
			if err != nil {
				return err
			}
			o.Payload += int64(min(size, 1<<40))
			if err := w.overflow(p, ipg, off+k, size, (w.usable-12)*64/255-23, o); err != nil {
				return err
			}
		}
	}
	if interior {
		right, err := w.u32(p, h+8, ipg)
		if err != nil {
			return err
		}
		return w.tree(right, o, depth+1)
	}
	return nil
}

// overflow follows the overflow chain of a cell whose payload of size bytes
// starts at off, if the payload exceeds the page's local maximum x.
func (w *walker) overflow(p []byte, pg, off int, size uint64, x int, o *Object) error {
	if size <= uint64(x) {
		return nil
	}
	u := w.usable
	m := (u-12)*32/255 - 23
	k := m + int((size-uint64(m))%uint64(u-4))
	local := m
	if k <= x {
		local = k
	}
	next, err := w.u32(p[:u], off+local, pg)
	if err != nil {
		return err
	}
	// Each page is read once (w.read refuses a second visit), so a chain that loops ends
	// there, and one longer than the file ends at the page-number check.
	for next != 0 {
		o.Pages++
		o.Overflow++
		q, err := w.read(next)
		if err != nil {
			return err
		}
		next = binary.BigEndian.Uint32(q)
	}
	return nil
}

// uvarint decodes SQLite's big-endian varint (not Go's).
func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 8 && i < len(b); i++ {
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) >= 9 {
		return v<<8 | uint64(b[8]), 9
	}
	return v, len(b)
}
