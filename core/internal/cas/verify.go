package cas

import (
	"bytes"
	"fmt"
	"io"
)

// File is a source [Verify] opens itself: readable at any offset, closed
// when Verify is done with it.
type File interface {
	io.ReaderAt
	io.Closer
}

// Verify splits the n members of a candidate duplicate group (same size and
// content id) into classes of byte-identical content, opening each member
// through open(i). Unlike [Partition] it never holds more than the open
// class representatives plus one member, so a group of thousands of copies
// (a license file in every package) does not exhaust file descriptors; the
// representatives' bytes are re-read once per member, from the page cache
// in practice. A member that cannot be opened or read, or whose length is
// not size, gets its error in errs and belongs to no class. Classes list
// member indexes in increasing order, ordered by first index.
func Verify(n int, size int64, open func(i int) (File, error)) (classes [][]int, errs []error) {
	errs = make([]error, n)
	var reps []File // reps[k] is open on classes[k][0]
	defer func() {
		for _, r := range reps {
			r.Close()
		}
	}()
	bufA := make([]byte, 64<<10)
	bufB := make([]byte, 64<<10)
	for i := range n {
		f, err := open(i)
		if err != nil {
			errs[i] = err
			continue
		}
		placed := false
		for k, rep := range reps {
			eq, err := equalBuffered(rep, f, size, bufA, bufB)
			if err != nil {
				// Either side may be at fault; the member is reported, and a
				// broken representative fails every later member of its
				// class too, which is then visible in errs.
				errs[i] = err
				placed = true
				break
			}
			if eq {
				classes[k] = append(classes[k], i)
				placed = true
				break
			}
		}
		if placed {
			f.Close()
			continue
		}
		// A new class: check the member is readable to its full length
		// before it becomes a representative.
		if err := readable(f, size, bufA); err != nil {
			errs[i] = err
			f.Close()
			continue
		}
		reps = append(reps, f)
		classes = append(classes, []int{i})
	}
	return classes, errs
}

// equalBuffered compares the first size bytes of a and b chunk by chunk.
func equalBuffered(a, b io.ReaderAt, size int64, bufA, bufB []byte) (bool, error) {
	for off := int64(0); off < size; off += int64(len(bufA)) {
		n := min(int64(len(bufA)), size-off)
		if err := readFull(a, bufA[:n], off, size); err != nil {
			return false, err
		}
		if err := readFull(b, bufB[:n], off, size); err != nil {
			return false, err
		}
		if !bytes.Equal(bufA[:n], bufB[:n]) {
			return false, nil
		}
	}
	return true, nil
}

// readable reads r to size, checking it has at least that many bytes.
func readable(r io.ReaderAt, size int64, buf []byte) error {
	for off := int64(0); off < size; off += int64(len(buf)) {
		n := min(int64(len(buf)), size-off)
		if err := readFull(r, buf[:n], off, size); err != nil {
			return err
		}
	}
	return nil
}

func readFull(r io.ReaderAt, p []byte, off, size int64) error {
	got, err := r.ReadAt(p, off)
	if got == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = fmt.Errorf("%w: shorter than %d bytes", ErrChanged, size)
	}
	return err
}
