package walk

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unsafe"
)

// Ignore is a compiled set of ignore patterns (the CLI's --ignore GLOB).
//
// Syntax: each '/'-separated element of a pattern is a [path.Match] glob
// ('*' any run of bytes, '?' one character, '[a-z]' a class, '\' quotes the
// next character), and an element that is exactly "**" matches any number of
// path elements, none included.
//
// What it is matched against:
//   - A pattern without '/' matches an entry's name, at any depth:
//     "*.tmp" ignores every file or directory whose name ends in ".tmp".
//   - A pattern with a '/' inside matches the entry's whole path relative to
//     the walk root; a leading '/' is optional: "build/out" and "/build/out"
//     both ignore only the top-level build/out, "**/node_modules" is the
//     same as "node_modules", "src/**/*.o" any .o below src.
//   - A trailing '/' restricts the pattern to directories: "cache/".
//
// An ignored directory is neither listed nor descended into. Matching is on
// bytes: no case folding, no Unicode normalization (an NFC pattern does not
// match an NFD name).
type Ignore struct {
	pats    []pattern
	hasPath bool
}

type pattern struct {
	segs     []string // path patterns: elements, "**" included
	name     string   // name patterns
	nameOnly bool
	dirOnly  bool
}

// ErrBadPattern reports a malformed ignore pattern.
var ErrBadPattern = errors.New("bad ignore pattern")

// NewIgnore compiles patterns. No patterns yields a set that matches nothing.
func NewIgnore(patterns ...string) (*Ignore, error) {
	ig := &Ignore{}
	for _, raw := range patterns {
		p := pattern{}
		s := raw
		if strings.HasSuffix(s, "/") {
			p.dirOnly = true
			s = strings.TrimRight(s, "/")
		}
		if strings.Contains(s, "/") {
			s = strings.TrimLeft(s, "/")
			p.segs = strings.Split(s, "/")
			for _, seg := range p.segs {
				if seg == "" {
					return nil, fmt.Errorf("%w %q: empty path element", ErrBadPattern, raw)
				}
			}
			ig.hasPath = true
		} else {
			p.nameOnly = true
			p.name = s
			p.segs = []string{s}
		}
		if s == "" {
			return nil, fmt.Errorf("%w %q: empty", ErrBadPattern, raw)
		}
		for _, seg := range p.segs {
			if _, err := path.Match(seg, ""); err != nil {
				return nil, fmt.Errorf("%w %q: %v", ErrBadPattern, raw, err)
			}
		}
		ig.pats = append(ig.pats, p)
	}
	return ig, nil
}

// Match reports whether the entry at the relative path rel is ignored.
func (ig *Ignore) Match(rel string, isDir bool) bool {
	dir, name := Split(rel)
	return ig.matchIn(splitSegs(dir), name, isDir)
}

// empty reports whether no pattern can match.
func (ig *Ignore) empty() bool { return ig == nil || len(ig.pats) == 0 }

// matchIn matches the entry name inside the directory whose elements are
// dirSegs; the walker splits each directory's path once for all its entries.
func (ig *Ignore) matchIn(dirSegs []string, name string, isDir bool) bool {
	if ig.empty() {
		return false
	}
	for i := range ig.pats {
		p := &ig.pats[i]
		if p.dirOnly && !isDir {
			continue
		}
		if p.nameOnly {
			if ok, _ := path.Match(p.name, name); ok {
				return true
			}
			continue
		}
		if matchSegs(p.segs, dirSegs, name) {
			return true
		}
	}
	return false
}

// matchBytes is matchIn for a name held as bytes, without copying it: the
// string view lives only for the call.
func (ig *Ignore) matchBytes(dirSegs []string, name []byte, isDir bool) bool {
	if ig.empty() || len(name) == 0 {
		return false
	}
	return ig.matchIn(dirSegs, unsafe.String(&name[0], len(name)), isDir)
}

// matchSegs matches pattern elements against the path dirSegs + [name].
func matchSegs(pat, dirSegs []string, name string) bool {
	n := len(dirSegs) + 1
	seg := func(i int) string {
		if i < len(dirSegs) {
			return dirSegs[i]
		}
		return name
	}
	var match func(pi, si int) bool
	match = func(pi, si int) bool {
		for pi < len(pat) {
			if pat[pi] == "**" {
				// Collapse runs of "**", then try every split point.
				for pi < len(pat) && pat[pi] == "**" {
					pi++
				}
				if pi == len(pat) {
					// A trailing "**" matches what is inside, not the
					// directory itself: "build/**" keeps build listed.
					return si < n
				}
				for k := si; k < n; k++ {
					if match(pi, k) {
						return true
					}
				}
				return false
			}
			if si >= n {
				return false
			}
			if ok, _ := path.Match(pat[pi], seg(si)); !ok {
				return false
			}
			pi++
			si++
		}
		return si == n
	}
	return match(0, 0)
}
