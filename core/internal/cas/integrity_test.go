package cas_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/filedex/filedex/core/internal/cas"
)

// Official BLAKE3 test vectors (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json,
// "hash" field, first 32 bytes), input pattern(n).
var blake3Vectors = []struct {
	n   int
	hex string
}{
	{0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"},
	{1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"},
	{1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"},
	{8193, "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b"},
	{102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085"},
}

func TestIntegrity_vectors(t *testing.T) {
	for _, v := range blake3Vectors {
		sum, err := cas.Integrity(bytes.NewReader(pattern(v.n)), int64(v.n))
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(sum[:]); got != v.hex {
			t.Errorf("n=%d: %s, want %s", v.n, got, v.hex)
		}
	}
}

func TestIntegrity_file(t *testing.T) {
	// Larger than one read chunk, not a multiple of it, from a real file.
	c := pattern(3<<20 + 17)
	f := writeFile(t, c)
	got, err := cas.Integrity(f, int64(len(c)))
	if err != nil {
		t.Fatal(err)
	}
	other, err := cas.Integrity(bytes.NewReader(c), int64(len(c)))
	if err != nil || got != other {
		t.Fatalf("file and memory disagree: %x %x %v", got, other, err)
	}
	c[len(c)-1] ^= 1
	changed, _ := cas.Integrity(bytes.NewReader(c), int64(len(c)))
	if changed == got {
		t.Error("last byte not covered")
	}
	if _, err := cas.Integrity(bytes.NewReader(c), int64(len(c))+1); !errors.Is(err, cas.ErrChanged) {
		t.Errorf("shrunk: %v", err)
	}
	if _, err := cas.Integrity(bytes.NewReader(c), int64(len(c))-1); !errors.Is(err, cas.ErrChanged) {
		t.Errorf("grown: %v", err)
	}
}

func TestPartition(t *testing.T) {
	size := 200<<10 + 3
	base := pattern(size)
	diffAt := func(at int) []byte {
		c := bytes.Clone(base)
		c[at] ^= 0x55
		return c
	}
	lateDiff := diffAt(size - 1) // differs only in the last chunk
	early := diffAt(10)
	srcs := []io.ReaderAt{
		bytes.NewReader(base),
		bytes.NewReader(lateDiff),
		bytes.NewReader(bytes.Clone(base)),
		bytes.NewReader(early),
		bytes.NewReader(bytes.Clone(lateDiff)),
	}
	got, err := cas.Partition(srcs, int64(size))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 2}, {1, 4}, {3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Partition = %v, want %v", got, want)
	}

	if eq, err := cas.Equal(bytes.NewReader(base), bytes.NewReader(lateDiff), int64(size)); err != nil || eq {
		t.Errorf("Equal(base, lateDiff) = %v, %v", eq, err)
	}
	if eq, err := cas.Equal(bytes.NewReader(base), bytes.NewReader(bytes.Clone(base)), int64(size)); err != nil || !eq {
		t.Errorf("Equal(base, copy) = %v, %v", eq, err)
	}
	if eq, err := cas.Equal(bytes.NewReader(base), bytes.NewReader(base[:100]), int64(size)); !errors.Is(err, cas.ErrChanged) {
		t.Errorf("Equal with a short source = %v, %v; want ErrChanged", eq, err)
	}
	if got, err := cas.Partition(srcs[:1], 0); err != nil || !reflect.DeepEqual(got, [][]int{{0}}) {
		t.Errorf("Partition of one empty = %v, %v", got, err)
	}
}
