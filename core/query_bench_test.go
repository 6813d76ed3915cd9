package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

// Benchmarks of the query goals at 10k and 100k entries (1M with FILEDEX_BENCH_1M=1).
// Each size's library is built once per process with bulk SQL and shared by the benchmarks:
//
//	<loc>/big/d0..d9/e0..e9/f0..f9/   1000 leaf directories, files spread evenly
//
// so "big" holds every entry (its subtree stats and moves cover the whole library), a leaf
// lists n/1000 files. Names mix IMG_, report-, notes, holiday… with 10 % duplicate contents.

type benchLib struct {
	lib     *core.Library
	root    string
	big     string
	leafIDs []int64
	files   []int64
	paths   []string
}

var (
	benchMu   sync.Mutex
	benchLibs = map[int]*benchLib{}
)

func benchSizes() []int {
	s := []int{10_000, 100_000}
	if os.Getenv("FILEDEX_BENCH_1M") != "" {
		s = append(s, 1_000_000)
	}
	return s
}

func getBenchLib(b *testing.B, n int) *benchLib {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bl := benchLibs[n]; bl != nil {
		return bl
	}
	// Not b.TempDir: the library outlives this benchmark (shared by the next ones).
	tmp, err := os.MkdirTemp("", "filedex-bench-")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	lib, err := core.Open(filepath.Join(tmp, "lib"), core.Options{})
	if err != nil {
		b.Fatal(err)
	}
	root := filepath.Join(tmp, "files")
	os.MkdirAll(filepath.Join(root, "big"), 0o755)
	ctx := context.Background()
	loc, err := lib.Locations().Create(ctx, core.LocationInput{Path: root})
	if err != nil {
		b.Fatal(err)
	}
	bl := &benchLib{lib: lib, root: loc.Path, big: filepath.Join(loc.Path, "big")}
	db := openRaw(b, lib)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at, content_id, path)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	insC, err := tx.Prepare(`INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING`)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(n), 1))
	id := loc.RootID + 1
	add := func(parent int64, name string, kind core.Kind, size int64, content, path any) int64 {
		var ext any
		if kind != core.KindDirectory {
			if x := core.ExtensionOf(name); x != "" {
				ext = x
			}
		}
		if _, err := ins.Exec(id, loc.ID, parent, name, ext, int(kind), size, int64(1.7e12)+r.Int64N(1e11), content, path); err != nil {
			b.Fatal(err)
		}
		id++
		return id - 1
	}
	bigID := add(loc.RootID, "big", core.KindDirectory, 0, nil, "big")
	var leaves []struct {
		id   int64
		path string
	}
	for i := range 10 {
		di := add(bigID, fmt.Sprint("d", i), core.KindDirectory, 0, nil, fmt.Sprintf("big/d%d", i))
		for j := range 10 {
			dj := add(di, fmt.Sprint("e", j), core.KindDirectory, 0, nil, fmt.Sprintf("big/d%d/e%d", i, j))
			for k := range 10 {
				p := fmt.Sprintf("big/d%d/e%d/f%d", i, j, k)
				leaves = append(leaves, struct {
					id   int64
					path string
				}{add(dj, fmt.Sprint("f", k), core.KindDirectory, 0, nil, p), p})
			}
		}
	}
	stems := []string{"IMG_%05d.jpg", "report-%d.pdf", "notes %d.txt", "holiday %d.png", "data_%d.csv", "Été %d.md", "invoice %d.pdf", "track%d.mp3"}
	var contents []int64
	var sizes = map[int64]int64{}
	for f := 0; len(bl.files) < n-1111; f++ {
		leaf := leaves[f%len(leaves)]
		name := fmt.Sprintf(stems[r.IntN(len(stems))], f)
		size := 1 + r.Int64N(200_000)
		if r.IntN(20) == 0 {
			size = 1<<20 + r.Int64N(100<<20)
		}
		var content int64
		if len(contents) > 0 && r.IntN(10) == 0 {
			content = contents[r.IntN(len(contents))]
			size = sizes[content]
		} else {
			content = int64(r.Uint64() >> 1)
			contents = append(contents, content)
			sizes[content] = size
			if _, err := insC.Exec(content, r.IntN(8), size); err != nil {
				b.Fatal(err)
			}
		}
		fid := add(leaf.id, name, core.KindFile, size, content, nil)
		bl.files = append(bl.files, fid)
		if len(bl.paths) < 10000 {
			bl.paths = append(bl.paths, filepath.Join(loc.Path, leaf.path, name))
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	// Reopened as a user's library would be after ANALYZE: Open drops the FTS tables'
	// STAT4 samples (optimize.go, forgetFTSSamples).
	dir := lib.Dir()
	if err := lib.Close(); err != nil {
		b.Fatal(err)
	}
	if lib, err = core.Open(dir, core.Options{}); err != nil {
		b.Fatal(err)
	}
	bl.lib = lib
	for _, l := range leaves {
		bl.leafIDs = append(bl.leafIDs, l.id)
	}
	built := time.Since(start)
	// Storage: the whole file after VACUUM, with and without the FTS index.
	st, err := lib.DBStats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	vac := filepath.Join(tmp, "vacuumed.db")
	var with, without int64
	if _, err := db.Exec(`VACUUM INTO ?`, vac); err == nil {
		with = fileSize(vac)
		if v, err := driverOpenFTS(vac); err == nil {
			v.Exec(`DROP TABLE entries_fts`)
			v.Exec(`VACUUM`)
			v.Close()
			without = fileSize(vac)
		}
		os.Remove(vac)
	}
	// And without migration 0003's aggregates (its down script on a copy).
	var noAgg int64
	if _, err := db.Exec(`VACUUM INTO ?`, vac); err == nil {
		if v, err := driverOpenFTS(vac); err == nil {
			if _, err := v.Exec(migrations.All()[2].Down); err != nil {
				b.Fatal(err)
			}
			v.Exec(`VACUUM`)
			v.Close()
			noAgg = fileSize(vac)
		}
		os.Remove(vac)
	}
	b.Logf("built %d entries in %v; after VACUUM %.1f B/entry, %.1f without FTS (FTS %.1f B/entry; its payload %.1f B/entry); without the 0003 aggregates %.1f B/entry (they cost %.2f B/entry)",
		st.Entries, built.Round(time.Millisecond), float64(with)/float64(st.Entries), float64(without)/float64(st.Entries),
		float64(with-without)/float64(st.Entries), st.FTSBytesPerEntry,
		float64(noAgg)/float64(st.Entries), float64(with-noAgg)/float64(st.Entries))
	benchLibs[n] = bl
	return bl
}

func forSizes(b *testing.B, fn func(b *testing.B, bl *benchLib)) {
	for _, n := range benchSizes() {
		b.Run(strconv.Itoa(n), func(b *testing.B) { fn(b, getBenchLib(b, n)) })
	}
}

func BenchmarkListDir(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, _, err := bl.lib.Entries().List(ctx, bl.leafIDs[i%len(bl.leafIDs)], core.ListOptions{DirsFirst: true}, core.Page{Limit: 100}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkFullPath(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, err := bl.lib.Entries().Path(ctx, bl.files[(i*7919)%len(bl.files)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkEntryByPath(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			if _, err := bl.lib.Entries().Resolve(ctx, bl.paths[(i*7919)%len(bl.paths)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkSubtreeStats(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		id, err := bl.lib.Entries().Resolve(ctx, bl.big)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := bl.lib.Entries().Stats(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMoveSubtree(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		a, c := bl.big, bl.big+"-moved"
		for b.Loop() {
			if _, err := bl.lib.Entries().Move(ctx, a, c); err != nil {
				b.Fatal(err)
			}
			a, c = c, a
		}
		if a != bl.big { // leave it where the other benchmarks expect it
			if _, err := bl.lib.Entries().Move(ctx, a, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchFind(b *testing.B, q core.FindQuery) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		for b.Loop() {
			es, _, err := bl.lib.Entries().Find(ctx, q, core.Page{Limit: 100})
			if err != nil || len(es) == 0 {
				b.Fatal(err, len(es))
			}
		}
	})
}

func BenchmarkFindGlobPrefix(b *testing.B) { benchFind(b, core.FindQuery{Name: "IMG_0*"}) }
func BenchmarkFindGlobExt(b *testing.B)    { benchFind(b, core.FindQuery{Name: "*.pdf"}) }
func BenchmarkFindExt(b *testing.B)        { benchFind(b, core.FindQuery{Extensions: []string{"mp3"}}) }
func BenchmarkFindFTSPrefix(b *testing.B)  { benchFind(b, core.FindQuery{Text: "rep*"}) }
func BenchmarkFindFTSWords(b *testing.B)   { benchFind(b, core.FindQuery{Text: "holiday 12*"}) }

func BenchmarkDuplicateGroups(b *testing.B) {
	forSizes(b, func(b *testing.B, bl *benchLib) {
		ctx := context.Background()
		for b.Loop() {
			res, err := bl.lib.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{Limit: 100})
			if err != nil || len(res.Groups) == 0 {
				b.Fatal(err)
			}
		}
	})
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func driverOpenFTS(path string) (*sql.DB, error) {
	db, err := driver.Open("file:"+path, fts5.Register)
	if err == nil {
		db.SetMaxOpenConns(1)
	}
	return db, err
}
