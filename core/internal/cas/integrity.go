package cas

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/zeebo/blake3"
)

// chunkSize is the read size for whole-content passes: large enough that the
// syscall cost vanishes next to hashing, small enough to pool per worker.
const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// Integrity returns the BLAKE3-256 digest of the whole content: the "integrity
// hash" of deep mode, which unlike the sampled id proves equal content. It
// reads exactly size bytes and returns [ErrChanged] if fewer are there, or if
// more follow them.
func Integrity(r io.ReaderAt, size int64) ([32]byte, error) {
	var sum [32]byte
	if size < 0 {
		return sum, fmt.Errorf("%w size %d", ErrInvalid, size)
	}
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := *bp
	h := hasherPool.Get().(*blake3.Hasher)
	defer hasherPool.Put(h)
	h.Reset()

	for off := int64(0); off < size; {
		want := min(int64(len(buf)), size-off)
		got, err := r.ReadAt(buf[:want], off)
		h.Write(buf[:got])
		off += int64(got)
		if int64(got) != want {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("%w: expected %d bytes, read %d", ErrChanged, size, off)
			}
			return sum, err
		}
	}
	// One byte past the end must not exist.
	if got, _ := r.ReadAt(buf[:1], size); got != 0 {
		return sum, fmt.Errorf("%w: more than %d bytes", ErrChanged, size)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// Equal reports whether the first size bytes of a and b are identical,
// reading both in chunks and stopping at the first difference. A source with
// fewer than size bytes yields [ErrChanged].
func Equal(a, b io.ReaderAt, size int64) (bool, error) {
	classes, err := Partition([]io.ReaderAt{a, b}, size)
	if err != nil {
		return false, err
	}
	return len(classes) == 1, nil
}

// Partition splits sources into classes of byte-identical content over their
// first size bytes, the check behind a verified duplicate group: each class
// lists indexes into sources, in increasing order; classes are ordered by
// their first index. Sources are read chunk by chunk in step, so memory is
// len(sources) chunks of 64 KiB, and a source is dropped from further reading
// as soon as it is alone in its class. A source shorter than size yields
// [ErrChanged]. All sources are open at once: for groups from a file tree,
// which can hold thousands of copies, use [Verify].
func Partition(sources []io.ReaderAt, size int64) ([][]int, error) {
	const step = 64 << 10
	if size < 0 {
		return nil, fmt.Errorf("%w size %d", ErrInvalid, size)
	}
	if len(sources) == 0 {
		return nil, nil
	}
	all := make([]int, len(sources))
	for i := range all {
		all[i] = i
	}
	classes := [][]int{all}
	bufs := make([][]byte, len(sources))
	for off := int64(0); off < size; off += step {
		n := min(int64(step), size-off)
		var next [][]int
		for _, class := range classes {
			if len(class) < 2 {
				next = append(next, class)
				continue
			}
			for _, i := range class {
				if bufs[i] == nil {
					bufs[i] = make([]byte, step)
				}
				got, err := sources[i].ReadAt(bufs[i][:n], off)
				if int64(got) != n {
					if err == nil || err == io.EOF {
						err = fmt.Errorf("%w: source %d shorter than %d bytes", ErrChanged, i, size)
					}
					return nil, err
				}
			}
			// Split the class by comparing each member with the first member
			// of every sub-class so far: quadratic only in the number of
			// distinct contents, which is 1 for a true duplicate group.
			var subs [][]int
			for _, i := range class {
				placed := false
				for k, sub := range subs {
					if bytes.Equal(bufs[sub[0]][:n], bufs[i][:n]) {
						subs[k] = append(sub, i)
						placed = true
						break
					}
				}
				if !placed {
					subs = append(subs, []int{i})
				}
			}
			next = append(next, subs...)
		}
		classes = next
	}
	sortClasses(classes)
	return classes, nil
}

// sortClasses orders classes by first index (insertion sort: few classes).
func sortClasses(c [][]int) {
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j][0] < c[j-1][0]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}
