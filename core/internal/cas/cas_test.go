package cas_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zeebo/blake3"

	"github.com/filedex/filedex/core/internal/cas"
)

// pattern is the BLAKE3 test-vector input: 0, 1, ..., 250, 0, 1, ...
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// reference computes the cas_id from the whole content in memory, written
// from the algorithm's description rather than from cas.Ranges, so a slip in
// either shows up as a mismatch.
func reference(c []byte) string {
	size := len(c)
	var msg []byte
	msg = binary.LittleEndian.AppendUint64(msg, uint64(size))
	if size <= 100*1024 {
		msg = append(msg, c...)
	} else {
		msg = append(msg, c[:8*1024]...)
		jump := (size - 16*1024) / 4
		for i := 0; i < 4; i++ {
			at := 8*1024 + i*jump
			msg = append(msg, c[at:at+10*1024]...)
		}
		msg = append(msg, c[size-8*1024:]...)
	}
	sum := blake3.Sum256(msg)
	return hex.EncodeToString(sum[:])[:16]
}

func writeFile(t *testing.T, content []byte) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestID_files(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	cases := []struct {
		name string
		size int
	}{
		{"1B", 1},
		{"100KiB-1", 100<<10 - 1},
		{"100KiB", 100 << 10},
		{"100KiB+1", 100<<10 + 1},
		{"100KiB+7", 100<<10 + 7}, // jump not a multiple of 4
		{"multi-MiB", 5<<20 + 4093},
		{"64MiB+3", 64<<20 + 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			content := random(tc.size)
			f := writeFile(t, content)
			head := make([]byte, 4096)
			id, n, err := cas.IDHead(f, int64(tc.size), head)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cas.String(id), reference(content); got != want {
				t.Errorf("cas_id %s, reference %s", got, want)
			}
			if wantN := min(tc.size, len(head)); n != wantN || !bytes.Equal(head[:n], content[:n]) {
				t.Errorf("head: copied %d bytes (want %d) or wrong bytes", n, wantN)
			}
			// Changing a byte the id covers changes it: the first byte is
			// always covered; the last byte too.
			for _, at := range []int{0, tc.size - 1} {
				mod := bytes.Clone(content)
				mod[at] ^= 0xff
				id2, err := cas.ID(bytes.NewReader(mod), int64(tc.size))
				if err != nil {
					t.Fatal(err)
				}
				if id2 == id {
					t.Errorf("flipping byte %d left the id unchanged", at)
				}
			}
		})
	}
}

func TestID_sampledIgnoresUnsampledBytes(t *testing.T) {
	// The point of sampling: a byte outside every range does not count.
	size := 1 << 20
	c := pattern(size)
	id1, err := cas.ID(bytes.NewReader(c), int64(size))
	if err != nil {
		t.Fatal(err)
	}
	// Offset 100 KiB lies after the header and before the second sample
	// (8 KiB + (1 MiB-16 KiB)/4 = 260 KiB) but past the first (8..18 KiB).
	c[100<<10] ^= 0xff
	id2, err := cas.ID(bytes.NewReader(c), int64(size))
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Errorf("a byte outside the samples changed the id: %x vs %x", id1, id2)
	}
}

// Golden vectors, content = pattern(n). Computed outside this repository with
// a second BLAKE3 implementation (lukechampine.com/blake3 v1.4.1) by a
// transcription of the seek loop of spacedrive's generate_cas_id
// (core/crates/heavy-lifting/src/file_identifier/cas_id.rs).
var golden = []struct {
	size int
	id   string
}{
	{1, "9b779f74b305adc3"},
	{1000, "df2026157ecbc573"},
	{102399, "cfbff674ab1c0c5d"},
	{102400, "c66a52267c7e5ee9"},
	{102401, "17f74805066119da"},
	{3<<20 + 12345, "a6c3ecf5e17a403d"},
}

func TestID_golden(t *testing.T) {
	for _, g := range golden {
		id, err := cas.ID(bytes.NewReader(pattern(g.size)), int64(g.size))
		if err != nil {
			t.Fatal(err)
		}
		if cas.String(id) != g.id {
			t.Errorf("size %d: %s, want %s", g.size, cas.String(id), g.id)
		}
	}
}

func TestID_errors(t *testing.T) {
	f := writeFile(t, nil)
	if _, err := cas.ID(f, 0); !errors.Is(err, cas.ErrEmpty) {
		t.Errorf("empty: %v, want ErrEmpty", err)
	}
	if _, err := cas.ID(f, -1); !errors.Is(err, cas.ErrInvalid) {
		t.Errorf("negative: %v, want ErrInvalid", err)
	}
	c := pattern(300 << 10)
	for _, tc := range []struct {
		name      string
		have, say int
	}{
		{"small shrank", 50, 60},
		{"small grew", 60, 50},
		{"grew past the whole-file limit", 100<<10 + 1, 100 << 10},
		{"sampled shrank", 200 << 10, 300 << 10},
	} {
		_, err := cas.ID(bytes.NewReader(c[:tc.have]), int64(tc.say))
		if !errors.Is(err, cas.ErrChanged) {
			t.Errorf("%s: %v, want ErrChanged", tc.name, err)
		}
	}
}

func TestRanges(t *testing.T) {
	if cas.SampledBytes > cas.WholeMax {
		t.Fatalf("sampled ranges (%d B) do not fit the shared buffer (%d B)", cas.SampledBytes, cas.WholeMax)
	}
	if r := cas.Ranges(0); len(r) != 0 {
		t.Errorf("Ranges(0) = %v", r)
	}
	if r := cas.Ranges(100 << 10); len(r) != 1 || r[0] != (cas.Range{0, 100 << 10}) {
		t.Errorf("Ranges(100KiB) = %v", r)
	}
	for _, size := range []int64{100<<10 + 1, 1 << 20, 1<<40 + 5} {
		r := cas.Ranges(size)
		var total int64
		for _, rg := range r {
			if rg.Off < 0 || rg.Off+rg.Len > size {
				t.Errorf("size %d: range %v outside the file", size, rg)
			}
			total += rg.Len
		}
		if len(r) != 6 || total != cas.SampledBytes || r[5].Off+r[5].Len != size {
			t.Errorf("size %d: ranges %v", size, r)
		}
	}
}

func TestStringParse(t *testing.T) {
	for _, id := range []uint64{0, 1, 0xdeadbeef, 1<<63 + 5, ^uint64(0)} {
		s := cas.String(id)
		if len(s) != 16 || strings.ToLower(s) != s {
			t.Errorf("String(%x) = %q", id, s)
		}
		got, err := cas.Parse(s)
		if err != nil || got != id {
			t.Errorf("Parse(%q) = %x, %v", s, got, err)
		}
		if got, err := cas.Parse(strings.ToUpper(s)); err != nil || got != id {
			t.Errorf("Parse(upper %q) = %x, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "0", "0123456789abcdeg", "0123456789abcdef0", " 123456789abcdef", "+123456789abcdef"} {
		if _, err := cas.Parse(bad); !errors.Is(err, cas.ErrInvalid) {
			t.Errorf("Parse(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("0123456789abcdef")
	f.Add("FFFFFFFFFFFFFFFF")
	f.Add("xyz")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := cas.Parse(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(cas.String(id), s) {
			t.Errorf("Parse(%q) = %x, which renders as %q", s, id, cas.String(id))
		}
	})
}

var _ io.ReaderAt = (*os.File)(nil)
