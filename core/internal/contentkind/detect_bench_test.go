package contentkind_test

import (
	"bytes"
	"testing"

	"github.com/filedex/filedex/core/internal/contentkind"
)

// BenchmarkDetect measures classification of an 8 KiB text head, the common
// case in source trees and the slowest for magic matching (every text
// format's detector scans it).
func BenchmarkDetect(b *testing.B) {
	head := bytes.Repeat([]byte("func main() { fmt.Println(\"hello\") }\n"), 8<<10/38)
	for b.Loop() {
		contentkind.Detect("main.go", head)
	}
}

func BenchmarkDetect_binary(b *testing.B) {
	head := make([]byte, 8<<10)
	for i := range head {
		head[i] = byte(i*7 + i>>8)
	}
	copy(head, "\x7fELF\x02\x01\x01")
	for b.Loop() {
		contentkind.Detect("libfoo.so.1", head)
	}
}
