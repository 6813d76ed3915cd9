package core

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"
)

// Name globs.
//
// Syntax: '*' matches any run of characters (including none), '?' exactly one character,
// '[abc]', '[a-z]' one character of a class, '[!a-z]' or '[^a-z]' one character outside it
// (a ']' right after '[' or '[!' is a member). Everything else is literal — in particular
// '%', '_' and '\', which are wildcards or escapes in SQL LIKE and are never given that
// meaning here. A literal '*', '?' or '[' is written as a one-member class: "[*]".
//
// Matching is case-sensitive and byte-exact, like the filesystem. A "character" is a valid
// UTF-8 sequence or, in a name that is not valid UTF-8, one byte that is not part of one, so
// '?' matches exactly one of either and names of any bytes can be searched.
//
// Globs are matched in Go (the SQL function fdx_glob), not with SQLite's GLOB: GLOB decodes
// invalid UTF-8 its own way, and a translation would have to escape every class character
// correctly. The index still does the narrowing: the literal prefix of a glob becomes a
// range on entries_name, a literal ".ext" suffix a search on entries_extension.

type globTok struct {
	kind byte   // '*', '?', '[' or 'l' (literal)
	lit  string // literal bytes
	neg  bool   // class is negated
	set  []rune // class members as pairs lo, hi (a single member c is c, c)
}

type glob struct {
	toks []globTok
	// fold: the glob was compiled by compileFoldGlob; names are matched in folded form.
	fold bool
}

const maxGlobLen = 4096

