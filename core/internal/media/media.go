// Package media extracts the media_data of deep mode: for images, the
// format and pixel dimensions, read from the header without decoding pixels.
//
// Formats: PNG, JPEG and GIF from the standard library; WebP, BMP and TIFF
// from golang.org/x/image. Anything else yields no media data.
package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	// Decoders register themselves with package image; only their
	// DecodeConfig is used.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Image is the media_data of an image, stored as JSON.
type Image struct {
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// MaxHeaderRead caps how far into a file [Probe] reads when the head bytes
// were not enough. JPEG puts its dimensions after EXIF/ICC segments of up to
// 64 KiB each; TIFF may point anywhere, and a file that needs more than
// this is reported as having no dimensions rather than read whole.
const MaxHeaderRead = 1 << 20

// ErrUnknown reports content that is not an image this package reads.
var ErrUnknown = errors.New("media: not a supported image")

// Probe returns the format and dimensions of the image whose first bytes are
// head and whose whole content, size bytes, r can read. It tries head alone
// first (the bytes the content id already read) and reads further through r,
// at most [MaxHeaderRead] bytes, only if the header runs past head. r may be
// nil when head is all there is.
func Probe(head []byte, r io.ReaderAt, size int64) (img Image, err error) {
	// The decoders parse untrusted bytes; a panic in one must not take the
	// indexer down with it.
	defer func() {
		if p := recover(); p != nil {
			img, err = Image{}, fmt.Errorf("%w: decoder panicked: %v", ErrUnknown, p)
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil && r != nil && int64(len(head)) < size && truncated(err) {
		cfg, format, err = image.DecodeConfig(io.NewSectionReader(r, 0, min(size, MaxHeaderRead)))
	}
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return Image{}, ErrUnknown
		}
		return Image{}, fmt.Errorf("%w: %v", ErrUnknown, err)
	}
	if cfg.Width < 0 || cfg.Height < 0 {
		return Image{}, fmt.Errorf("%w: negative dimensions", ErrUnknown)
	}
	return Image{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// truncated reports whether a decoder stopped because its input ended: the
// only failure more bytes can cure. TIFF seeks to its directory, so a short
// head shows up as some other error there; any non-format error qualifies.
func truncated(err error) bool {
	return !errors.Is(err, image.ErrFormat)
}
