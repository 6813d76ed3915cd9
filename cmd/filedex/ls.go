package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func (a *app) lsCommand() *cobra.Command {
	var pf pageFlags
	var print0 bool
	cmd := &cobra.Command{
		Use:   "ls [PATH]",
		Short: "List the indexed children of a directory",
		Long: `Ls lists what the index knows about a directory (default: the current one),
directories first: no disk access, so it also works for unplugged drives.
Names print byte for byte as on disk; -0 prints the children's absolute paths,
each ended by a NUL, for xargs -0.`,
		Example: `  filedex ls ~/Documents
  filedex ls . --limit 20
  filedex ls ~/Documents -0 | xargs -0 stat
  filedex --json ls ~/Documents | jq '.entries[] | {name, size}'`,
		Args:              argsRange(0, 1, "a directory"),
		ValidArgsFunction: dirCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pf.check(); err != nil {
				return err
			}
			p := "."
			if len(args) == 1 {
				p = args[0]
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			if err := notAFile(abs); err != nil {
				return err
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, abs)
			if err != nil {
				return err
			}
			params := bindings.EntryListParams{EntryRef: entryRef(abs), ListOptions: core.ListOptions{DirsFirst: true}}
			w := bufio.NewWriterSize(a.stdout, 64<<10)
			defer w.Flush()
			var out *jsonList
			if a.json {
				out = newJSONList(w, "entries")
			}
			next, err := a.streamEntries(ctx, eng, "entry.list", nil, &params, pf, func(es []core.Entry) error {
				for i := range es {
					e := &es[i]
					switch {
					case out != nil:
						if err := out.add(e); err != nil {
							return err
						}
					case print0:
						writePath(w, e.Path, 0)
					default:
						a.lsLine(w, e)
					}
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
	pf.add(cmd)
	cmd.Flags().BoolVarP(&print0, "print0", "0", false, "print absolute paths, each ended by NUL (for xargs -0)")
	return cmd
}

// lsLine prints one child: size, modification time, name. The columns have fixed widths
// (humanSize is at most 10 characters), so each line prints as soon as it is read.
func (a *app) lsLine(w *bufio.Writer, e *core.Entry) {
	name, color := e.Name, ""
	switch e.Kind {
	case core.KindDirectory:
		name, color = name+"/", colBlue
	case core.KindSymlink:
		name, color = name+"@", colCyan
	}
	size := humanSize(e.Size)
	if e.Kind == core.KindDirectory {
		size = "-"
	}
	fmt.Fprintf(w, "%10s  %s  %s\n", size, a.paint(colDim, shortTime(e.ModifiedAt)), a.paint(color, name))
}

// notAFile refuses a path that exists on disk as a file where a directory is
// needed. A path missing on disk is left to the index (it may describe an
// unplugged drive).
func notAFile(p string) error {
	if err := needDir(p); err != nil {
		if le, ok := err.(*localError); ok && le.code == bindings.CodeInvalid {
			return err
		}
	}
	return nil
}

// shortTime formats a modification time for listings.
func shortTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