// compileGlob parses a glob (see the syntax above).
func compileGlob(pattern string) (*glob, error) {
	if pattern == "" {
		return nil, fmt.Errorf("%w: empty glob", ErrInvalid)
	}
	if len(pattern) > maxGlobLen {
		return nil, fmt.Errorf("%w: glob longer than %d bytes", ErrInvalid, maxGlobLen)
	}
	g := &glob{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			g.toks = append(g.toks, globTok{kind: 'l', lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch c {
		case '*':
			flush()
			// Consecutive stars are one star: keeps matching linear.
			if n := len(g.toks); n == 0 || g.toks[n-1].kind != '*' {
				g.toks = append(g.toks, globTok{kind: '*'})
			}
			i++
		case '?':
			flush()
			g.toks = append(g.toks, globTok{kind: '?'})
			i++
		case '[':
			t, n, err := parseClass(pattern[i:])
			if err != nil {
				return nil, err
			}
			// A class of one member that is not negated is a literal ("[*]"): keeping it a
			// literal lets it join the indexable prefix.
			// (An invalid byte inside [...] decodes to RuneError and cannot be turned back
			// into its byte, so it stays a class.)
			if !t.neg && len(t.set) == 2 && t.set[0] == t.set[1] && t.set[0] != utf8.RuneError {
				lit.WriteString(string(t.set[0]))
			} else {
				flush()
				g.toks = append(g.toks, t)
			}
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return g, nil
}

// parseClass reads "[...]" at the start of s and returns the class and its length in bytes.
func parseClass(s string) (globTok, int, error) {
	t := globTok{kind: '['}
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		t.neg = true
		i++
	}
	first := true
	for {
		if i >= len(s) {
			return t, 0, fmt.Errorf("%w: unclosed '[' in glob", ErrInvalid)
		}
		if s[i] == ']' && !first {
			return t, i + 1, nil
		}
		first = false
		lo, w := utf8.DecodeRuneInString(s[i:])
		i += w
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			hi, w = utf8.DecodeRuneInString(s[i+1:])
			i += 1 + w
			if hi < lo {
				return t, 0, fmt.Errorf("%w: bad range %q-%q in glob", ErrInvalid, lo, hi)
			}
		}
		t.set = append(t.set, lo, hi)
	}
}

func (t *globTok) inClass(r rune) bool {
	return t.inClassRaw(r) != t.neg
}

// inClassRaw reports whether r is one of the class's members, ignoring negation.
func (t *globTok) inClassRaw(r rune) bool {
	for i := 0; i < len(t.set); i += 2 {
		if t.set[i] <= r && r <= t.set[i+1] {
			return true
		}
	}
	return false
}

// nextChar returns the width of the character at s[i:] (≥ 1 for i < len(s)).
func nextChar(s string, i int) (rune, int) {
	return utf8.DecodeRuneInString(s[i:])
}

// litAt reports whether lit occurs at s[i:] and ends on a character boundary of s (so a
// lone lead byte in the pattern never matches half of a multi-byte character).
func litAt(s string, i int, lit string) bool {
	if !strings.HasPrefix(s[i:], lit) {
		return false
	}
	end := i + len(lit)
	for i < end {
		_, w := nextChar(s, i)
		i += w
	}
	return i == end
}

// match reports whether name matches the whole glob. Greedy with backtracking to the last
// star only: O(len(name) × len(glob)) at worst, never exponential.
func (g *glob) match(s string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(g.toks) {
			t := &g.toks[ti]
			switch t.kind {
			case '*':
				starT, starS = ti, si
				ti++
				continue
			case 'l':
				if litAt(s, si, t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case '?':
				if si < len(s) {
					_, w := nextChar(s, si)
					si += w
					ti++
					continue
				}
			case '[':
				if si < len(s) {
					r, w := nextChar(s, si)
					in := t.inClass(r)
					if g.fold && r != utf8.RuneError {
						in = t.inFoldClass(r)
					}
					if in {
						si += w
						ti++
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, w := nextChar(s, starS)
		starS += w
		si, ti = starS, starT+1
	}
}

// prefix is the literal text every matching name starts with ("IMG_20" for "IMG_20??_*").
func (g *glob) prefix() string {
	if len(g.toks) > 0 && g.toks[0].kind == 'l' {
		return g.toks[0].lit
	}
	return ""
}

// exact reports whether the glob has no wildcard: it matches only its own text.
func (g *glob) exact() (string, bool) {
	if len(g.toks) == 1 && g.toks[0].kind == 'l' {
		return g.toks[0].lit, true
	}
	return "", false
}

// extension returns the extension every matching name has, as stored in entries.extension,
// when the glob ends with a literal ".ext" ("*.pdf", "IMG_*.JPG"). dotName is set when a
// name consisting of ".ext" alone also matches: such a name has no extension (a leading dot
// marks a hidden file, see ExtensionOf), so the extension index alone would miss it.
func (g *glob) extension() (ext string, dotName string, ok bool) {
	n := len(g.toks)
	if n == 0 || g.toks[n-1].kind != 'l' {
		return "", "", false
	}
	last := g.toks[n-1].lit
	dot := strings.LastIndexByte(last, '.')
	if dot < 0 || dot == len(last)-1 {
		return "", "", false
	}
	ext = ExtensionOf("x" + last[dot:])
	if ext == "" {
		return "", "", false
	}
	// Can everything before the dot be empty? Only if it is stars and nothing else.
	if dot == 0 {
		empty := true
		for _, t := range g.toks[:n-1] {
			if t.kind != '*' {
				empty = false
			}
		}
		if empty {
			dotName = last
		}
	}
	return ext, dotName, true
}

// Case-insensitive globs fold the pattern's literals and the name the same way, each valid
// character to its lower case (foldString), and test a class
// member against every case of the name's character, so "[A-C]*" and "[a-c]*" agree. Bytes
// that are not UTF-8 are kept as they are: they have no case.

// compileFoldGlob compiles pattern for case-insensitive matching.
func compileFoldGlob(pattern string) (*glob, error) {
	g, err := compileGlob(pattern)
	if err != nil {
		return nil, err
	}
	g.fold = true
	for i := range g.toks {
		if g.toks[i].kind == 'l' {
			g.toks[i].lit = foldString(g.toks[i].lit)
		}
	}
	return g, nil
}

// foldString maps each valid character of s to its lower case.
func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch l := unicode.ToLower(r); {
		case r == utf8.RuneError && w == 1:
			b.WriteByte(s[i])
		case r >= utf8.RuneSelf && l < utf8.RuneSelf:
			// The Kelvin sign would fold to 'k': keep non-ASCII non-ASCII, so the folded
			// ASCII of a name is SQLite's lower() of it, which the name driver's range uses.
			b.WriteRune(r)
		default:
			b.WriteRune(l)
		}
		i += w
	}
	return b.String()
}

// inFoldClass is inClass for a folded glob: r (lower case) or any other case of it.
func (t *globTok) inFoldClass(r rune) bool {
	for c := unicode.SimpleFold(r); ; c = unicode.SimpleFold(c) {
		if t.inClassRaw(c) {
			return !t.neg
		}
		if c == r {
			return t.neg
		}
	}
}

// matchName matches a name as the glob was compiled: folded for compileFoldGlob.
func (g *glob) matchName(name string) bool {
	if g.fold && !foldsToItself(name) {
		return g.match(foldString(name))
	}
	return g.match(name)
}

// foldsToItself reports whether foldString(s) == s for the common case it can tell cheaply:
// ASCII without capitals (most file names), so matching them allocates nothing.
func foldsToItself(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// registerFunctions adds filedex's SQL functions to a new connection: fdx_glob(pattern,
// name) and its case-insensitive form fdx_iglob.
func registerFunctions(c *sqlite3.Conn) error {
	for _, fn := range []struct {
		name    string
		compile func(string) (*glob, error)
	}{{"fdx_glob", compileGlob}, {"fdx_iglob", compileFoldGlob}} {
		compile := fn.compile
		err := c.CreateFunction(fn.name, 2, sqlite3.DETERMINISTIC|sqlite3.INNOCUOUS, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
			// The compiled glob is cached per statement as SQLite auxiliary data: the pattern is a
			// bound parameter, compiled once, matched against every candidate row.
			g, _ := ctx.GetAuxData(0).(*glob)
			if g == nil {
				var err error
				g, err = compile(arg[0].Text())
				if err != nil {
					ctx.ResultError(err)
					return
				}
				ctx.SetAuxData(0, g)
			}
			ctx.ResultBool(g.matchName(string(arg[1].RawText())))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// upperBound returns the smallest string greater than every string starting with prefix,
// or nil when there is none that is TEXT (prefix is all 0xff bytes): the caller then uses an
// empty BLOB, which SQLite sorts after every TEXT.
func upperBound(prefix string) any {
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return []byte{}
	}
	b[len(b)-1]++
	return string(b)
}
