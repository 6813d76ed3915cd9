package cas_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/filedex/filedex/core/internal/cas"
)

// countingFile tracks how many members are open at once.
type countingFile struct {
	*os.File
	open *int
}

func (f countingFile) Close() error {
	*f.open--
	return f.File.Close()
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	size := 150<<10 + 9
	a := pattern(size)
	b := bytes.Clone(a)
	b[size-2] ^= 1
	contents := [][]byte{a, b, a, a[:size-1], b, a, nil}
	var paths []string
	for i, c := range contents {
		p := filepath.Join(dir, string(rune('a'+i)))
		paths = append(paths, p)
		if c != nil {
			if err := os.WriteFile(p, c, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	openNow, maxOpen := 0, 0
	classes, errs := cas.Verify(len(paths), int64(size), func(i int) (cas.File, error) {
		f, err := os.Open(paths[i])
		if err != nil {
			return nil, err
		}
		openNow++
		maxOpen = max(maxOpen, openNow)
		return countingFile{f, &openNow}, nil
	})
	if want := [][]int{{0, 2, 5}, {1, 4}}; !reflect.DeepEqual(classes, want) {
		t.Errorf("classes %v, want %v", classes, want)
	}
	for i, err := range errs {
		switch i {
		case 3:
			if !errors.Is(err, cas.ErrChanged) {
				t.Errorf("short member: %v", err)
			}
		case 6:
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing member: %v", err)
			}
		default:
			if err != nil {
				t.Errorf("member %d: %v", i, err)
			}
		}
	}
	if openNow != 0 {
		t.Errorf("%d files left open", openNow)
	}
	if maxOpen > 3 { // two representatives and one member
		t.Errorf("%d files open at once", maxOpen)
	}
}
