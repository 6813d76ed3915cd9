package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/filedex/filedex/core/internal/media"
)

func encode(t *testing.T, enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpVP8X builds the smallest WebP header that carries a canvas size: no
// encoder for WebP ships with Go or x/image.
func webpVP8X(w, h int) []byte {
	var b []byte
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 4+8+10)
	b = append(b, "WEBPVP8X"...)
	b = binary.LittleEndian.AppendUint32(b, 10)
	b = append(b, 0, 0, 0, 0)
	put24 := func(v int) { b = append(b, byte(v), byte(v>>8), byte(v>>16)) }
	put24(w - 1)
	put24(h - 1)
	return b
}

func TestProbe(t *testing.T) {
	cases := []struct {
		format string
		data   []byte
		w, h   int
	}{
		{"png", encode(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }, 31, 17), 31, 17},
		{"jpeg", encode(t, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) }, 40, 9), 40, 9},
		{"gif", encode(t, func(b *bytes.Buffer, i image.Image) error { return gif.Encode(b, i, nil) }, 5, 6), 5, 6},
		{"bmp", encode(t, func(b *bytes.Buffer, i image.Image) error { return bmp.Encode(b, i) }, 7, 3), 7, 3},
		{"tiff", encode(t, func(b *bytes.Buffer, i image.Image) error { return tiff.Encode(b, i, nil) }, 12, 13), 12, 13},
		{"webp", webpVP8X(640, 480), 640, 480},
	}
	for _, tc := range cases {
		got, err := media.Probe(tc.data, nil, int64(len(tc.data)))
		if err != nil {
			t.Errorf("%s: %v", tc.format, err)
			continue
		}
		if got != (media.Image{Format: tc.format, Width: tc.w, Height: tc.h}) {
			t.Errorf("%s: %+v, want %dx%d", tc.format, got, tc.w, tc.h)
		}
	}
	if _, err := media.Probe([]byte("not an image at all"), nil, 19); !errors.Is(err, media.ErrUnknown) {
		t.Errorf("text: %v, want ErrUnknown", err)
	}
}

func TestProbe_headerPastHead(t *testing.T) {
	// A JPEG whose SOF comes after a 60 KiB APP1 (EXIF-like) segment: the
	// 8 KiB head is not enough, the reader is.
	plain := encode(t, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) }, 23, 11)
	app1 := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], 60<<10)
	app1 = append(app1, make([]byte, 60<<10-2)...)
	data := append(append(append([]byte{}, plain[:2]...), app1...), plain[2:]...)
	head := data[:8<<10]

	if _, err := media.Probe(head, nil, int64(len(data))); err == nil {
		t.Fatal("head alone should not reach the frame header")
	}
	got, err := media.Probe(head, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Width != 23 || got.Height != 11 || got.Format != "jpeg" {
		t.Errorf("got %+v", got)
	}
}

func FuzzProbe(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"))
	f.Add(webpVP8X(3, 3))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := media.Probe(data[:min(len(data), 64)], bytes.NewReader(data), int64(len(data)))
		if err == nil && (img.Width < 0 || img.Height < 0 || img.Format == "") {
			t.Errorf("bad result %+v", img)
		}
	})
}
