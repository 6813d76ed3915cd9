package main

import (
	"bufio"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// entryKinds are the values of --kind that are entry kinds; every other valid value is a
// content kind (core.ContentKinds).
var entryKinds = []string{"file", "directory", "symlink"}

// kindFilter sets the query's kind or content kind from --kind, refusing an unknown one
// with the list of valid values (the engine would name the content_kind member instead).
func kindFilter(q *core.FindQuery, kind string) error {
	k := strings.ToLower(kind)
	switch {
	case k == "":
		return nil
	case k == "dir":
		k = "directory"
	}
	if slices.Contains(entryKinds, k) {
		v, err := core.ParseKind(k)
		if err != nil {
			return err
		}
		q.Kind = &v
		return nil
	}
	if _, ok := core.ContentKindCode(k); ok {
		q.ContentKind = k
		return nil
	}
	return usagef("--kind %s: not a kind; use one of %s", kind, strings.Join(append(slices.Clone(entryKinds), core.ContentKinds()...), ", "))
}

func (a *app) findCommand() *cobra.Command {
	var (
		name, text, kind, label, under string
		minSize, maxSize               string
		after, before                  string
		exts, tags                     []string
		favorite, hidden, print0, fold bool
		pf                             pageFlags
		device                         string
	)
	cmd := &cobra.Command{
		Use:   "find [PATTERN] [flags]",
		Short: "Search the index; prints absolute paths, one per line",
		Long: `Find searches every location of the library. All given filters must match.
It prints absolute paths, one per line, as they are read, byte for byte as on
disk; -0 ends each with a NUL instead (for names holding newlines: xargs -0).
--json prints the entries with all their fields.

A PATTERN alone finds names containing it, ignoring case (as fd does):
'filedex find readme' is --name '*readme*' -i. --name takes a glob on the
whole name, case-sensitive unless -i.
--text is a full-text search on names (words, any order, 'rep*' a prefix),
ranked by relevance; it does not read the files' contents.

Sizes accept bytes or k, M, G, T (powers of 1024); times accept YYYY-MM-DD
(local midnight) or RFC 3339. --kind is file, directory or symlink, or a
content kind (image, video, audio, document, archive, …; needs a content scan).`,
		Example: `  filedex find readme
  filedex find --name '*.pdf' --under ~/Documents
  filedex find --text "tax 2024"
  filedex find --ext jpg --ext png --min-size 5M --modified-after 2024-01-01
  filedex find --tag important --kind document
  filedex find --ext log -0 | xargs -0 ls -l`,
		Args: argsRange(0, 1, "at most one PATTERN (use --name, --text, … for more filters)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pf.check(); err != nil {
				return err
			}
			var p bindings.EntryFindParams
			q := &p.FindQuery
			q.Name, q.Text, q.Extensions, q.Tags, q.Label = name, text, exts, tags, label
			if len(args) == 1 {
				if name != "" {
					return usagef("give a PATTERN or --name, not both")
				}
				if args[0] == "" {
					return usagef("the PATTERN is empty")
				}
				q.Name = "*" + globLiteral(args[0]) + "*"
				q.IgnoreCase = true
			}
			if fold {
				if q.Name == "" {
					return usagef("-i/--ignore-case applies to --name: give --name or a PATTERN")
				}
				q.IgnoreCase = true
			}
			if err := kindFilter(q, kind); err != nil {
				return err
			}
			for _, s := range []struct {
				flag, v string
				dst     **int64
			}{{"--min-size", minSize, &q.MinSize}, {"--max-size", maxSize, &q.MaxSize}} {
				if s.v == "" {
					continue
				}
				n, err := parseSize(s.v)
				if err != nil {
					return usagef("%s: %v", s.flag, err)
				}
				*s.dst = &n
			}
			for _, s := range []struct {
				flag, v string
				dst     **time.Time
			}{{"--modified-after", after, &q.ModifiedAfter}, {"--modified-before", before, &q.ModifiedBefore}} {
				if s.v == "" {
					continue
				}
				t, err := parseTime(s.v)
				if err != nil {
					return usagef("%s: %v", s.flag, err)
				}
				*s.dst = &t
			}
			if cmd.Flags().Changed("favorite") {
				q.Favorite = &favorite
			}
			if cmd.Flags().Changed("hidden") {
				q.Hidden = &hidden
			}
			if device != "" {
				q.Device = device
			}
			var mounts []string
			if under != "" {
				u, err := filepath.Abs(under)
				if err != nil {
					return err
				}
				if err := notAFile(u); err != nil {
					return err
				}
				q.Under, p.UnderB64 = pathArg(u)
				mounts = append(mounts, u)
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, mounts...)
			if err != nil {
				return err
			}
			w := bufio.NewWriterSize(a.stdout, 64<<10)
			defer w.Flush()
			var out *jsonList
			if a.json {
				out = newJSONList(w, "entries")
			}
			term := terminator(print0)
			next, err := a.streamEntries(ctx, eng, "entry.find", &p, nil, pf, func(es []core.Entry) error {
				for i := range es {
					if out != nil {
						if err := out.add(&es[i]); err != nil {
							return err
						}
						continue
					}
					writePath(w, entryDisplayPath(es[i]), term)
				}
				return nil
			})
			if err != nil {
				return a.listingError(w, err)
			}
			if out != nil {
				return out.end("next", next)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			a.printNext(next)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "glob on the whole file name: '*.pdf', 'IMG_20??_*'")
	f.BoolVarP(&fold, "ignore-case", "i", false, "--name ignores case")
	f.StringVar(&text, "text", "", "full-text search on file names (not contents): all words, any order; 'rep*' is a prefix")
	f.StringArrayVar(&exts, "ext", nil, "extension, with or without the dot (repeatable: any of them)")
	f.StringVar(&kind, "kind", "", "file, directory, symlink, or a content kind (image, document, …)")
	f.StringVar(&minSize, "min-size", "", "at least this size: 10k, 5M, 1G or bytes")
	f.StringVar(&maxSize, "max-size", "", "at most this size")
	f.StringVar(&after, "modified-after", "", "modified at or after: YYYY-MM-DD or RFC 3339")
	f.StringVar(&before, "modified-before", "", "modified before: YYYY-MM-DD or RFC 3339")
	f.StringArrayVar(&tags, "tag", nil, "carrying this tag (repeatable: all of them)")
	f.StringVar(&label, "label", "", "carrying this label or one below it (name or path A/B)")
	f.BoolVar(&favorite, "favorite", false, "favourites only (--favorite=false: exclude them)")
	f.BoolVar(&hidden, "hidden", false, "hidden entries only (--hidden=false: exclude them)")
	f.StringVar(&under, "under", "", "only below this directory")
	f.StringVar(&device, "device", "all", "only this device's entries (NAME, or all)")
	f.BoolVarP(&print0, "print0", "0", false, "end each path with NUL, not a newline (for xargs -0)")
	pf.add(cmd)
	cmd.RegisterFlagCompletionFunc("under", dirCompletion)
	cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(append(slices.Clone(entryKinds), core.ContentKinds()...), cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("tag", a.tagCompletion)
	cmd.RegisterFlagCompletionFunc("label", a.labelCompletion)
	return cmd
}

// globLiteral escapes the glob characters of s, so a PATTERN matches as it is written.
func globLiteral(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ { // bytes: a name need not be UTF-8
		switch c := s[i]; c {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// listingError ends a listing that failed part-way: what was printed stays printed (flushed
// before the error line), and the error is reported as any other.
func (a *app) listingError(w *bufio.Writer, err error) error {
	if a.json {
		// The error object is the one document: drop what is still buffered of the list.
		// (What a long listing already wrote cannot be taken back; it is no valid
		// document without its end, so a consumer still sees the failure.)
		w.Reset(a.stdout)
		return err
	}
	w.Flush()
	return err
}
