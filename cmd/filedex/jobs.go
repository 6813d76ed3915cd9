package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

func (a *app) jobsCommand() *cobra.Command {
	var all bool
	listRun := func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		eng, err := a.open(ctx)
		if err != nil {
			return err
		}
		params := bindings.JobListParams{JobFilter: core.JobFilter{Active: !all}, Page: core.Page{Limit: 50}}
		res, err := call[bindings.JobList](ctx, a, eng, "job.list", params)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(res)
		}
		if len(res.Jobs) == 0 {
			if all {
				fmt.Fprintln(a.stdout, "No jobs.")
			} else {
				fmt.Fprintln(a.stdout, "No unfinished jobs (filedex jobs list --all shows finished ones).")
			}
			return nil
		}
		t := &table{header: []cell{{text: "ID", right: true}, {text: "KIND"}, {text: "STATUS"}, {text: "LOC", right: true}, {text: "UPDATED"}, {text: "PROGRESS"}}}
		for _, j := range res.Jobs {
			var p core.ScanProgress
			_ = jsonUnmarshal(j.Progress, &p)
			prog := ""
			if p.Files+p.Dirs > 0 {
				prog = fmt.Sprintf("%s files, %s", groupDigits(p.Files), humanSize(p.Bytes))
			}
			st := cell{text: string(j.Status)}
			switch j.Status {
			case core.JobFailed:
				st.color = colRed
			case core.JobPaused, core.JobRunning:
				st.color = colYell
			case core.JobCompleted:
				st.color = colGreen
			}
			t.add(cell{text: strconv.FormatInt(j.ID, 10), right: true}, cell{text: j.Kind}, st,
				cell{text: strconv.FormatInt(j.LocationID, 10), right: true}, cell{text: j.UpdatedAt.Local().Format(time.DateTime)}, cell{text: prog})
		}
		a.printTable(t)
		return nil
	}
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Persisted jobs: list, resume, cancel",
		Long: `Long operations (scans) run as persisted jobs. A scan stopped by Ctrl-C, a
crash or a reboot stays paused until 'filedex jobs resume' continues it.`,
		Example: `  filedex jobs
  filedex jobs resume
  filedex jobs cancel 7`,
		Args: argsRange(0, 0, "a subcommand: list, resume or cancel"),
		RunE: listRun,
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List unfinished jobs (--all: every job)",
		Example: `  filedex jobs list --all`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE:    listRun,
	}
	list.Flags().BoolVar(&all, "all", false, "include finished jobs")
	cmd.Flags().BoolVar(&all, "all", false, "include finished jobs")

	resume := &cobra.Command{
		Use:   "resume [ID]",
		Short: "Continue a paused job (all unfinished jobs when no ID is given)",
		Example: `  filedex jobs resume
  filedex jobs resume 7`,
		Args: argsRange(0, 1, "at most one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var ids []int64
			if len(args) == 1 {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || id <= 0 {
					return usagef("job ID must be a positive number, not %q", args[0])
				}
				ids = append(ids, id)
			}
			if err := a.openWithLocations(ctx); err != nil {
				return err
			}
			eng := a.eng
			if len(ids) == 0 {
				res, err := call[bindings.JobList](ctx, a, eng, "job.list", bindings.JobListParams{
					JobFilter: core.JobFilter{Active: true, Kind: core.JobKindScan}, Page: core.Page{Limit: 1000}})
				if err != nil {
					return err
				}
				for i := len(res.Jobs) - 1; i >= 0; i-- { // oldest first
					ids = append(ids, res.Jobs[i].ID)
				}
				if len(ids) == 0 {
					if a.json {
						return a.printJSON(scanOutput{Locations: []core.Location{}, Summary: core.ScanSummary{Warnings: []string{}}})
					}
					if !a.quiet {
						fmt.Fprintln(a.stdout, "Nothing to resume: no unfinished jobs.")
					}
					return nil
				}
			}
			intr := a.catchInterrupt(ctx)
			defer intr.stop()
			out := scanOutput{Locations: []core.Location{}, Summary: core.ScanSummary{Warnings: []string{}}}
			for _, id := range ids {
				bar := a.newScanBar("resume " + a.jobPath(ctx, id))
				res, err := call[core.ScanResult](a.scanCtx(ctx, intr, bar), a, eng, "job.resume", bindings.JobRunParams{ID: id, BudgetMS: a.scanSlice().Milliseconds(), Progress: a.wantProgress()})
				if err != nil {
					bar.clear()
					if intr.fired() {
						return intr.error(id, fmt.Sprintf("job %d", id))
					}
					return err
				}
				bar.label = "resume " + a.displayPath(res.Location.Path)
				res, err = a.driveScan(ctx, eng, res, bar, intr)
				bar.clear()
				if err != nil {
					return err
				}
				out.Locations = append(out.Locations, res.Location)
				out.Summary.Add(res.Summary)
				if !a.json && !a.quiet {
					a.printScanSummary(res.Location.Path, res)
				}
			}
			if a.json {
				return a.printJSON(out)
			}
			if !a.quiet {
				a.printWarnings(out.Summary.Warnings, out.Summary.WarningCount)
			}
			return nil
		},
	}
	cancel := &cobra.Command{
		Use:     "cancel ID",
		Short:   "Stop a job for good (what it indexed so far stays; the next scan reconciles)",
		Example: `  filedex jobs cancel 7`,
		Args:    argsRange(1, 1, "a job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("job ID must be a positive number, not %q", args[0])
			}
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			j, err := call[core.Job](ctx, a, eng, "job.cancel", bindings.JobRef{ID: id})
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(j)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Job %d %s.\n", j.ID, j.Status)
			}
			return nil
		},
	}
	cmd.AddCommand(list, resume, cancel)
	return cmd
}

// jobPath names a scan job's location for the progress bar (the call that
// resumes the job answers only when it is done): its path, or "job ID" when
// no bar is drawn or the job names no location.
func (a *app) jobPath(ctx context.Context, id int64) string {
	name := "job " + strconv.FormatInt(id, 10)
	if !a.showProgress() {
		return name
	}
	j, err := call[core.Job](ctx, a, a.eng, "job.get", bindings.JobRef{ID: id})
	if err != nil {
		return name
	}
	locs, err := a.locations(ctx)
	if err != nil {
		return name
	}
	for _, l := range locs {
		if l.ID == j.LocationID {
			return a.displayPath(l.Path)
		}
	}
	return name
}
