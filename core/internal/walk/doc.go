// Package walk lists a directory tree in parallel, one lstat per entry,
// for the indexer's discovery phase.
//
// # Order and batches
//
// [Walker.WalkAfter] calls its callback once per directory with a [Batch]: the
// directory's relative path and all of its children, sorted by name bytes.
// Batches arrive in depth-first pre-order (a directory's batch always comes
// after the batch that lists it, so parent rows can be written first), and the
// order is the same on every run over an unchanged tree, whatever the number
// of workers: workers read directories ahead of the callback, but batches are
// handed over in a fixed order. The callback runs on the goroutine that called
// Walk, one batch at a time.
//
// Memory is bounded by the fan-out, not by the size of the tree: batches read
// ahead are bounded by a window of jobs (a worker reads a directory and up to a
// few dozen small ones that follow it in its subtree, and hands them over
// together) and by a cap on the bytes their batches hold, and the stack of directories still to
// visit holds, per level of depth, the not-yet-visited subdirectories of one
// directory.
//
// # What an entry is
//
// Every entry is lstat'ed; symlinks are reported as symlinks and never
// followed, so symlink loops cannot arise (the walk root itself is followed if
// it is a symlink, like find -H). Names are raw bytes exactly as the
// filesystem returned them: not-UTF-8 names and NFC/NFD spellings are passed
// through untouched. Sockets, FIFOs and device nodes are not indexable content:
// they are skipped and counted in [Batch.Special].
//
// On Linux the walker reads directories with getdents64 into large buffers
// and stats entries with statx relative to the open directory (birth time
// included where the filesystem records it), without allocating per entry.
// Other Unix systems use fstatat relative to the directory; GOOS=wasip1 and
// the rest use os.ReadDir and Lstat, with inode and times as far as the
// platform reports them.
//
// # Problems are warnings
//
// A directory that cannot be opened or read (permission denied, vanished,
// replaced by a symlink) is still delivered, with [Batch.Err] set and whatever
// entries were read: the indexer must then not take missing children for
// deleted ones. An entry that vanishes between listing and lstat is left out
// and noted in [Batch.Warnings]; so is a listed entry that cannot be
// lstat'ed, which also sets Err. The root is no exception: if it cannot be
// listed, its batch carries Err. Only a root that does not exist or is not a
// directory, a callback error or a cancelled context ends a walk.
//
// # Ignore patterns
//
// See [Ignore] for the glob syntax and what a pattern is matched against.
//
// # Caveats
//
// A bind mount can make a tree contain itself without any symlink. The walker
// keeps the (device, inode) of every directory on the path from the root and
// does not descend into a directory that is its own ancestor; that directory
// is reported with a warning. [Options.SameDevice] keeps the walk on the
// root's filesystem, like find -xdev.
package walk
