package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

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
		Use:   "create NAME",
		Short: "Create a label (below --parent)",
		Example: `  filedex label create Clients --parent Work
  filedex label create 2024 --parent Work/Clients`,
		Args: argsRange(1, 1, "a label NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			params := map[string]any{"name": args[0]}
			if parent != "" {
				params["parent"] = parent
			}
			l, err := call[core.Label](ctx, a, eng, "label.create", params)
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
			res, err := call[struct {
				Labels []core.Label `json:"labels"`
			}](ctx, a, eng, "label.list", nil)
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
