package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Versions of filedex, SQLite and the schema",
		Example: `  filedex version`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// No library is opened: version must work anywhere, including
			// where the default library cannot be created.
			v := struct {
				Filedex  string `json:"filedex"`
				SQLite   string `json:"sqlite"`
				Schema   int    `json:"schema"`
				Go       string `json:"go"`
				Platform string `json:"platform"`
			}{bindings.Version, core.SQLiteVersion(), migrations.Latest(), runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
			if a.json {
				return a.printJSON(v)
			}
			fmt.Fprintf(a.stdout, "filedex %s\nSQLite  %s\nschema  %d\n%s %s\n", v.Filedex, v.SQLite, v.Schema, v.Go, v.Platform)
			return nil
		},
	}
}
