package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// Listings (find, ls) print while they read. On the native engine the rows come straight
// from one read transaction (bindings.EntryStreamer); on another engine, page by page through
// the method table. Either way memory holds one batch or one page, whatever the result size,
// and --limit is the user's count, not a page size.

// pageFlags are --limit and --after: with --limit, at most that many results and the
// cursor of the next one; without, the whole answer (next null).
type pageFlags struct {
	limit int
	after string
}

func (p *pageFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVarP(&p.limit, "limit", "n", 0, "at most N results, then print the cursor of what follows")
	cmd.Flags().StringVar(&p.after, "after", "", "continue after this cursor (from a previous --limit)")
}

func (p *pageFlags) check() error {
	if p.limit < 0 {
		return usagef("--limit must be a positive number of results")
	}
	return nil
}

// streamEntries runs entry.find or entry.list (params of that method, with Page.After set
// from --after) and hands the entries to emit as they arrive. It returns the next cursor
// (nil when the answer was complete).
func (a *app) streamEntries(ctx context.Context, eng bindings.Engine, method string, find *bindings.EntryFindParams, list *bindings.EntryListParams, pf pageFlags, emit func([]core.Entry) error) (*string, error) {
	if s, ok := eng.(bindings.EntryStreamer); ok {
		var next *string
		var err error
		if find != nil {
			find.After = pf.after
			next, err = s.FindEach(ctx, *find, pf.limit, emit)
		} else {
			list.After = pf.after
			next, err = s.ListEach(ctx, *list, pf.limit, emit)
		}
		var be *bindings.Error
		if errors.As(err, &be) {
			// As call reports a response's error: the wire code, for the exit code and --json.
			err = &rpcError{Code: be.Code, Message: be.Message, Method: method}
		}
		return next, err
	}
	page := &core.Page{}
	var params any = find
	if find != nil {
		page = &find.Page
	} else {
		page, params = &list.Page, list
	}
	page.After = pf.after
	n := 0
	for {
		page.Limit = core.MaxLimit
		if pf.limit > 0 {
			page.Limit = min(core.MaxLimit, pf.limit-n)
		}
		res, err := call[bindings.EntryList](ctx, a, eng, method, params)
		if err != nil {
			return nil, err
		}
		if len(res.Entries) > 0 {
			if err := emit(res.Entries); err != nil {
				return nil, err
			}
		}
		n += len(res.Entries)
		if res.Next == nil || (pf.limit > 0 && n >= pf.limit) {
			return res.Next, nil
		}
		page.After = *res.Next
	}
}

// printNext tells a person how to get what follows (on stderr: stdout keeps only results,
// so a pipe sees none of it).
func (a *app) printNext(next *string) {
	if next != nil && !a.quiet {
		fmt.Fprintf(a.stderr, "more results: add --after %s\n", *next)
	}
}

// jsonList writes the --json document of a listing, {"entries":[…],"next":…}, one entry
// at a time, in the indented form printJSON gives a whole document.
type jsonList struct {
	w     *bufio.Writer
	key   string
	n     int
	buf   bytes.Buffer
	enc   *json.Encoder
	extra []byte
}

func newJSONList(w *bufio.Writer, key string) *jsonList {
	l := &jsonList{w: w, key: key}
	l.enc = json.NewEncoder(&l.buf)
	l.enc.SetEscapeHTML(false)
	l.enc.SetIndent("    ", "  ")
	return l
}

// add writes one element of the list.
func (l *jsonList) add(v any) error {
	if l.n == 0 {
		fmt.Fprintf(l.w, "{\n  %q: [\n", l.key)
	} else {
		l.w.WriteString(",\n")
	}
	l.n++
	l.buf.Reset()
	if err := l.enc.Encode(v); err != nil {
		return err
	}
	l.w.WriteString("    ")
	l.w.Write(bytes.TrimSuffix(l.buf.Bytes(), []byte("\n")))
	return nil
}

// end closes the list and writes the members after it (each "name": value, JSON-encoded).
func (l *jsonList) end(members ...any) error {
	if l.n == 0 {
		fmt.Fprintf(l.w, "{\n  %q: []", l.key)
	} else {
		l.w.WriteString("\n  ]")
	}
	for i := 0; i+1 < len(members); i += 2 {
		b, err := json.Marshal(members[i+1])
		if err != nil {
			return err
		}
		fmt.Fprintf(l.w, ",\n  %q: %s", members[i], b)
	}
	l.w.WriteString("\n}\n")
	return nil
}

// terminator is what ends each printed path: a newline, or NUL with -0/--print0, for names
// holding newlines (xargs -0, while IFS= read -d ”).
func terminator(print0 bool) byte {
	if print0 {
		return 0
	}
	return '\n'
}

// writePath writes p's exact bytes (a name that is not UTF-8 prints as it is on disk, so
// `filedex find | xargs ls` finds it) and the terminator.
func writePath(w *bufio.Writer, p string, term byte) {
	w.WriteString(p)
	w.WriteByte(term)
}

// pathArg is how a command-line path travels in params: as text, or, when it is not valid
// UTF-8 (a JSON string cannot carry it), as its exact bytes in base64 for the *_b64 member.
func pathArg(p string) (text, b64 string) {
	if utf8.ValidString(p) {
		return p, ""
	}
	return "", base64.StdEncoding.EncodeToString([]byte(p))
}

// entryRef names an entry by its path, in whichever of path and path_b64 can carry it.
func entryRef(p string) bindings.EntryRef {
	text, b64 := pathArg(p)
	return bindings.EntryRef{Path: text, PathB64: b64}
}
