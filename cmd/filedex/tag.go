package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
			t, err := call[core.Tag](ctx, a, eng, "tag.create", bindings.TagCreateParams{Name: args[0], Color: color, Icon: icon})
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
			tags, err := a.allTags(ctx, eng)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(bindings.TagList{Tags: tags})
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
		ValidArgsFunction: a.nameCompletion(noun),
		Use:               "delete NAME",
		Aliases:           []string{"rm"},
		Short:             short,
		Example:           "  " + example,
		Args:              argsRange(1, 1, "a "+noun+" NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			if _, err := call[bindings.Removed](ctx, a, eng, noun+".delete", bindings.TagRef{Name: args[0]}); err != nil {
				return tagHint(err, noun, args[0])
			}
			if a.json {
				return a.printJSON(bindings.Removed{Removed: true})
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
	names := a.nameCompletion(noun)
	return &cobra.Command{
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return names(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveDefault // paths
		},
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
			params := bindings.TagApplyParams{Name: name}
			for _, p := range paths {
				if text, b64 := pathArg(p); b64 != "" {
					params.PathsB64 = append(params.PathsB64, b64)
				} else {
					params.Paths = append(params.Paths, text)
				}
			}
			res, err := call[bindings.Changed](ctx, a, eng, method, params)
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

// nameCompletion completes the first argument with tag or label names.
func (a *app) nameCompletion(noun string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if noun == "label" {
			return a.labelCompletion(cmd, args, toComplete)
		}
		return a.tagCompletion(cmd, args, toComplete)
	}
}

// allTags reads every tag, page by page (a library holds few).
func (a *app) allTags(ctx context.Context, eng bindings.Engine) ([]core.Tag, error) {
	tags := []core.Tag{}
	p := core.Page{Limit: core.MaxLimit}
	for {
		res, err := call[bindings.TagList](ctx, a, eng, "tag.list", p)
		if err != nil {
			return nil, err
		}
		tags = append(tags, res.Tags...)
		if res.Next == nil {
			return tags, nil
		}
		p.After = *res.Next
	}
}

// tagCompletion completes tag names from the library (nothing when it cannot be read).
func (a *app) tagCompletion(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.complete(cmd, func(ctx context.Context, eng bindings.Engine) ([]string, error) {
		tags, err := a.allTags(ctx, eng)
		var names []string
		for _, t := range tags {
			names = append(names, t.Name)
		}
		return names, err
	}, toComplete)
}

// labelCompletion completes label paths ("Work/Clients") from the library.
func (a *app) labelCompletion(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.complete(cmd, func(ctx context.Context, eng bindings.Engine) ([]string, error) {
		res, err := call[bindings.LabelList](ctx, a, eng, "label.list", bindings.NoParams{})
		var names []string
		for _, l := range res.Labels {
			names = append(names, l.Path)
		}
		return names, err
	}, toComplete)
}

// complete runs a completion query against the library the command line names. A library
// that does not exist yet is not created for it.
func (a *app) complete(cmd *cobra.Command, names func(context.Context, bindings.Engine) ([]string, error), toComplete string) ([]string, cobra.ShellCompDirective) {
	dir, err := a.libraryDir()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if _, err := os.Stat(filepath.Join(dir, "database.db")); err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	eng, err := a.open(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	all, _ := names(ctx, eng)
	var out []string
	for _, n := range all {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
