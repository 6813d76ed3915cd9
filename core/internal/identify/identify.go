// Package identify is the indexer's content-identification step for one
// file: open it once, check it is still what the walk saw, compute its
// content id, kind and (in deep mode) integrity hash and image dimensions,
// and check again that it did not change while being read.
//
// It holds no state and touches no database: the indexer runs it from a
// bounded pool of goroutines and writes the results.
package identify

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/filedex/filedex/core/internal/cas"
	"github.com/filedex/filedex/core/internal/contentkind"
	"github.com/filedex/filedex/core/internal/media"
)

// Expect is what the walk saw of the file: identification refuses a file
// that no longer matches, so a row never pairs old metadata with new content.
type Expect struct {
	Size  int64
	Mtime int64 // ns since the Unix epoch, as walk.Entry.Mtime
}

// Deep asks for the work of deep mode on top of the content id and kind.
type Deep bool

// Result is what identification found.
type Result struct {
	// ID is the content id (see package cas); render it with cas.String.
	ID   uint64
	Kind contentkind.Kind
	// MIME is the detected MIME type without parameters.
	MIME string
	// Integrity is the BLAKE3 of the whole content; set in deep mode only.
	Integrity *[32]byte
	// Image is set in deep mode for images whose header could be read.
	Image *media.Image
}

// ErrChanged reports a file that no longer matches what the walk saw, or
// that changed while being read: the indexer should record it for the next
// scan rather than store a mix. It wraps cas.ErrChanged.
var ErrChanged = fmt.Errorf("file changed since it was listed: %w", cas.ErrChanged)

// ErrNotRegular reports a path that is no longer a regular file (replaced
// by a directory, a symlink, a FIFO ...).
var ErrNotRegular = errors.New("not a regular file")

var headPool = sync.Pool{New: func() any { b := make([]byte, cas.HeaderSize); return &b }}

// File identifies the regular file at path, named name (its last element,
// for extension-based kinds). Empty files have no content id:
// cas.ErrEmpty. The file is opened without following a symlink (opening
// one fails with the system's error, ELOOP on Unix). want.Mtime 0 skips
// the modification-time check.
func File(path, name string, want Expect, deep Deep) (Result, error) {
	var res Result
	if want.Size == 0 {
		return res, cas.ErrEmpty
	}
	f, err := open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	if err := check(f, path, want); err != nil {
		return res, err
	}

	hp := headPool.Get().(*[]byte)
	defer headPool.Put(hp)
	id, n, err := cas.IDHead(f, want.Size, *hp)
	if err != nil {
		if errors.Is(err, cas.ErrChanged) {
			return res, ErrChanged
		}
		return res, err
	}
	head := (*hp)[:n]
	res.ID = id
	res.Kind, res.MIME = contentkind.Detect(name, head)

	if deep {
		sum, err := cas.Integrity(f, want.Size)
		if err != nil {
			if errors.Is(err, cas.ErrChanged) {
				return res, ErrChanged
			}
			return res, err
		}
		res.Integrity = &sum
		if res.Kind == contentkind.Image {
			if img, err := media.Probe(head, f, want.Size); err == nil {
				res.Image = &img
			}
		}
	}
	// A write during the reads shows in size or mtime (on filesystems with
	// fine-grained timestamps; a same-size rewrite within the timestamp
	// granularity is invisible to any stat-based check).
	if err := check(f, path, want); err != nil {
		return res, err
	}
	return res, nil
}

// openFile is an open regular file: positioned reads and fstat.
type openFile interface {
	io.ReaderAt
	io.Closer
	// stat returns whether the file is regular, its size and mtime (ns).
	stat() (regular bool, size, mtime int64, err error)
}

// check compares the open file with what the walk saw.
func check(f openFile, path string, want Expect) error {
	regular, size, mtime, err := f.stat()
	if err != nil {
		return err
	}
	if !regular {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if size != want.Size || (want.Mtime != 0 && mtime != want.Mtime) {
		return ErrChanged
	}
	return nil
}
