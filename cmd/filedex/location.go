package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func (a *app) locationCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "location",
		Aliases: []string{"locations", "loc"},
		Short:   "Manage locations (the directories a library indexes)",
		Example: `  filedex location add ~/Pictures --mode deep --name photos
  filedex location list
  filedex location rm ~/Pictures`,
	}
	var mode, name string
	var ignore []string
	add := &cobra.Command{
		Use:   "add PATH",
		Short: "Add a directory as a location without scanning it",
		Example: `  filedex location add ~/Pictures --mode deep --name photos
  filedex scan ~/Pictures   # index it`,
		Args:              argsRange(1, 1, "PATH (a directory)"),
		ValidArgsFunction: dirCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if mode != "" && !core.IndexMode(mode).Valid() {
				return usagef("--mode must be metadata, content or deep, not %q", mode)
			}
			p, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if err := needDir(p); err != nil {
				return err
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, p)
			if err != nil {
				return err
			}
			loc, err := call[core.Location](ctx, a, eng, "location.add", bindings.LocationAddParams{Path: p, Name: name, Mode: core.IndexMode(mode), Ignore: ignore})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(loc)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Added location %d: %s (mode %s). Index it with: filedex scan %s\n", loc.ID, a.displayPath(loc.Path), loc.IndexMode, a.displayPath(loc.Path))
			}
			return nil
		},
	}
	add.Flags().StringVar(&mode, "mode", "", "index mode: metadata, content or deep")
	add.Flags().StringVar(&name, "name", "", "a name for the location")
	add.Flags().StringArrayVar(&ignore, "ignore", nil, "skip names matching this glob (repeatable)")
	add.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"metadata", "content", "deep"}, cobra.ShellCompDirectiveNoFileComp))

	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List locations with their size and scan state",
		Example: `  filedex location list
  filedex --json location list | jq '.locations[].path'`,
		Args: argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			locs, err := a.locations(ctx)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(bindings.LocationList{Locations: locs})
			}
			if len(locs) == 0 {
				fmt.Fprintln(a.stdout, "No locations yet. Add one with: filedex scan DIR")
				return nil
			}
			t := &table{header: []cell{{text: "ID", right: true}, {text: "MODE"}, {text: "STATE"}, {text: "FILES", right: true}, {text: "SIZE", right: true}, {text: "PATH"}}}
			for _, l := range locs {
				state := cell{text: string(l.ScanState)}
				switch l.ScanState {
				case core.ScanComplete:
					state.color = colGreen
				case core.ScanError:
					state.color = colRed
				case core.ScanPaused, core.ScanScanning:
					state.color = colYell
				}
				path := a.displayPath(l.Path)
				if l.Name != "" {
					path += " (" + l.Name + ")"
				}
				t.add(cell{text: strconv.FormatInt(l.ID, 10), right: true}, cell{text: string(l.IndexMode)}, state,
					cell{text: groupDigits(l.TotalFileCount), right: true}, cell{text: humanSize(l.TotalByteSize), right: true}, cell{text: path, color: colBlue})
			}
			a.printTable(t)
			return nil
		},
	}
	rm := &cobra.Command{
		Use:     "rm ID|NAME|PATH",
		Aliases: []string{"remove"},
		Short:   "Forget a location's index (files on disk are never touched)",
		Example: `  filedex location rm 3
  filedex location rm photos
  filedex location rm ~/Pictures`,
		Args: argsRange(1, 1, "ID, NAME or PATH of a location"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return a.complete(cmd, func(ctx context.Context, eng bindings.Engine) ([]string, error) {
				locs, err := a.locations(ctx)
				var names []string
				for _, l := range locs {
					if l.Name != "" {
						names = append(names, l.Name)
					}
					names = append(names, l.Path)
				}
				return names, err
			}, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var ref bindings.LocationRef
			var mount []string
			if id, err := strconv.ParseInt(args[0], 10, 64); err == nil && id > 0 {
				ref.ID = id
			} else {
				p, err := filepath.Abs(args[0])
				if err != nil {
					return err
				}
				ref.Path = p
				mount = append(mount, p)
			}
			if _, err := a.open(ctx, mount...); err != nil {
				return err
			}
			if ref.Path != "" && !filepath.IsAbs(args[0]) && !strings.ContainsRune(args[0], filepath.Separator) {
				// A bare word names a location by its name first (location add --name),
				// then a directory of the working directory.
				locs, err := a.locations(ctx)
				if err != nil {
					return err
				}
				for _, l := range locs {
					if l.Name == args[0] {
						ref = bindings.LocationRef{ID: l.ID}
						break
					}
				}
			}
			if _, err := call[bindings.Removed](ctx, a, a.eng, "location.remove", ref); err != nil {
				return err
			}
			if a.json {
				return a.printJSON(bindings.Removed{Removed: true})
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Removed location %s from the index (files untouched).\n", args[0])
			}
			return nil
		},
	}
	cmd.AddCommand(add, list, rm)
	return cmd
}

