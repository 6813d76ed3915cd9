package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// The maintenance commands print whatever their method returns as JSON with
// --json; the human forms below name the fields they know and ignore others,
// so a method that grows a field does not break them.

// dbStats is db.stats' result.
type dbStats struct {
	Locations []struct {
		Path string `json:"path"`
	} `json:"locations"`
	FTSBytesPerEntry float64 `json:"fts_bytes_per_entry"`
	Objects          []struct {
		Name          string  `json:"name"`
		Bytes         int64   `json:"bytes"`
		BytesPerEntry float64 `json:"bytes_per_entry"`
	} `json:"objects"`
	Entries       int64   `json:"entries"`
	Files         int64   `json:"files"`
	Dirs          int64   `json:"dirs"`
	Symlinks      int64   `json:"symlinks"`
	IndexedBytes  int64   `json:"indexed_bytes"`
	DatabaseBytes int64   `json:"database_bytes"`
	WALBytes      int64   `json:"wal_bytes"`
	BytesPerEntry float64 `json:"bytes_per_entry"`
	Tags          int64   `json:"tags"`
	Labels        int64   `json:"labels"`
	SchemaVersion int     `json:"schema_version"`
	Path          string  `json:"path"`
}

type checkReport struct {
	OK       bool     `json:"ok"`
	Checks   []string `json:"checks"`
	Problems []struct {
		Check    string   `json:"check"`
		Message  string   `json:"message"`
		Count    int64    `json:"count"`
		Examples []string `json:"examples"`
	} `json:"problems"`
}

type backupResult struct {
	Path    string   `json:"path"`
	Size    int64    `json:"size"`
	Removed []string `json:"removed"`
}

func (a *app) maintCommands() []*cobra.Command {
	stats := &cobra.Command{
		Use:     "stats",
		Short:   "Library size: entries, database bytes, bytes per entry",
		Example: `  filedex stats`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			raw, err := call[json.RawMessage](ctx, a, eng, "db.stats", nil)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(raw)
			}
			var s dbStats
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			t := &table{}
			row := func(k, v string) { t.add(cell{text: k}, cell{text: v, right: true}) }
			row("library", a.displayPath(s.Path))
			row("locations", groupDigits(int64(len(s.Locations))))
			row("entries", groupDigits(s.Entries))
			row("  files", groupDigits(s.Files))
			row("  directories", groupDigits(s.Dirs))
			row("  symlinks", groupDigits(s.Symlinks))
			row("indexed data", humanSize(s.IndexedBytes))
			row("database", humanSize(s.DatabaseBytes))
			if s.WALBytes > 0 {
				row("  write-ahead log", humanSize(s.WALBytes))
			}
			row("bytes per entry", fmt.Sprintf("%.0f B (full-text index: %.0f B of it)", s.BytesPerEntry, s.FTSBytesPerEntry))
			// The largest tables and indexes: where the bytes per entry go.
			for i, o := range s.Objects {
				if i == 8 {
					break
				}
				row("  "+o.Name, fmt.Sprintf("%s  %.1f B/entry", humanSize(o.Bytes), o.BytesPerEntry))
			}
			row("tags / labels", fmt.Sprintf("%s / %s", groupDigits(s.Tags), groupDigits(s.Labels)))
			row("schema version", fmt.Sprint(s.SchemaVersion))
			a.printTable(t)
			return nil
		},
	}
	check := &cobra.Command{
		Use:     "check",
		Short:   "Check the library's integrity and filedex's own invariants",
		Example: `  filedex check`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			stop := a.spin("checking")
			raw, err := call[json.RawMessage](ctx, a, eng, "db.check", nil)
			stop()
			if err != nil {
				return err
			}
			var r checkReport
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if a.json {
				if err := a.printJSON(raw); err != nil {
					return err
				}
			} else {
				for _, p := range r.Problems {
					fmt.Fprintf(a.stdout, "%s %s: %s (%s)\n", a.paint(colRed, "✗"), p.Check, p.Message, groupDigits(p.Count))
					for _, ex := range p.Examples {
						fmt.Fprintf(a.stdout, "    %s\n", ex)
					}
				}
				if r.OK {
					fmt.Fprintf(a.stdout, "%s %d checks passed\n", a.paint(colGreen, "✓"), len(r.Checks))
				}
			}
			if !r.OK {
				return &silentError{msg: fmt.Sprintf("check found %d problem(s)", len(r.Problems))}
			}
			return nil
		},
	}
	optimize := &cobra.Command{
		Use:     "optimize",
		Short:   "Reclaim free space and refresh the query planner's statistics",
		Example: `  filedex optimize`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.simpleCall(cmd, "db.optimize", nil, "optimizing", func(raw json.RawMessage) {
				var r core.OptimizeReport
				json.Unmarshal(raw, &r)
				if r.SizeBefore > 0 {
					fmt.Fprintf(a.stdout, "Optimized: %s → %s\n", humanSize(r.SizeBefore), humanSize(r.SizeAfter))
				} else {
					fmt.Fprintln(a.stdout, "Optimized.")
				}
			})
		},
	}
	var keep int
	backup := &cobra.Command{
		Use:   "backup",
		Short: "Write a verified copy of the library to its backups/ directory",
		Example: `  filedex backup
  filedex backup --keep 5   # and delete all but the newest 5`,
		Args: argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keep < 0 {
				return usagef("--keep must not be negative")
			}
			return a.simpleCall(cmd, "db.backup", bindings.DBBackupParams{Keep: keep}, "backing up", func(raw json.RawMessage) {
				var r backupResult
				json.Unmarshal(raw, &r)
				fmt.Fprintf(a.stdout, "Backed up to %s (%s, verified)\n", a.displayPath(r.Path), humanSize(r.Size))
				if len(r.Removed) > 0 {
					fmt.Fprintf(a.stdout, "Deleted %s.\n", plural(int64(len(r.Removed)), "old backup", "old backups"))
				}
			})
		},
	}
	backup.Flags().IntVar(&keep, "keep", 0, "keep only the newest N backups")
	restore := &cobra.Command{
		Use:     "restore FILE",
		Short:   "Replace the library's database with a backup (the current one is kept aside)",
		Example: `  filedex restore ~/.local/share/filedex/default/backups/database_backup_20250101_120000.db`,
		Args:    argsRange(1, 1, "a backup FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			// A damaged database is the usual reason to restore: open it anyway.
			a.forRestore = true
			return a.simpleCall(cmd, "db.restore", bindings.DBRestoreParams{File: f}, "restoring", func(raw json.RawMessage) {
				fmt.Fprintf(a.stdout, "Restored from %s\n", a.displayPath(f))
			}, f)
		},
	}
	return []*cobra.Command{stats, check, optimize, backup, restore}
}

// simpleCall runs one long method with a spinner and prints its result.
func (a *app) simpleCall(cmd *cobra.Command, method string, params any, label string, human func(json.RawMessage), mounts ...string) error {
	ctx := cmd.Context()
	eng, err := a.open(ctx, mounts...)
	if err != nil {
		return err
	}
	stop := a.spin(label)
	raw, err := call[json.RawMessage](ctx, a, eng, method, params)
	stop()
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(raw)
	}
	if !a.quiet {
		human(raw)
	}
	return nil
}

// silentError fails the command (exit 1) after its output already said why.
type silentError struct{ msg string }

func (e *silentError) Error() string { return e.msg }
