package walk

import "strings"

// Relative paths are slash-separated on every platform, never start or end
// with '/', and "" is the walk root: the materialized path the schema stores.

// Join returns the relative path of name inside directory dir.
func Join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Split splits a relative path into its directory and its last element:
// Split("a/b/c") is ("a/b", "c"), Split("c") is ("", "c"). Join(Split(p))
// is p for every relative path p.
func Split(rel string) (dir, name string) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// splitSegs returns the elements of a relative path; none for the root.
func splitSegs(rel string) []string {
	if rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

// CompareOrder compares two relative directory paths in walk order: depth-first pre-order
// with siblings by name bytes. A directory comes before everything below it, and
// "a/z" before "a-b" (element "a" before "a-b"), unlike a plain string comparison
// ('-' sorts before '/').
func CompareOrder(a, b string) int {
	for {
		if a == b {
			return 0
		}
		if a == "" {
			return -1
		}
		if b == "" {
			return 1
		}
		ha, ra, _ := strings.Cut(a, "/")
		hb, rb, _ := strings.Cut(b, "/")
		if ha != hb {
			return strings.Compare(ha, hb)
		}
		a, b = ra, rb
	}
}

// isAncestorOrSelf reports whether dir is p or a directory above it.
func isAncestorOrSelf(dir, p string) bool {
	return dir == "" || dir == p || strings.HasPrefix(p, dir+"/")
}