// locations lists every location, following pages.
func (a *app) locations(ctx context.Context) ([]core.Location, error) {
	eng, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	var out []core.Location
	after := ""
	for {
		page, err := call[bindings.LocationList](ctx, a, eng, "location.list", bindings.LocationListParams{Page: core.Page{Limit: core.MaxLimit, After: after}})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Locations...)
		if page.Next == nil {
			break
		}
		after = *page.Next
	}
	if out == nil {
		out = []core.Location{}
	}
	return out, nil
}

// reachableLocations lists the paths of the locations a bare "filedex scan" rescans: every
// location whose directory is reachable now (an unplugged drive is skipped, with a note).
// The engine it opened to ask is closed again, so that the scan opens one with the
// locations mounted (--engine wasi).
func (a *app) reachableLocations(ctx context.Context) ([]string, error) {
	locs, err := a.locations(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.close(); err != nil {
		return nil, err
	}
	if len(locs) == 0 {
		return nil, usagef("no locations yet: give a PATH to scan (it becomes a location)")
	}
	var paths []string
	for _, l := range locs {
		if err := needDir(l.Path); err != nil {
			if !a.quiet && !a.json {
				fmt.Fprintf(a.stderr, "skipping location %d: %v\n", l.ID, err)
			}
			continue
		}
		paths = append(paths, l.Path)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no location is reachable now (filedex location list shows them)")
	}
	return paths, nil
}

// enclosingLocations replaces each path that lies inside a location (below its root) with
// that location's root, saying so: a scan indexes a location as a whole, and a location
// inside another is refused, so "scan /usr/local/go/src" within a /usr location rescans
// /usr. Duplicates are dropped. The engine opened to ask is closed again (see
// reachableLocations).
func (a *app) enclosingLocations(ctx context.Context, paths []string) ([]string, error) {
	locs, err := a.locations(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.close(); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		for _, l := range locs {
			if p != l.Path && strings.HasPrefix(p, strings.TrimSuffix(l.Path, string(filepath.Separator))+string(filepath.Separator)) {
				if !a.quiet && !a.json {
					fmt.Fprintf(a.stderr, "%s is inside the location %s: rescanning it\n", p, l.Path)
				}
				p = l.Path
				break
			}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// openWithLocations opens the engine so that every location is reachable:
// on the WASI engine, commands that read files of any location (resuming a
// scan, verifying duplicates) mount them all. The list comes from a first
// engine with only the library mounted.
func (a *app) openWithLocations(ctx context.Context, extra ...string) error {
	if a.engineName != "wasi" {
		_, err := a.open(ctx, extra...)
		return err
	}
	locs, err := a.locations(ctx)
	if err != nil {
		return err
	}
	if err := a.close(); err != nil {
		return err
	}
	paths := append([]string(nil), extra...)
	for _, l := range locs {
		if needDir(l.Path) == nil { // an unreachable location cannot be mounted
			paths = append(paths, l.Path)
		}
	}
	_, err = a.open(ctx, paths...)
	return err
}
