package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func (a *app) labelCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "label",
		Short: "Hierarchical labels: create, list, delete, add to and remove from files",
		Long: `Labels form a tree ("Work/Clients/Acme"). find --label Work finds files
labelled Work or anything below it.`,
		Example: `  filedex label create Work
  filedex label create Acme --parent Work
  filedex label add Work/Acme contract.pdf
  filedex find --label Work`,
	}
	var parent string
	create := &cobra.Command{
		Use:   "create NAME|PATH",
		Short: "Create a label (below --parent); a path A/B/C creates what is missing of it",
		Example: `  filedex label create Clients --parent Work
  filedex label create projects/go/stdlib`,
		Args: argsRange(1, 1, "a label NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			l, err := a.createLabelPath(ctx, eng, parent, args[0])
			if err != nil {
				return tagHint(err, "label", parent)
			}
			if a.json {
				return a.printJSON(l)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Created label %s.\n", a.paint(colBold, l.Path))
			}
			return nil
		},
	}
	create.Flags().StringVar(&parent, "parent", "", "the parent label (name or path A/B)")
	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Show the label tree with how many files carry each",
		Example: `  filedex label list`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			res, err := call[bindings.LabelList](ctx, a, eng, "label.list", bindings.NoParams{})
			if err != nil {
				return err
			}
			if res.Labels == nil {
				res.Labels = []core.Label{}
			}
			if a.json {
				return a.printJSON(res)
			}
			if len(res.Labels) == 0 {
				fmt.Fprintln(a.stdout, "No labels yet. Create one with: filedex label create NAME")
				return nil
			}
			t := &table{header: []cell{{text: "LABEL"}, {text: "FILES", right: true}}}
			for _, l := range res.Labels {
				t.add(cell{text: strings.Repeat("  ", l.Depth) + l.Name, color: colBold}, cell{text: groupDigits(l.Usage), right: true})
			}
			a.printTable(t)
			return nil
		},
	}
	del := a.deleteCommand("label", "Delete a label that has no sub-labels", "filedex label delete Work/Old")
	cmd.AddCommand(create, list, del,
		a.relationCommand("label", "add", "label.apply", "Label files (they must be indexed)", "filedex label add Work/Acme contract.pdf"),
		a.relationCommand("label", "remove", "label.remove", "Take a label off files", "filedex label remove Work/Acme contract.pdf"),
	)
	return cmd
}

// createLabelPath creates the label name below parent; a name holding '/' is a path, and
// its missing labels are created one level at a time, like mkdir -p (the hint of a failed
// "label add" suggests "label create A/B"). The existing labels of the path are kept; the
// last one must be new, as "label create" of an existing label is a conflict.
func (a *app) createLabelPath(ctx context.Context, eng bindings.Engine, parent, name string) (core.Label, error) {
	parts := strings.Split(strings.Trim(name, "/"), "/")
	if len(parts) == 1 || slices.Contains(parts, "") {
		return call[core.Label](ctx, a, eng, "label.create", bindings.LabelCreateParams{Name: name, ParentName: parent})
	}
	res, err := call[bindings.LabelList](ctx, a, eng, "label.list", bindings.NoParams{})
	if err != nil {
		return core.Label{}, err
	}
	exists := map[string]bool{}
	for _, l := range res.Labels {
		exists[l.Path] = true
	}
	path := parent
	var l core.Label
	for i, p := range parts {
		next := p
		if path != "" {
			next = path + "/" + p
		}
		if exists[next] && i < len(parts)-1 {
			path = next
			continue
		}
		if l, err = call[core.Label](ctx, a, eng, "label.create", bindings.LabelCreateParams{Name: p, ParentName: path}); err != nil {
			return core.Label{}, err
		}
		path = l.Path
	}
	return l, nil
}
