package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) findCommand() *cobra.Command {
	var (
		name, text, kind, label, under string
		minSize, maxSize               string
		after, before                  string
		exts, tags                     []string
		favorite, hidden               bool
		pf                             pageFlags
		device                         string
	)
	cmd := &cobra.Command{
		Use:   "find [flags]",
		Short: "Search the index; prints absolute paths, one per line",
		Long: `Find searches every location of the library. All given filters must match.
It prints absolute paths, one per line (NUL-free, for xargs -d '\n'); --json
prints the entries with all their fields.

Sizes accept bytes or k, M, G, T (powers of 1024); times accept YYYY-MM-DD
(local midnight) or RFC 3339. --kind is file, directory or symlink, or a
content kind (image, video, audio, document, archive, …; needs a content scan).`,
		Example: `  filedex find --name '*.pdf' --under ~/Documents
  filedex find --text "tax 2024"
  filedex find --ext jpg --ext png --min-size 5M --modified-after 2024-01-01
  filedex find --tag important --kind document`,
		Args: argsRange(0, 0, "no arguments (use --name, --text, … to filter)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pf.check(); err != nil {
				return err
			}
			q := map[string]any{}
			set := func(k string, v any) { q[k] = v }
			if name != "" {
				set("name", name)
			}
			if text != "" {
				set("text", text)
			}
			if len(exts) > 0 {
				set("ext", exts)
			}
			switch strings.ToLower(kind) {
			case "":
			case "file", "directory", "symlink":
				set("kind", strings.ToLower(kind))
			case "dir":
				set("kind", "directory")
			default:
				set("content_kind", kind)
			}
			for _, s := range []struct {
				flag, key, v string
			}{{"--min-size", "min_size", minSize}, {"--max-size", "max_size", maxSize}} {
				if s.v == "" {
					continue
				}
				n, err := parseSize(s.v)
				if err != nil {
					return usagef("%s: %v", s.flag, err)
				}
				set(s.key, n)
			}
			for _, s := range []struct {
				flag, key, v string
			}{{"--modified-after", "modified_after", after}, {"--modified-before", "modified_before", before}} {
				if s.v == "" {
					continue
				}
				t, err := parseTime(s.v)
				if err != nil {
					return usagef("%s: %v", s.flag, err)
				}
				set(s.key, t.Format(time.RFC3339Nano))
			}
			if len(tags) > 0 {
				set("tags", tags)
			}
			if label != "" {
				set("label", label)
			}
			if cmd.Flags().Changed("favorite") {
				set("favorite", favorite)
			}
			if cmd.Flags().Changed("hidden") {
				set("hidden", hidden)
			}
			if device != "" {
				set("device", device)
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
				set("under", u)
				mounts = append(mounts, u)
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, mounts...)
			if err != nil {
				return err
			}
			page, err := a.fetchEntries(ctx, eng, "entry.find", q, pf)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(page)
			}
			for _, e := range page.Entries {
				fmt.Fprintln(a.stdout, entryDisplayPath(e))
			}
			a.printNext(cmd, page.Next)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "glob on the file name: '*.pdf', 'IMG_20??_*'")
	f.StringVar(&text, "text", "", "full-text search on names: all words, any order; 'rep*' is a prefix")
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
	pf.add(cmd)
	cmd.RegisterFlagCompletionFunc("under", dirCompletion)
	cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions([]string{"file", "directory", "symlink", "image", "video", "audio", "document", "archive", "text", "code"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
