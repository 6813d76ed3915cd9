//go:build !wasip1

package walk

// PermKnown reports whether Entry.Perm holds the file's permission bits: true wherever the
// platform's stat reports them (false under WASI preview 1, walk_wasip1.go).
const PermKnown = true
