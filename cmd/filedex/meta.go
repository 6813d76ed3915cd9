package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
)

func (a *app) metaCommand() *cobra.Command {
	var note, data string
	var fav, nofav, hid, nohid bool
	cmd := &cobra.Command{
		Use:   "meta PATH",
		Short: "Show or set a file's notes, favourite and hidden flags and custom data",
		Example: `  filedex meta report.pdf
  filedex meta report.pdf --favorite --note "final version"
  filedex meta report.pdf --data '{"client":"acme"}'
  filedex meta report.pdf --no-favorite --note ""`,
		Args: argsRange(1, 1, "a PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			set := bindings.MetadataSetParams{EntryRef: entryRef(p)}
			changed := false
			f := cmd.Flags()
			if f.Changed("note") {
				set.Notes, changed = &note, true
			}
			yes, no := true, false
			switch {
			case fav && nofav:
				return usagef("--favorite and --no-favorite exclude each other")
			case fav:
				set.Favorite, changed = &yes, true
			case nofav:
				set.Favorite, changed = &no, true
			}
			switch {
			case hid && nohid:
				return usagef("--hidden and --no-hidden exclude each other")
			case hid:
				set.Hidden, changed = &yes, true
			case nohid:
				set.Hidden, changed = &no, true
			}
			if f.Changed("data") {
				if !json.Valid([]byte(data)) {
					return usagef("--data must be a JSON object, e.g. '{\"client\":\"acme\"}'")
				}
				set.CustomData, changed = json.RawMessage(data), true
			}
			ctx := cmd.Context()
			eng, err := a.open(ctx, p)
			if err != nil {
				return err
			}
			var res bindings.EntryMetadata
			if changed {
				res, err = call[bindings.EntryMetadata](ctx, a, eng, "metadata.set", set)
			} else {
				res, err = call[bindings.EntryMetadata](ctx, a, eng, "metadata.get", set.EntryRef)
			}
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(res)
			}
			a.printMeta(res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&note, "note", "", "set the note (\"\" clears it)")
	f.BoolVar(&fav, "favorite", false, "mark as favourite")
	f.BoolVar(&nofav, "no-favorite", false, "unmark as favourite")
	f.BoolVar(&hid, "hidden", false, "mark as hidden")
	f.BoolVar(&nohid, "no-hidden", false, "unmark as hidden")
	f.StringVar(&data, "data", "", "set custom data: a JSON object (null clears it)")
	return cmd
}

func (a *app) printMeta(r bindings.EntryMetadata) {
	e := r.Entry
	out := a.stdout
	fmt.Fprintln(out, a.paint(colBold, e.Path))
	line := fmt.Sprintf("  %s, %s, modified %s", e.Kind, humanSize(e.Size), shortTime(e.ModifiedAt))
	if e.Content != nil {
		line += fmt.Sprintf(", content %s (%s)", e.Content.CasID, e.Content.Kind)
	}
	fmt.Fprintln(out, line)
	m := r.Metadata
	if m == nil {
		fmt.Fprintln(out, "  no user metadata")
		return
	}
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(out, "  favorite: %s   hidden: %s\n", yes[m.Favorite], yes[m.Hidden])
	if len(m.Tags) > 0 {
		fmt.Fprintf(out, "  tags:   %s\n", strings.Join(m.Tags, ", "))
	}
	if len(m.Labels) > 0 {
		fmt.Fprintf(out, "  labels: %s\n", strings.Join(m.Labels, ", "))
	}
	if m.Notes != "" {
		fmt.Fprintf(out, "  note:   %s\n", m.Notes)
	}
	if len(m.CustomData) > 0 {
		fmt.Fprintf(out, "  data:   %s\n", m.CustomData)
	}
}
