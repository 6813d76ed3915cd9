package main

import (
	"bufio"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// dupGroup is one group in dupes' --json output: duplicates.find's group without the entry
// ids and verification details a person does not read.
type dupGroup struct {
	CasID       string   `json:"cas_id"`
	Size        int64    `json:"size"`
	Count       int64    `json:"count"` // names
	Files       int64    `json:"files"` // distinct files: hard links of one inode are one
	WastedBytes int64    `json:"wasted_bytes"`
	Verified    bool     `json:"verified"`
	Paths       []string `json:"paths"`
	PathsB64    []string `json:"paths_b64,omitempty"`
	Inodes      []int64  `json:"inodes"` // beside paths: equal inodes are hard links of one file
}

// dupesPage is how many groups dupes asks for at a time; it prints each page as it comes.
const dupesPage = 200

func (a *app) dupesCommand() *cobra.Command {
	var under, minSize string
	var verify, print0 bool
	var limit int
	cmd := &cobra.Command{
		Use:     "dupes",
		Aliases: []string{"duplicates"},
		Short:   "Duplicate files, most wasted bytes first",
		Long: `Dupes lists groups of files with the same content, the group wasting the most
bytes first, and the total. Content ids come from content scans (the default
mode) and sample large files; --verify reads every member of the listed groups
in full and splits any group whose members differ.

-0 prints only the paths, each ended by a NUL, and a second NUL after each
group (as jdupes -0 does), for names holding newlines.`,
		Example: `  filedex dupes
  filedex dupes --under ~/Pictures --min-size 1M --limit 10
  filedex dupes --verify
  filedex --json dupes | jq '.total_wasted_bytes'`,
		Args: argsRange(0, 0, "no arguments (use --under PATH)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit must be a positive number of groups")
			}
			var p bindings.DuplicatesFindParams
			if minSize != "" {
				n, err := parseSize(minSize)
				if err != nil {
					return usagef("--min-size: %v", err)
				}
				p.MinSize = n
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
				p.Under, p.UnderB64 = pathArg(u)
				mounts = append(mounts, u)
			}
			p.Verify = verify
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
			w := bufio.NewWriterSize(a.stdout, 64<<10)
			defer w.Flush()
			var out *jsonList
			if a.json {
				out = newJSONList(w, "groups")
			}
			stop := func() {}
			if verify {
				stop = a.spin("verifying duplicates")
			}
			var res core.DupesResult
			n := 0
			for {
				p.Limit = dupesPage
				if limit > 0 {
					p.Limit = min(dupesPage, limit-n)
				}
				var err error
				res, err = call[core.DupesResult](ctx, a, eng, "duplicates.find", p)
				if err != nil {
					stop()
					return a.listingError(w, err)
				}
				stop()
				for _, g := range res.Groups {
					g.Paths = a.devicePaths(ctx, eng, g.IDs, g.Paths)
					switch {
					case out != nil:
						if err := out.add(dupGroup{CasID: g.CasID, Size: g.Size, Count: g.Count, Files: g.Files, WastedBytes: g.WastedBytes, Verified: g.Verified, Paths: g.Paths, PathsB64: g.PathsB64, Inodes: g.Inodes}); err != nil {
							return err
						}
					case print0:
						for _, p := range g.Paths {
							writePath(w, p, 0)
						}
						w.WriteByte(0)
					default:
						a.printGroup(w, n > 0, g)
					}
					n++
				}
				if res.Next == "" || (limit > 0 && n >= limit) {
					break
				}
				p.After = res.Next
				if verify {
					stop = a.spin("verifying duplicates")
				}
			}
			switch {
			case out != nil:
				return out.end("total_wasted_bytes", res.TotalWastedBytes, "total_groups", res.TotalGroups)
			case print0:
				return nil
			case n == 0:
				fmt.Fprintln(w, "No duplicates found. (Duplicates need content ids: scan with the default --mode content.)")
				return nil
			}
			fmt.Fprintln(w)
			shown := ""
			if int64(n) < res.TotalGroups {
				shown = fmt.Sprintf(" (%s shown)", groupDigits(int64(n)))
			}
			fmt.Fprintf(w, "%s%s, %s wasted in total\n", a.paint(colBold, plural(res.TotalGroups, "duplicate group", "duplicate groups")), shown,
				a.paint(colBold, humanSize(res.TotalWastedBytes)))
			return nil
		},
	}
	cmd.Flags().StringVar(&under, "under", "", "only files below this directory")
	cmd.Flags().StringVar(&minSize, "min-size", "", "only files of at least this size: 10k, 5M, 1G or bytes")
	cmd.Flags().BoolVar(&verify, "verify", false, "read the listed groups' files in full to prove they are identical")
	cmd.Flags().IntVarP(&limit, "limit", "n", 0, "at most N groups")
	cmd.Flags().BoolVarP(&print0, "print0", "0", false, "print paths only, each ended by NUL, groups by a second NUL")
	cmd.RegisterFlagCompletionFunc("under", dirCompletion)
	return cmd
}

// printGroup prints one group: its size line, then its members' exact paths.
func (a *app) printGroup(w *bufio.Writer, gap bool, g core.DupGroup) {
	if gap {
		fmt.Fprintln(w)
	}
	ver := ""
	if g.Verified {
		ver = "  " + a.paint(colGreen, "verified")
	}
	links := ""
	if g.Count > g.Files {
		links = fmt.Sprintf(" (%s names)", groupDigits(g.Count))
	}
	fmt.Fprintf(w, "%s × %s%s  %s%s\n", groupDigits(g.Files), humanSize(g.Size), links,
		a.paint(colYell, humanSize(g.WastedBytes)+" wasted"), ver)
	// A file's further names (hard links) follow its first, marked as links:
	// they are the same file, not waste.
	for i, p := range g.Paths {
		if i < len(g.Inodes) && g.Inodes[i] != 0 && slices.Index(g.Inodes, g.Inodes[i]) < i {
			continue
		}
		w.WriteString("  ")
		writePath(w, p, '\n')
		for j := i + 1; i < len(g.Inodes) && g.Inodes[i] != 0 && j < len(g.Paths); j++ {
			if g.Inodes[j] == g.Inodes[i] {
				w.WriteString("    = ")
				w.WriteString(g.Paths[j])
				w.WriteString("  (hard link)\n")
			}
		}
	}
}
