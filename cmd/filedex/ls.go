package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// entryPage is entry.list's and entry.find's result, and the --json shape of
// ls and find (INTERFACES.md).
type entryPage struct {
	Entries []core.Entry `json:"entries"`
	Next    *string      `json:"next"`
}

// pageFlags are --limit and --after: with --limit, one page and its cursor;
// without, every page (the whole answer, next null).
type pageFlags struct {
	limit int
	after string
}

func (p *pageFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVar(&p.limit, "limit", 0, "at most N results, then print the cursor of the next page")
	cmd.Flags().StringVar(&p.after, "after", "", "continue after this cursor (from a previous --limit)")
}

func (p *pageFlags) check() error {
	if p.limit < 0 || p.limit > core.MaxLimit {
		return usagef("--limit must be between 1 and %d", core.MaxLimit)
	}
	return nil
}

// fetchEntries calls an entry-listing method page by page.
func (a *app) fetchEntries(ctx context.Context, eng bindings.Engine, method string, params map[string]any, pf pageFlags) (entryPage, error) {
	out := entryPage{Entries: []core.Entry{}}
	after := pf.after
	for {
		params["limit"] = 1000
		if pf.limit > 0 {
			params["limit"] = pf.limit - len(out.Entries)
		}
		delete(params, "after")
		if after != "" {
			params["after"] = after
		}
		page, err := call[entryPage](ctx, a, eng, method, params)
		if err != nil {
			return out, err
		}
		out.Entries = append(out.Entries, page.Entries...)
		out.Next = page.Next
		if page.Next == nil || (pf.limit > 0 && len(out.Entries) >= pf.limit) {
			return out, nil
		}
		after = *page.Next
	}
}

// printNext tells a person how to get the next page (on stderr: stdout keeps
// only results, so a pipe sees none of it).
func (a *app) printNext(cmd *cobra.Command, next *string) {
	if next != nil && !a.quiet {
		fmt.Fprintf(a.stderr, "more results: add --after %s\n", *next)
	}
}

func (a *app) lsCommand() *cobra.Command {
	var pf pageFlags
	cmd := &cobra.Command{
		Use:   "ls [PATH]",
		Short: "List the indexed children of a directory",
		Long: `Ls lists what the index knows about a directory (default: the current one),
directories first: no disk access, so it also works for unplugged drives.`,
		Example: `  filedex ls ~/Documents
  filedex ls . --limit 20
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
			page, err := a.fetchEntries(ctx, eng, "entry.list", map[string]any{"path": abs, "dirs_first": true}, pf)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(page)
			}
			t := &table{}
			for _, e := range page.Entries {
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
				t.add(cell{text: size, right: true}, cell{text: e.ModifiedAt.Local().Format("2006-01-02 15:04"), color: colDim}, cell{text: name, color: color})
			}
			a.printTable(t)
			a.printNext(cmd, page.Next)
			return nil
		},
	}
	pf.add(cmd)
	return cmd
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
