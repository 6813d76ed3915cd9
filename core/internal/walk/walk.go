package walk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Type is the kind of a filesystem entry the walker reports.
type Type uint8

// Entry types. Other kinds of files (sockets, FIFOs, devices) are skipped.
const (
	File Type = iota + 1
	Dir
	Symlink
)

// String returns "file", "directory" or "symlink", the names the schema uses.
func (t Type) String() string {
	switch t {
	case File:
		return "file"
	case Dir:
		return "directory"
	case Symlink:
		return "symlink"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Entry is the lstat of one directory entry. Times are nanoseconds since the
// Unix epoch; a platform that does not report one leaves it 0.
type Entry struct {
	// Name is the entry's name as raw bytes (any bytes but '/' and NUL).
	// It points into memory the walker reuses: valid only during the
	// callback that received it; copy it to keep it.
	Name []byte
	Type Type
	// Perm holds the permission bits with setuid, setgid and sticky
	// (st_mode & 07777).
	Perm uint32
	// Size is the length in bytes; for a symlink, of its target path.
	Size int64
	// Ino and Dev identify the file on this machine (0 where the platform
	// has no inodes): what move detection matches on.
	Ino uint64
	Dev uint64
	// Nlink is the number of hard links; above 1, other names share the
	// file's content and inode.
	Nlink uint64
	// UID and GID own the file (0 where the platform has no owners).
	UID uint32
	GID uint32
	// Mtime, Atime and Ctime are the modification, access and status
	// change times.
	Mtime int64
	Atime int64
	Ctime int64
	// Btime is the birth (creation) time where the OS and filesystem
	// report it (statx on Linux, st_birthtime on Darwin and BSDs), else 0.
	Btime int64
}

// Warning is a problem met during a walk that did not stop it.
type Warning struct {
	// Path is the slash-separated path relative to the walk root of the
	// entry concerned ("" is the root).
	Path string
	// Op is what failed: "open", "readdir", "lstat", "loop".
	Op  string
	Err error
}

// Error formats the warning as "op path: err".
func (w *Warning) Error() string {
	p := w.Path
	if p == "" {
		p = "."
	}
	return w.Op + " " + p + ": " + w.Err.Error()
}

// Unwrap returns the underlying error, so errors.Is(w, fs.ErrPermission) works.
func (w *Warning) Unwrap() error { return w.Err }

// Batch is one directory's listing.
type Batch struct {
	// Path is the directory's slash-separated path relative to the walk
	// root; "" for the root itself. Like names, it is raw bytes.
	Path string
	// Entries are the directory's children, sorted by name bytes, without
	// skipped special files and ignored entries.
	Entries []Entry
	// Err is non-nil when the listing is incomplete: the directory could not
	// be opened or read to the end (a *Warning; errors.Is(Err,
	// fs.ErrNotExist) means it vanished). Entries then holds what was read.
	Err error
	// Warnings lists per-entry problems: entries that vanished or could not
	// be lstat'ed (left out of Entries) and subdirectories not descended
	// into because they are their own ancestor.
	Warnings []Warning
	// Special counts skipped sockets, FIFOs and device nodes.
	Special int
	// Ignored counts entries left out by ignore patterns.
	Ignored int

	// Reused buffers: the name arena Entries point into and scratch space
	// of the platform reader.
	arena []byte
	names []nameRef
	sys   sysState
}

// nameRef locates a listed name in the arena before it is stat'ed.
type nameRef struct {
	off, len uint32
	typ      uint8 // a hint from readdir (dtUnknown when absent)
}

// Options configure a [Walker]. The zero value works.
type Options struct {
	// Workers is the number of directories read concurrently; 0 picks a
	// default from GOMAXPROCS.
	Workers int
	// Ignore holds glob patterns of entries to leave out; see [Ignore].
	Ignore []string
	// SameDevice stops the walk from descending into directories on another
	// device than the root (mount points), like find -xdev. The mount point
	// itself is still listed as an entry.
	SameDevice bool
}

// Stats sums a walk.
type Stats struct {
	// Dirs, Files and Symlinks count the entries delivered, the root
	// excluded.
	Dirs, Files, Symlinks int64
	// Bytes is the sum of the sizes of regular files.
	Bytes    int64
	Special  int64
	Ignored  int64
	Warnings int64
}

// Walker walks directory trees with fixed options. It is safe for
// concurrent use by several walks.
type Walker struct {
	workers int
	window  int
	maxHeld int64
	ignore  *Ignore
	sameDev bool
}

// New returns a Walker, or an error if an ignore pattern is malformed.
func New(opts Options) (*Walker, error) {
	ig, err := NewIgnore(opts.Ignore...)
	if err != nil {
		return nil, err
	}
	w := &Walker{workers: opts.Workers, ignore: ig, sameDev: opts.SameDevice}
	if w.workers <= 0 {
		// Reading warm directories is CPU-bound in the kernel, so more
		// workers than CPUs gains little there; a few extra hide disk
		// latency on a cold cache.
		w.workers = min(max(2*runtime.GOMAXPROCS(0), 2), 8)
	}
	// Jobs read ahead: see maxHeld.
	w.window = 16 * w.workers
	w.maxHeld = maxHeld
	return w, nil
}

// pending is a directory on the walk's stack.
type pending struct {
	rel, abs string
	dev, ino uint64
	parent   *pending // for loop detection; nil for the root
	root     bool

	// dispatched: the head of a job sent to the workers; done is closed when the job is
	// read. chained: read by the worker of an earlier directory's job, as part of it
	// (see readJob); ready once that job's done is closed, and never waited on itself.
	dispatched bool
	chained    bool
	done       chan struct{}

	// Set by the worker that read the directory, published by the close of its job's done.
	b        *Batch
	weight   int64      // the bytes b holds, counted in reader.held until delivered
	children []*pending // subdirectories to descend into, in name order
	skip     bool       // on the path to the resume point: read, not delivered
}

// Jobs: a worker that reads a directory goes on to read the directories that follow it
// in walk order inside its subtree (depth-first, as the walk delivers them), up to
// chainDirs directories or chainEntries entries, and hands them all over with one channel
// close. The walk hands over each job with a send and a close, and with two Ps each is a
// futex wake more often than not: on a directory-heavy tree (desktop_complex, 92k
// directories of mostly one or no files) handing over one directory a job cost the
// rescan 2.85 s of runtime.futex in 5 runs; with jobs of up to 32 directories, 0.03 s in
// one (fdxbench -profile). BenchmarkWalk (desktop_complex, workers=4, window 16 jobs,
// alternating, 3 rounds): 1230–1248 ms → 724–756 ms; /usr 453–535 → 363–373 ms. Entries
// bound what a job holds (a large directory is a job of its own); directories bound how
// long the walk waits for a job.
//
// BenchmarkWalk on desktop_complex, workers=4, window 64: 8 directories a job 669 ms, 32
// 560 ms, 128 526 ms; 256 / 1024 / 4096 entries 580 / 560 / 540 ms (/usr: 275–294 ms
// for all but 8 directories, 287 ms). 32 and 1024 keep a job short for the walk to wait on.
const (
	chainDirs    = 32
	chainEntries = 1024
)

// maxHeld bounds the memory of the batches read ahead and not delivered yet, in bytes of
// their buffers (batchWeight), together with the window of 16 jobs per worker: no job is
// dispatched and no chain goes on while it is exceeded; the directory the walk waits for
// is always read, so one larger than this still is.
//
// It first counted entries (16384, about 2 MiB of entries and names). A directory-heavy
// tree has few entries per directory, so that let thousands of directories be held, each
// with a pooled batch whose buffers had grown on some larger directory: a first scan of
// desktop_extreme (357k directories, 100k files) peaked at 241 MiB RSS in metadata mode
// and 318 MiB in content mode, against 117 / 121 MiB before jobs were chained (issue 3's
// budget is 150 MB). Counted in bytes, 8 MiB: 113 / 111 MiB, metadata / content (16 MiB:
// 153 MiB, no faster); desktop_complex rescans unchanged (1.04–1.09 s against 1.00–1.01 s).
//
// The window used to be 4 jobs per worker, and it counts jobs dispatched but not
// delivered, including those read long ago further down the stack: on desktop_complex
// (fan-out 25) the first jobs are the root's subdirectories, and while the walk goes
// through the first one's subtree, most of the window stays taken by its siblings, read
// and waiting, so the subtree is read by one worker at a time. BenchmarkWalk on
// desktop_complex, workers=4, alternating: window 16 jobs 725–800 ms, 32 590–607 ms, 64
// 517–560 ms, 128 520–535 ms, 256 526–565 ms; /usr 379 ms with 16, 272 ms with 128.
// A cap on entries instead of a larger window alone: 8192 / 32768 / unbounded entries
// gave 591 / 557 / 523 ms on desktop_complex and 270 / 270 / 276 ms on /usr, the same
// within the noise. Handing jobs to workers highest on the stack first (a priority queue
// instead of the channel) did not pay: 751–802 ms against 757–772 ms with window 16.
const maxHeld = 8 << 20

// WalkAfter walks the tree at root, calling fn with each directory's [Batch] in the order
// described in the package documentation, resumed after the directory at relative path
// *resumeAfter. fn must not keep the batch or its entries' names after it returns. An error
// from fn, or ctx being cancelled, stops the walk and is returned. The root must be a
// directory (a symlink to one is followed).
//
// Resumed, it delivers only the batches that a full walk would deliver after that
// directory's, in the same order. A nil resumeAfter walks from the start (a pointer, because
// "" is the root's batch). Directories whose subtree lies wholly before it are not read at all; the ancestors of after (and after itself) are read, to find the directories
// that follow, but not delivered. after need not exist any more.
//
// This is what lets a scan stop at any batch (a time budget, a crash) and continue later
// without walking again what it already indexed: the walk order depends only on names.
func (w *Walker) WalkAfter(ctx context.Context, root string, resumeAfter *string, fn func(*Batch) error) (Stats, error) {
	var st Stats
	r := reader{w: w}
	if resumeAfter != nil {
		r.resume, r.after = true, *resumeAfter
	}
	root = filepath.Clean(root)
	info, err := statRoot(root)
	if err != nil {
		return st, err
	}
	if !info.IsDir() {
		return st, fmt.Errorf("walk %s: %w", root, errNotDir)
	}
	rootDev, rootIno := devIno(info)
	r.rootDev = rootDev

	// window jobs read ahead, plus the one the walk waits for (see below).
	jobs := make(chan *pending, w.window+1)
	quit := make(chan struct{})
	r.quit = quit
	var wg sync.WaitGroup
	for range w.workers {
		wg.Go(func() {
			var local []*pending
			for p := range jobs {
				local = r.readJob(p, local)
				close(p.done)
			}
		})
	}
	stack := []*pending{{rel: "", abs: root, root: true, dev: rootDev, ino: rootIno}}
	inflight := 0
	defer func() {
		close(quit)
		close(jobs)
		wg.Wait()
		// Give back batches read ahead but never delivered.
		for _, p := range stack {
			if p.dispatched {
				<-p.done
			}
			if p.dispatched || p.chained {
				release(p)
			}
		}
	}()

	for len(stack) > 0 {
		// Keep the window full with the directories that will be delivered
		// next: those on top of the stack. The top itself is always sent: the
		// window may be full of jobs further down the stack while the walk
		// goes through a job's chained directories, which do not count in it.
		for i := len(stack) - 1; i >= 0 && ((inflight < w.window && r.held.Load() < w.maxHeld) || i == len(stack)-1); i-- {
			if p := stack[i]; !p.dispatched && !p.chained {
				p.dispatched = true
				p.done = make(chan struct{})
				jobs <- p
				inflight++
			}
		}
		p := stack[len(stack)-1]
		if p.dispatched {
			select {
			case <-p.done:
			case <-ctx.Done():
				return st, ctx.Err()
			}
			inflight--
		}
		stack = stack[:len(stack)-1]
		b := p.b
		p.b = nil
		r.held.Add(-p.weight)
		// Entries are sorted ascending; push the children in reverse so the
		// smallest name is on top and is visited first.
		for i := len(p.children) - 1; i >= 0; i-- {
			stack = append(stack, p.children[i])
		}
		p.children = nil
		for i := range b.Entries {
			switch e := &b.Entries[i]; e.Type {
			case File:
				st.Files++
				st.Bytes += e.Size
			case Symlink:
				st.Symlinks++
			case Dir:
				st.Dirs++
			}
		}
		st.Special += int64(b.Special)
		st.Ignored += int64(b.Ignored)
		st.Warnings += int64(len(b.Warnings))
		if b.Err != nil {
			st.Warnings++
		}
		if p.skip {
			// On the path to the resume point: this batch was delivered before; only its
			// subdirectories that come after the resume point are still to visit.
			putBatch(b)
			continue
		}
		err := fn(b)
		putBatch(b)
		if err != nil {
			return st, err
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// reader is what the workers of one walk share; read-only once the walk starts.
type reader struct {
	w       *Walker
	rootDev uint64
	resume  bool
	after   string
	quit    chan struct{} // closed when the walk ends: stop reading ahead
	held    atomic.Int64  // bytes of batches read and not delivered yet (see maxHeld)
}

// readJob reads the job's head directory, then the directories that follow it in walk
// order within its subtree while the job is under chainDirs and chainEntries, marking
// them chained. It returns local (its scratch stack) for reuse.
func (r *reader) readJob(head *pending, local []*pending) []*pending {
	r.read(head)
	dirs, entries := 1, len(head.b.Entries)
	local = local[:0]
	for i := len(head.children) - 1; i >= 0; i-- {
		local = append(local, head.children[i])
	}
	for len(local) > 0 && dirs < chainDirs && entries < chainEntries && r.held.Load() < r.w.maxHeld {
		select {
		case <-r.quit:
			clear(local)
			return local[:0]
		default:
		}
		p := local[len(local)-1]
		local = local[:len(local)-1]
		p.chained = true
		r.read(p)
		dirs++
		entries += len(p.b.Entries)
		for i := len(p.children) - 1; i >= 0; i-- {
			local = append(local, p.children[i])
		}
	}
	clear(local)
	return local[:0]
}

// read lists one directory into p.b and finds the subdirectories to descend into.
func (r *reader) read(p *pending) {
	b := getBatch()
	b.Path = p.rel
	readDir(b, p.abs, p.root, r.w.ignore)
	if testHookRead != nil {
		testHookRead(p.rel)
	}
	p.b, p.weight = b, batchWeight(b)
	r.held.Add(p.weight)
	p.skip = r.resume && isAncestorOrSelf(p.rel, r.after)
	var subs []pending // one allocation for the directory's subdirectories
	for i := range b.Entries {
		e := &b.Entries[i]
		if e.Type != Dir {
			continue
		}
		if r.w.sameDev && e.Dev != r.rootDev {
			continue
		}
		if isAncestor(p, e.Dev, e.Ino) {
			b.Warnings = append(b.Warnings, Warning{Path: Join(b.Path, string(e.Name)), Op: "loop",
				Err: errors.New("directory is its own ancestor (bind mount?); not descended")})
			continue
		}
		name := string(e.Name)
		rel := Join(p.rel, name)
		if p.skip && !isAncestorOrSelf(rel, r.after) && CompareOrder(rel, r.after) < 0 {
			continue // wholly before the resume point
		}
		if subs == nil {
			subs = make([]pending, 0, countDirs(b.Entries[i:]))
		}
		subs = append(subs, pending{rel: rel, abs: p.abs + string(filepath.Separator) + name,
			dev: e.Dev, ino: e.Ino, parent: p})
	}
	p.children = p.children[:0]
	for i := range subs {
		p.children = append(p.children, &subs[i])
	}
}

// countDirs counts the directories among es.
func countDirs(es []Entry) int {
	n := 0
	for i := range es {
		if es[i].Type == Dir {
			n++
		}
	}
	return n
}

// release gives back the batch of a directory read but not delivered, and those of the
// directories read with it that are not on the stack yet.
func release(p *pending) {
	putBatch(p.b)
	p.b = nil
	for _, c := range p.children {
		if c.chained {
			release(c)
		}
	}
	p.children = nil
}

// isAncestor reports whether (dev, ino) is p or one of p's ancestors.
// Platforms without inodes report 0, which never counts as a match.
func isAncestor(p *pending, dev, ino uint64) bool {
	if ino == 0 {
		return false
	}
	for ; p != nil; p = p.parent {
		if p.ino == ino && p.dev == dev {
			return true
		}
	}
	return false
}

var errNotDir = errors.New("not a directory")

// testHookListed, when set by a test, runs after a directory is listed and
// before its entries are stat'ed, so a test can make one vanish in between.
var testHookListed func(absDir string)

// testHookRead, when set by a test, runs after a directory is read and before any of its
// subdirectories is: a worker may read them before the directory's batch is delivered.
var testHookRead func(rel string)

var batchPool = sync.Pool{New: func() any { return new(Batch) }}

func getBatch() *Batch { return batchPool.Get().(*Batch) }

// putBatch recycles a batch unless it grew past what is worth keeping: one
// huge directory should not pin megabytes for the rest of the walk.
func putBatch(b *Batch) {
	if b == nil {
		return
	}
	if cap(b.arena) > 1<<20 || cap(b.Entries) > 8192 {
		return
	}
	clear(b.Entries)
	*b = Batch{Entries: b.Entries[:0], arena: b.arena[:0], names: b.names[:0]}
	batchPool.Put(b)
}

// batchWeight is the memory a batch holds: its buffers' capacity (what a pooled batch
// brings from the largest directory it served), not just what this directory used.
func batchWeight(b *Batch) int64 {
	return int64(cap(b.Entries))*int64(unsafe.Sizeof(Entry{})) + int64(cap(b.arena)) +
		int64(cap(b.names))*int64(unsafe.Sizeof(nameRef{})) + int64(unsafe.Sizeof(Batch{}))
}

// sortNames orders the listed names by their bytes.
func sortNames(b *Batch) {
	slices.SortFunc(b.names, func(x, y nameRef) int {
		return bytes.Compare(b.arena[x.off:x.off+x.len], b.arena[y.off:y.off+y.len])
	})
}

// addWarning records a per-entry problem.
func (b *Batch) addWarning(name []byte, op string, err error) {
	b.Warnings = append(b.Warnings, Warning{Path: Join(b.Path, string(name)), Op: op, Err: err})
}

// setErr marks the listing incomplete.
func (b *Batch) setErr(op string, err error) {
	b.Err = &Warning{Path: b.Path, Op: op, Err: err}
}

// Lstat returns the entry for path without following a final symlink. Its
// Name is the last element of path and is not reused.
func Lstat(path string) (Entry, error) {
	e, err := lstat(path)
	if err != nil {
		return Entry{}, err
	}
	e.Name = []byte(filepath.Base(path))
	return e, nil
}

// typeOf maps an fs.FileMode to an entry type; 0 for types the walker skips.
func typeOf(m fs.FileMode) Type {
	switch {
	case m.IsRegular():
		return File
	case m.IsDir():
		return Dir
	case m&fs.ModeSymlink != 0:
		return Symlink
	}
	return 0
}
