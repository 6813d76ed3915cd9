package contentkind_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/filedex/filedex/core/internal/contentkind"
)

// TestAll pins every code to its name: the schema's lookup table stores
// these, so a renumbering must fail here, not silently in a library.
func TestAll(t *testing.T) {
	want := []string{"unknown", "image", "video", "audio", "document", "archive", "code", "text",
		"database", "book", "font", "mesh", "config", "encrypted", "key", "executable", "binary",
		"spreadsheet", "presentation", "email", "calendar", "contact", "web", "shortcut", "package",
		"model_entry"}
	all := contentkind.All()
	if len(all) != len(want) {
		t.Fatalf("%d kinds, want %d", len(all), len(want))
	}
	for i, k := range all {
		if int(k) != i || k.String() != want[i] {
			t.Errorf("kind %d: code %d name %q, want %q", i, k, k, want[i])
		}
		if p, ok := contentkind.Parse(want[i]); !ok || p != k {
			t.Errorf("Parse(%q) = %v, %v", want[i], p, ok)
		}
	}
	if _, ok := contentkind.Parse("nope"); ok {
		t.Error("Parse accepted an unknown name")
	}
	if p, ok := contentkind.Parse("IMAGE"); !ok || p != contentkind.Image {
		t.Error("Parse is not case-insensitive")
	}
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipBytes(t *testing.T, member string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(member)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func elfBytes() []byte {
	b := make([]byte, 64)
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 2, 1, 1                // 64-bit, little-endian, version 1
	binary.LittleEndian.PutUint16(b[16:], 2)  // ET_EXEC
	binary.LittleEndian.PutUint16(b[18:], 62) // x86-64
	return b
}

func TestDetect(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	cases := []struct {
		name string
		head []byte
		want contentkind.Kind
	}{
		{"photo.png", pngBytes(t), contentkind.Image},
		{"lying.txt", pngBytes(t), contentkind.Image}, // magic beats extension
		{"main.go", []byte("package main\n\nfunc main() {}\n"), contentkind.Code},
		{"notes", []byte("just some words\n"), contentkind.Text},
		{"README", []byte("read me\n"), contentkind.Text},
		{"Makefile", []byte("all:\n\tgo build\n"), contentkind.Code},
		{"conf.json", []byte(`{"a": 1}`), contentkind.Config},
		{"page.txt", []byte("<!DOCTYPE html><html></html>"), contentkind.Text}, // text: the extension decides
		{"unicode.txt", []byte("caf\u00e9 \xff\xfe not utf-8 \n"), contentkind.Text},
		{"table.xls", []byte("a\tb\n1\t2\n"), contentkind.Spreadsheet},
		{"photo.jpg", []byte("actually text\n"), contentkind.Text},
		{"data", []byte(`{"a": 1}`), contentkind.Text},
		{"run", []byte("#!/bin/sh\necho hi\n"), contentkind.Code},
		{"tool", []byte("#!/usr/bin/env python3\nprint(1)\n"), contentkind.Code},
		{"copyright", []byte("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"), contentkind.Text},
		{"page", []byte("<!DOCTYPE html><html><body>x</body></html>"), contentkind.Web},
		{"doc", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), contentkind.Document},
		{"db", append([]byte("SQLite format 3\x00"), make([]byte, 84)...), contentkind.Database},
		{"prog", elfBytes(), contentkind.Executable},
		{"a.zip", zipBytes(t, "a.txt"), contentkind.Archive},
		{"noext", zipBytes(t, "a.txt"), contentkind.Archive},
		{"lib.whl", zipBytes(t, "a.txt"), contentkind.Package},
		{"comic.cbz", zipBytes(t, "p1.png"), contentkind.Book},
		{"blob", noise, contentkind.Binary},
		{"blob.mp3", nil, contentkind.Audio}, // nothing read: extension only
		{"blob", nil, contentkind.Unknown},
		{"UPPER.JPG", nil, contentkind.Image},
		{".bashrc", []byte("alias ll='ls -l'\n"), contentkind.Config},
		{"invite.ics", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), contentkind.Calendar},
		{"me.vcf", []byte("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Me\r\nEND:VCARD\r\n"), contentkind.Contact},
	}
	for _, tc := range cases {
		got, mime := contentkind.Detect(tc.name, tc.head)
		if got != tc.want {
			t.Errorf("Detect(%q) = %v (mime %q), want %v", tc.name, got, mime, tc.want)
		}
		if (len(tc.head) == 0) != (mime == "") {
			t.Errorf("Detect(%q): mime %q with %d head bytes", tc.name, mime, len(tc.head))
		}
	}
}

func TestExt(t *testing.T) {
	for name, want := range map[string]string{
		"a.tar.gz": "gz", "Makefile": "", ".bashrc": "", "x.": "", "IMG.JPG": "jpg", "a.b/c": "b/c", "\xff.\xfe": "\xfe",
	} {
		if got := contentkind.Ext(name); got != want {
			t.Errorf("Ext(%q) = %q, want %q", name, got, want)
		}
	}
}

func FuzzDetect(f *testing.F) {
	f.Add("a.png", []byte("\x89PNG\r\n\x1a\n"))
	f.Add("x", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		k, _ := contentkind.Detect(name, head)
		if int(k) >= len(contentkind.All()) {
			t.Errorf("kind %d out of range", k)
		}
	})
}
