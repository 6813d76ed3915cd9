package main

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/core"
)

// dupGroup is one group in dupes' --json output (INTERFACES.md).
type dupGroup struct {
	CasID       string   `json:"cas_id"`
	Size        int64    `json:"size"`
	Count       int64    `json:"count"` // names
	Files       int64    `json:"files"` // distinct files: hard links of one inode are one
	WastedBytes int64    `json:"wasted_bytes"`
	Verified    bool     `json:"verified"`
	Paths       []string `json:"paths"`
	Inodes      []int64  `json:"inodes"` // beside paths: equal inodes are hard links of one file
}

// dupesOutput is dupes' --json document.
type dupesOutput struct {
	Groups           []dupGroup `json:"groups"`
	TotalWastedBytes int64      `json:"total_wasted_bytes"`
	TotalGroups      int64      `json:"total_groups"`
}

func (a *app) dupesCommand() *cobra.Command {
	var under, minSize string
	var verify bool
	var limit int
	cmd := &cobra.Command{
		Use:     "dupes",
		Aliases: []string{"duplicates"},
		Short:   "Duplicate files, most wasted bytes first",
		Long: `Dupes lists groups of files with the same content, the group wasting the most
bytes first, and the total. Content ids come from content scans (the default
mode) and sample large files; --verify reads every member of the listed groups
in full and splits any group whose members differ.`,
		Example: `  filedex dupes
  filedex dupes --under ~/Pictures --min-size 1M --limit 10
  filedex dupes --verify
  filedex --json dupes | jq '.total_wasted_bytes'`,
		Args: argsRange(0, 0, "no arguments (use --under PATH)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 || limit > core.MaxLimit {
				return usagef("--limit must be between 1 and %d", core.MaxLimit)
			}
			q := map[string]any{}
			if minSize != "" {
				n, err := parseSize(minSize)
				if err != nil {
					return usagef("--min-size: %v", err)
				}
				q["min_size"] = n
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
				q["under"] = u
				mounts = append(mounts, u)
			}
			if verify {
				q["verify"] = true
			}
			ctx := cmd.Context()
			// Verifying reads the members on disk: on the WASI engine every
			// location must be mounted.
			if verify {
				if err := a.openWithLocations(ctx, mounts...); err != nil {
					return err
				}
			} else if _, err := a.open(ctx, mounts...); err != nil {
				return err
			}
			eng := a.eng
			out := dupesOutput{Groups: []dupGroup{}}
			stop := func() {}
			if verify {
				stop = a.spin("verifying duplicates")
			}
			after := ""
			for {
				q["limit"] = 200
				if limit > 0 {
					q["limit"] = min(200, limit-len(out.Groups))
				}
				delete(q, "after")
				if after != "" {
					q["after"] = after
				}
				res, err := call[core.DupesResult](ctx, a, eng, "duplicates.find", q)
				if err != nil {
					stop()
					return err
				}
				for _, g := range res.Groups {
					g.Paths = a.devicePaths(ctx, eng, g.IDs, g.Paths)
					out.Groups = append(out.Groups, dupGroup{CasID: g.CasID, Size: g.Size, Count: g.Count, Files: g.Files, WastedBytes: g.WastedBytes, Verified: g.Verified, Paths: g.Paths, Inodes: g.Inodes})
				}
				out.TotalWastedBytes, out.TotalGroups = res.TotalWastedBytes, res.TotalGroups
				if res.Next == "" || (limit > 0 && len(out.Groups) >= limit) {
					break
				}
				after = res.Next
			}
			stop()
			if a.json {
				return a.printJSON(out)
			}
			if len(out.Groups) == 0 {
				fmt.Fprintln(a.stdout, "No duplicates found. (Duplicates need content ids: scan with the default --mode content.)")
				return nil
			}
			for i, g := range out.Groups {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				ver := ""
				if g.Verified {
					ver = "  " + a.paint(colGreen, "verified")
				}
				links := ""
				if g.Count > g.Files {
					links = fmt.Sprintf(" (%s names)", groupDigits(g.Count))
				}
				fmt.Fprintf(a.stdout, "%s × %s%s  %s%s\n", groupDigits(g.Files), humanSize(g.Size), links,
					a.paint(colYell, humanSize(g.WastedBytes)+" wasted"), ver)
				// A file's further names (hard links) follow its first, marked as links:
				// they are the same file, not waste.
				for i, p := range g.Paths {
					if i < len(g.Inodes) && g.Inodes[i] != 0 && slices.Index(g.Inodes, g.Inodes[i]) < i {
						continue
					}
					fmt.Fprintf(a.stdout, "  %s\n", a.displayPath(p))
					for j := i + 1; i < len(g.Inodes) && g.Inodes[i] != 0 && j < len(g.Paths); j++ {
						if g.Inodes[j] == g.Inodes[i] {
							fmt.Fprintf(a.stdout, "    = %s  (hard link)\n", a.displayPath(g.Paths[j]))
						}
					}
				}
			}
			fmt.Fprintln(a.stdout)
			shown := ""
			if int64(len(out.Groups)) < out.TotalGroups {
				shown = fmt.Sprintf(" (%s shown)", groupDigits(int64(len(out.Groups))))
			}
			fmt.Fprintf(a.stdout, "%s%s, %s wasted in total\n", a.paint(colBold, plural(out.TotalGroups, "duplicate group", "duplicate groups")), shown,
				a.paint(colBold, humanSize(out.TotalWastedBytes)))
			return nil
		},
	}
	cmd.Flags().StringVar(&under, "under", "", "only files below this directory")
	cmd.Flags().StringVar(&minSize, "min-size", "", "only files of at least this size: 10k, 5M, 1G or bytes")
	cmd.Flags().BoolVar(&verify, "verify", false, "read the listed groups' files in full to prove they are identical")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most N groups")
	cmd.RegisterFlagCompletionFunc("under", dirCompletion)
	return cmd
}
