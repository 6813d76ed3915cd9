package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// largeFilesOutput is du --large-files' --json document: tree.large_files' result, and
// whether more directories than --limit hold such files.
type largeFilesOutput struct {
	Dirs []core.DirUsage `json:"dirs"`
	More bool            `json:"more"`
}

func (a *app) duCommand() *cobra.Command {
	var depth, top, limit int
	var large string
	cmd := &cobra.Command{
		Use:   "du [PATH]",
		Short: "Directory sizes as a tree, largest first (from the index: no disk access)",
		Long: `Du shows how much each directory below PATH (default: the current one) holds,
as a tree down to --depth levels, largest first; --top N adds the N largest
files. du --large-files MIN_SIZE lists, for the whole library, the directories
holding files of at least MIN_SIZE, by their total.`,
		Example: `  filedex du ~/Documents
  filedex du . --depth 3 --top 10
  filedex du --large-files 100M`,
		Args:              argsRange(0, 1, "a directory"),
		ValidArgsFunction: dirCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if depth < 0 || top < 0 || limit < 0 {
				return usagef("--depth, --top and --limit must not be negative")
			}
			ctx := cmd.Context()
			if large != "" {
				if len(args) > 0 {
					return usagef("du --large-files covers the whole library: give no PATH")
				}
				n, err := parseSize(large)
				if err != nil {
					return usagef("--large-files: %v", err)
				}
				eng, err := a.open(ctx)
				if err != nil {
					return err
				}
				// A limit is the user's: without one every directory prints. With one, a
				// row past it says that more exist (the method has no cursor to page with).
				ask := math.MaxInt32
				if limit > 0 {
					ask = limit + 1
				}
				res, err := call[bindings.TreeLargeFiles](ctx, a, eng, "tree.large_files", bindings.TreeLargeFilesParams{MinSize: n, Limit: ask})
				if err != nil {
					return err
				}
				more := limit > 0 && len(res.Dirs) > limit
				if more {
					res.Dirs = res.Dirs[:limit]
				}
				if a.json {
					return a.printJSON(largeFilesOutput{Dirs: res.Dirs, More: more})
				}
				defer func() {
					if more && !a.quiet {
						fmt.Fprintf(a.stderr, "more directories hold such files: raise --limit (now %d)\n", limit)
					}
				}()
				if len(res.Dirs) == 0 {
					fmt.Fprintf(a.stdout, "No files of %s or more.\n", humanSize(n))
					return nil
				}
				t := &table{header: []cell{{text: "SIZE", right: true}, {text: "FILES", right: true}, {text: "DIRECTORY"}}}
				for _, d := range res.Dirs {
					t.add(cell{text: humanSize(d.Bytes), right: true}, cell{text: groupDigits(d.Files), right: true}, cell{text: a.displayPath(d.Path), color: colBlue})
				}
				a.printTable(t)
				return nil
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
			eng, err := a.open(ctx, abs)
			if err != nil {
				return err
			}
			text, b64 := pathArg(abs)
			res, err := call[bindings.TreeUsage](ctx, a, eng, "tree.usage", bindings.TreeUsageParams{Path: text, PathB64: b64, Depth: depth, Top: top})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(res)
			}
			a.printUsageTree(res.Dirs)
			if len(res.Largest) > 0 {
				fmt.Fprintf(a.stdout, "\n%s\n", a.paint(colBold, fmt.Sprintf("Largest %d files:", len(res.Largest))))
				t := &table{}
				for _, e := range res.Largest {
					t.add(cell{text: humanSize(e.Size), right: true}, cell{text: a.displayPath(e.Path)})
				}
				a.printTable(t)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&depth, "depth", 1, "levels of sub-directories to show")
	cmd.Flags().IntVar(&top, "top", 0, "also list the N largest files")
	cmd.Flags().StringVar(&large, "large-files", "", "directories holding files of at least this size (whole library)")
	cmd.Flags().IntVar(&limit, "limit", 0, "with --large-files: at most N directories")
	return cmd
}

// duNode is a directory of the usage tree.
type duNode struct {
	d    core.DirUsage
	kids []*duNode
}

// printUsageTree draws dirs (path order, depth 0 first) as a tree with the
// sizes in a right-aligned column, each directory's children largest first.
func (a *app) printUsageTree(dirs []core.DirUsage) {
	if len(dirs) == 0 {
		return
	}
	root := &duNode{d: dirs[0]}
	stack := []*duNode{root}
	for _, d := range dirs[1:] {
		n := &duNode{d: d}
		for len(stack) > d.Depth { // the parent is the last node one level up
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			continue
		}
		parent := stack[len(stack)-1]
		parent.kids = append(parent.kids, n)
		stack = append(stack, n)
	}
	t := &table{}
	var walk func(n *duNode, prefix string, last bool, top bool)
	walk = func(n *duNode, prefix string, last, top bool) {
		name := a.displayPath(n.d.Path)
		branch := ""
		if !top {
			name = filepath.Base(n.d.Path)
			branch = prefix + "├── "
			if last {
				branch = prefix + "└── "
			}
		}
		t.add(cell{text: humanSize(n.d.Bytes), right: true}, cell{text: plural(n.d.Files, "file", "files"), right: true, color: colDim},
			cell{text: branch + name + "/", color: ""})
		slices.SortStableFunc(n.kids, func(x, y *duNode) int {
			return int(min(max(y.d.Bytes-x.d.Bytes, -1), 1))
		})
		childPrefix := prefix
		if !top {
			if last {
				childPrefix += "    "
			} else {
				childPrefix += "│   "
			}
		}
		for i, k := range n.kids {
			walk(k, childPrefix, i == len(n.kids)-1, false)
		}
	}
	walk(root, "", true, true)
	a.printTable(t)
}
