package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func (a *app) tagCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tag",
		Short: "Tags: create, list, delete, add to and remove from files",
		Example: `  filedex tag create important --color '#d33682'
  filedex tag add important ~/Documents/taxes/*.pdf
  filedex find --tag important
  filedex tag list`,
	}
	var color, icon string
	create := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a tag",
		Example: `  filedex tag create important --color '#d33682' --icon star`,
		Args:    argsRange(1, 1, "a tag NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if color != "" && !core.ValidColor(color) {
				return usagef("--color must be #RRGGBB, not %q", color)
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			t, err := call[core.Tag](ctx, a, eng, "tag.create", map[string]any{"name": args[0], "color": color, "icon": icon})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(t)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Created tag %s.\n", a.paint(colBold, t.Name))
			}
			return nil
		},
	}
	create.Flags().StringVar(&color, "color", "", "colour as #RRGGBB")
	create.Flags().StringVar(&icon, "icon", "", "an icon name")

	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List tags with how many files carry each",
		Example: `  filedex tag list`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			var tags []core.Tag
			after := ""
			for {
				params := map[string]any{"limit": 1000}
				if after != "" {
					params["after"] = after
				}
				res, err := call[struct {
					Tags []core.Tag `json:"tags"`
					Next *string    `json:"next"`
				}](ctx, a, eng, "tag.list", params)
				if err != nil {
					return err
				}
				tags = append(tags, res.Tags...)
				if res.Next == nil {
					break
				}
				after = *res.Next
			}
			if tags == nil {
				tags = []core.Tag{}
			}
			if a.json {
				return a.printJSON(map[string]any{"tags": tags, "next": nil})
			}
			if len(tags) == 0 {
				fmt.Fprintln(a.stdout, "No tags yet. Create one with: filedex tag create NAME")
				return nil
			}
			t := &table{header: []cell{{text: "TAG"}, {text: "FILES", right: true}, {text: "COLOR"}}}
			for _, x := range tags {
				t.add(cell{text: x.Name, color: colBold}, cell{text: groupDigits(x.Usage), right: true}, cell{text: x.Color})
			}
			a.printTable(t)
			return nil
		},
	}
	del := a.deleteCommand("tag", "Delete a tag (files keep everything else)", "filedex tag delete old")
	cmd.AddCommand(create, list, del,
		a.relationCommand("tag", "add", "tag.apply", "Tag files (they must be indexed)", "filedex tag add important report.pdf notes/"),
		a.relationCommand("tag", "remove", "tag.remove", "Take a tag off files", "filedex tag remove important report.pdf"),
	)
	return cmd
}

// deleteCommand builds "tag delete" and "label delete".
func (a *app) deleteCommand(noun, short, example string) *cobra.Command {
	return &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   short,
		Example: "  " + example,
		Args:    argsRange(1, 1, "a "+noun+" NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			if _, err := call[bindings.Removed](ctx, a, eng, noun+".delete", map[string]any{"name": args[0]}); err != nil {
				return tagHint(err, noun, args[0])
			}
			if a.json {
				return a.printJSON(map[string]any{"removed": true})
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Deleted %s %s.\n", noun, args[0])
			}
			return nil
		},
	}
}

// relationCommand builds "tag add", "tag remove", "label add" and "label
// remove": NAME then PATH..., one method call for all paths.
func (a *app) relationCommand(noun, verb, method, short, example string) *cobra.Command {
	return &cobra.Command{
		Use:     verb + " NAME PATH...",
		Short:   short,
		Example: "  " + example,
		Args:    argsRange(2, -1, fmt.Sprintf("a %s NAME and at least one PATH", noun)),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			paths, err := a.absPaths(args[1:])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, paths...)
			if err != nil {
				return err
			}
			res, err := call[bindings.Changed](ctx, a, eng, method, map[string]any{"name": name, "paths": paths})
			if err != nil {
				return tagHint(err, noun, name)
			}
			if a.json {
				return a.printJSON(res)
			}
			if !a.quiet {
				past := map[string]string{"add": "now carr", "remove": "no longer carr"}[verb]
				if res.Changed == 1 {
					past += "ies"
				} else {
					past += "y"
				}
				fmt.Fprintf(a.stdout, "%s %s %s %s.\n", plural(int64(res.Changed), "file", "files"), past, noun, a.paint(colBold, name))
			}
			return nil
		},
	}
}

// tagHint adds the way out to "no tag named x" and "no label named x".
func tagHint(err error, noun, name string) error {
	var re *rpcError
	if errors.As(err, &re) && re.Code == bindings.CodeNotFound && strings.Contains(re.Message, "no "+noun+" named") {
		re.Message = fmt.Sprintf("no %s named %s (create it with: filedex %s create %s)", noun, strconv.Quote(name), noun, shellQuote(name))
	}
	return err
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./@%+=:,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var _ = context.Background
