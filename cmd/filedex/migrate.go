package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) migrateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Schema migrations: status, up, down, fresh",
		Long: `Opening a library applies pending migrations, so 'migrate up' is rarely
needed; 'migrate down' steps back for a downgrade, 'migrate fresh --yes'
recreates an empty schema (everything indexed is lost).`,
		Example: `  filedex migrate status
  filedex migrate down --steps 1
  filedex migrate fresh --yes`,
	}
	var to, steps int
	var yes bool
	status := &cobra.Command{
		Use:     "status",
		Short:   "Show applied and pending migrations",
		Example: `  filedex migrate status`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.simpleCall(cmd, "migrations.status", nil, "reading", func(raw json.RawMessage) {
				var r struct {
					Migrations []struct {
						Version int    `json:"version"`
						Name    string `json:"name"`
						Applied bool   `json:"applied"`
					} `json:"migrations"`
				}
				json.Unmarshal(raw, &r)
				t := &table{header: []cell{{text: "VERSION", right: true}, {text: "NAME"}, {text: "STATE"}}}
				for _, m := range r.Migrations {
					st := cell{text: "pending", color: colYell}
					if m.Applied {
						st = cell{text: "applied", color: colGreen}
					}
					t.add(cell{text: fmt.Sprint(m.Version), right: true}, cell{text: m.Name}, st)
				}
				a.printTable(t)
			})
		},
	}
	up := &cobra.Command{
		Use:     "up",
		Short:   "Apply pending migrations (up to --to N)",
		Example: `  filedex migrate up`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			params := map[string]any{}
			if to > 0 {
				params["to"] = to
			}
			return a.simpleCall(cmd, "migrations.up", params, "migrating", func(json.RawMessage) { fmt.Fprintln(a.stdout, "Schema up to date.") })
		},
	}
	up.Flags().IntVar(&to, "to", 0, "stop at this version")
	down := &cobra.Command{
		Use:     "down",
		Short:   "Roll back the last --steps migrations",
		Example: `  filedex migrate down --steps 1`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if steps < 1 {
				return usagef("--steps must be at least 1")
			}
			return a.simpleCall(cmd, "migrations.down", map[string]any{"steps": steps}, "migrating", func(json.RawMessage) {
				fmt.Fprintf(a.stdout, "Rolled back %s.\n", plural(int64(steps), "migration", "migrations"))
			})
		},
	}
	down.Flags().IntVar(&steps, "steps", 1, "how many migrations to roll back")
	fresh := &cobra.Command{
		Use:     "fresh",
		Short:   "Drop everything and recreate the schema (needs --yes)",
		Example: `  filedex migrate fresh --yes`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usagef("migrate fresh deletes the whole index: add --yes to confirm")
			}
			return a.simpleCall(cmd, "migrations.fresh", map[string]any{"force": true}, "migrating", func(json.RawMessage) {
				fmt.Fprintln(a.stdout, "Schema recreated; the library is empty.")
			})
		},
	}
	fresh.Flags().BoolVar(&yes, "yes", false, "confirm that the whole index is deleted")
	cmd.AddCommand(status, up, down, fresh)
	return cmd
}
