package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/filedex/filedex/bindings"

	"github.com/spf13/cobra"
)

// migrateResult is the part of migrations.up/down's result the human output shows.
type migrateResult struct {
	Current int `json:"current"`
	Latest  int `json:"latest"`
	Applied []struct {
		Version int    `json:"version"`
		Name    string `json:"name"`
	} `json:"applied"`
	RolledBack []struct {
		Version int    `json:"version"`
		Name    string `json:"name"`
	} `json:"rolled_back"`
}

// badTargetIsUsage makes a target the engine refuses (a version that does not exist or is
// already behind, more steps than applied) a usage error: the command line asked for it.
func badTargetIsUsage(err error) error {
	var re *rpcError
	if errors.As(err, &re) && re.Code == bindings.CodeInvalid {
		return usagef("%s", re.display())
	}
	return err
}

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
			var params bindings.MigrationsUpParams
			if cmd.Flags().Changed("to") {
				if to < 1 {
					return usagef("--to must be a migration version (1 or more)")
				}
				params.To = to
			}
			return badTargetIsUsage(a.simpleCall(cmd, "migrations.up", params, "migrating", func(raw json.RawMessage) {
				var r migrateResult
				json.Unmarshal(raw, &r)
				if len(r.Applied) == 0 {
					fmt.Fprintf(a.stdout, "Nothing to apply: the schema is at version %d.\n", r.Current)
					return
				}
				for _, m := range r.Applied {
					fmt.Fprintf(a.stdout, "Applied %04d_%s\n", m.Version, m.Name)
				}
				fmt.Fprintf(a.stdout, "Schema at version %d (newest known: %d).\n", r.Current, r.Latest)
			}))
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
			return badTargetIsUsage(a.simpleCall(cmd, "migrations.down", bindings.MigrationsDownParams{Steps: steps}, "migrating", func(raw json.RawMessage) {
				var r migrateResult
				json.Unmarshal(raw, &r)
				for _, m := range r.RolledBack {
					fmt.Fprintf(a.stdout, "Rolled back %04d_%s\n", m.Version, m.Name)
				}
				fmt.Fprintf(a.stdout, "Schema at version %d (newest known: %d).\n", r.Current, r.Latest)
			}))
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
			return a.simpleCall(cmd, "migrations.fresh", bindings.MigrationsFreshParams{Force: true}, "migrating", func(json.RawMessage) {
				fmt.Fprintln(a.stdout, "Schema recreated; the library is empty.")
			})
		},
	}
	fresh.Flags().BoolVar(&yes, "yes", false, "confirm that the whole index is deleted")
	cmd.AddCommand(status, up, down, fresh)
	return cmd
}
