package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// commonDir is the deepest directory holding both a and b (absolute, clean paths).
func commonDir(a, b string) string {
	for {
		if b == a || strings.HasPrefix(b, a+string(filepath.Separator)) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}

func (a *app) mvCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "mv SRC DST",
		Short: "Move or rename a file or directory on disk and in the index, in one step",
		Long: `Mv renames SRC to DST on disk and updates the index in the same step, so
tags, labels and notes follow the file. If DST is an existing directory, SRC
moves into it. Both must be inside the same location and file system.`,
		Example: `  filedex mv report.pdf archive/
  filedex mv ~/Documents/old-name ~/Documents/new-name`,
		Args: argsRange(2, 2, "SRC and DST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			paths, err := a.absPaths(args)
			if err != nil {
				return err
			}
			src, dst := paths[0], paths[1]
			if _, err := os.Lstat(src); err != nil {
				return notFoundf("%s: no such file or directory", src)
			}
			if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
				dst = filepath.Join(dst, filepath.Base(src))
			}
			ctx := cmd.Context()
			// One mount holding both directories: under WASI a rename is one
			// path_rename between two directories of one preopen; between two
			// preopens wazero has none ("Not implemented on wasip1").
			eng, err := a.open(ctx, commonDir(filepath.Dir(src), filepath.Dir(dst)))
			if err != nil {
				return err
			}
			e, err := call[core.Entry](ctx, a, eng, "entry.move", bindings.EntryMoveParams{Src: src, Dst: dst})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(e)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Moved %s → %s\n", a.displayPath(src), a.displayPath(e.Path))
			}
			return nil
		},
	}
}
