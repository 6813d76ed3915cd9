package identify_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zeebo/blake3"

	"github.com/filedex/filedex/core/internal/cas"
	"github.com/filedex/filedex/core/internal/contentkind"
	"github.com/filedex/filedex/core/internal/identify"
)

func write(t *testing.T, dir, name string, content []byte) (string, identify.Expect) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, identify.Expect{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{1, 100 << 10, 100<<10 + 1, 3<<20 + 5} {
		content := make([]byte, size)
		for i := range content {
			content[i] = byte(rng.Uint32())
		}
		content[0] = 0 // a NUL: binary even at 1 byte, where random bytes may read as text
		p, want := write(t, dir, "blob.bin", content)
		for _, deep := range []identify.Deep{false, true} {
			res, err := identify.File(p, "blob.bin", want, deep)
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			id, _ := cas.ID(bytes.NewReader(content), int64(size))
			if res.ID != id || res.Kind != contentkind.Binary {
				t.Errorf("size %d: id %x kind %v, want %x binary", size, res.ID, res.Kind, id)
			}
			if !deep && res.Integrity != nil {
				t.Error("integrity computed outside deep mode")
			}
			if deep && (res.Integrity == nil || *res.Integrity != blake3.Sum256(content)) {
				t.Errorf("size %d: integrity %x", size, res.Integrity)
			}
		}
	}

	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 9, 4)))
	p, want := write(t, dir, "pic.png", buf.Bytes())
	res, err := identify.File(p, "pic.png", want, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != contentkind.Image || res.MIME != "image/png" || res.Image == nil || res.Image.Width != 9 || res.Image.Height != 4 {
		t.Errorf("png: %+v image %+v", res, res.Image)
	}
	if res, _ := identify.File(p, "pic.png", want, false); res.Image != nil {
		t.Error("media data outside deep mode")
	}
}

func TestFile_refusals(t *testing.T) {
	dir := t.TempDir()
	p, want := write(t, dir, "f.txt", []byte("hello"))
	empty, wantEmpty := write(t, dir, "e", nil)

	if _, err := identify.File(empty, "e", wantEmpty, false); !errors.Is(err, cas.ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	grown := want
	grown.Size++
	if _, err := identify.File(p, "f.txt", grown, false); !errors.Is(err, identify.ErrChanged) || !errors.Is(err, cas.ErrChanged) {
		t.Errorf("size differs: %v", err)
	}
	touched := want
	touched.Mtime += int64(time.Second)
	if _, err := identify.File(p, "f.txt", touched, false); !errors.Is(err, identify.ErrChanged) {
		t.Errorf("mtime differs: %v", err)
	}
	noMtime := want
	noMtime.Mtime = 0
	if _, err := identify.File(p, "f.txt", noMtime, false); err != nil {
		t.Errorf("mtime 0 should skip the check: %v", err)
	}
	if err := os.Symlink("f.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := identify.File(filepath.Join(dir, "link"), "link", want, false); err == nil {
		t.Error("followed a symlink")
	}
	if _, err := identify.File(dir, "dir", identify.Expect{Size: 1}, false); !errors.Is(err, identify.ErrNotRegular) {
		t.Errorf("directory: %v", err)
	}
	if _, err := identify.File(filepath.Join(dir, "missing"), "missing", want, false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
