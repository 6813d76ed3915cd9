package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// scanSlice is the time budget of one location.scan / job.run call. Between
// calls the CLI redraws progress and checks for Ctrl-C; on the WASI engine,
// which runs one call at a time, the slices are what keep it responsive.
// 200 ms: five redraws a second, and slices long enough that their fixed cost
// (re-reading the job, resuming the walk) stays small.
var scanSlice = sliceFromEnv()

// sliceFromEnv reads FILEDEX_SCAN_SLICE_MS, a knob for tests and
// measurements: tiny slices make a scan of a small tree long enough to
// interrupt, and 0 runs each scan as one call (no slicing), the baseline the
// slicing overhead is measured against.
func sliceFromEnv() time.Duration {
	if v, err := strconv.Atoi(os.Getenv("FILEDEX_SCAN_SLICE_MS")); err == nil && v >= 0 {
		return time.Duration(v) * time.Millisecond
	}
	return 200 * time.Millisecond
}

func (a *app) scanCommand() *cobra.Command {
	var mode string
	var ignore []string
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Index directories (adding each as a location if it is not one)",
		Long: `Scan adds each PATH as a location if it is not one yet, then indexes it: new,
changed, moved and deleted files are recorded. A rescan only writes what
changed. Progress is shown on a terminal; Ctrl-C pauses the scan cleanly and
'filedex jobs resume' continues it where it stopped.

Modes: metadata (names, sizes, times), content (also content ids, for
duplicates), deep (also full-content hashes and media data).`,
		Example: `  filedex scan ~/Documents
  filedex scan --mode metadata /srv/archive --ignore '*.tmp' --ignore node_modules
  filedex --json scan . | jq .summary`,
		Args:              argsRange(1, -1, "PATH (a directory to index)"),
		ValidArgsFunction: dirCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if mode != "" && !core.IndexMode(mode).Valid() {
				return usagef("--mode must be metadata, content or deep, not %q", mode)
			}
			paths, err := a.absPaths(args)
			if err != nil {
				return err
			}
			for _, p := range paths {
				if err := needDir(p); err != nil {
					return err
				}
			}
			return a.scan(cmd.Context(), paths, core.IndexMode(mode), ignore)
		},
	}
	cmd.Flags().StringVar(&mode, "mode", "", "index mode: metadata, content or deep (default: the location's, content for a new one)")
	cmd.Flags().StringArrayVar(&ignore, "ignore", nil, "skip names matching this glob (repeatable)")
	cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"metadata", "content", "deep"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// needDir checks that p is an existing directory, with a one-line message
// naming the problem otherwise.
func needDir(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return notFoundf("%s: no such file or directory", p)
	case errors.Is(err, os.ErrPermission):
		return invalidf("%s: permission denied", p)
	case err != nil:
		return err
	case !fi.IsDir():
		return invalidf("%s is a file, not a directory", p)
	}
	return nil
}

// scanParams are location.scan's params as the CLI sends them.
type scanParams struct {
	Path     string         `json:"path"`
	Mode     core.IndexMode `json:"mode,omitempty"`
	Ignore   []string       `json:"ignore,omitempty"`
	BudgetMS int64          `json:"budget_ms"`
}

type jobRunParams struct {
	ID       int64 `json:"id"`
	BudgetMS int64 `json:"budget_ms,omitempty"`
}

// scanOutput is scan's --json document (INTERFACES.md).
type scanOutput struct {
	Locations []core.Location `json:"locations"`
	Summary   scanTotals      `json:"summary"`
}

// scanTotals sums the summaries of the scanned locations.
type scanTotals struct {
	Added        int64    `json:"added"`
	Updated      int64    `json:"updated"`
	Moved        int64    `json:"moved"`
	Removed      int64    `json:"removed"`
	Files        int64    `json:"files"`
	Dirs         int64    `json:"dirs"`
	Bytes        int64    `json:"bytes"`
	Seconds      float64  `json:"seconds"`
	Warnings     []string `json:"warnings"`
	WarningCount int64    `json:"warning_count"`
}

func (t *scanTotals) add(s core.ScanSummary) {
	t.Added += s.Added
	t.Updated += s.Updated
	t.Moved += s.Moved
	t.Removed += s.Removed
	t.Files += s.Files
	t.Dirs += s.Dirs
	t.Bytes += s.Bytes
	t.Seconds += s.Seconds
	t.Warnings = append(t.Warnings, s.Warnings...)
	t.WarningCount += max(s.WarningCount, int64(len(s.Warnings)))
}

func (a *app) scan(ctx context.Context, paths []string, mode core.IndexMode, ignore []string) error {
	eng, err := a.open(ctx, paths...)
	if err != nil {
		return err
	}
	intr := a.catchInterrupt()
	defer intr.stop()
	out := scanOutput{Locations: []core.Location{}, Summary: scanTotals{Warnings: []string{}}}
	for _, p := range paths {
		bar := a.newScanBar("scan " + a.displayPath(p))
		res, err := call[core.ScanResult](ctx, a, eng, "location.scan", scanParams{Path: p, Mode: mode, Ignore: ignore, BudgetMS: scanSlice.Milliseconds()})
		if err == nil {
			res, err = a.driveScan(ctx, eng, res, bar, intr)
		}
		bar.clear()
		if err != nil {
			return err
		}
		out.Locations = append(out.Locations, res.Location)
		out.Summary.add(res.Summary)
		if !a.json && !a.quiet {
			a.printScanSummary(p, res)
		}
	}
	if a.json {
		return a.printJSON(out)
	}
	if !a.quiet {
		a.printWarnings(out.Summary.Warnings, out.Summary.WarningCount)
	}
	return nil
}

// driveScan continues a scan slice by slice until it is done, drawing
// progress between slices. After Ctrl-C it stops at the end of the current
// slice: the job is then paused (each slice ends paused), and the error says
// how to resume it.
func (a *app) driveScan(ctx context.Context, eng bindings.Engine, res core.ScanResult, bar *scanBar, intr *interrupt) (core.ScanResult, error) {
	for !res.Done {
		bar.update(res.Progress)
		if intr.fired() {
			bar.clear()
			return res, &interruptedError{job: res.Job.ID, path: res.Location.Path}
		}
		var err error
		res, err = call[core.ScanResult](ctx, a, eng, "job.run", jobRunParams{ID: res.Job.ID, BudgetMS: scanSlice.Milliseconds()})
		if err != nil {
			return res, err
		}
	}
	bar.update(res.Progress)
	return res, nil
}

// interruptedError reports a scan paused by Ctrl-C.
type interruptedError struct {
	job  int64
	path string
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("interrupted: the scan of %s is paused as job %d; continue it with: filedex jobs resume %d", e.path, e.job, e.job)
}

// interrupt turns the first SIGINT into a flag the scan loop polls; a second
// SIGINT gets the default behaviour (the process ends at once), for a user
// who does not want to wait for the slice to finish.
type interrupt struct {
	ch   chan os.Signal
	flag atomic.Bool
	done chan struct{}
}

func (a *app) catchInterrupt() *interrupt {
	in := &interrupt{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt)
	go func() {
		select {
		case <-in.ch:
			in.flag.Store(true)
			signal.Stop(in.ch)
			if a.showProgress() {
				fmt.Fprint(a.stderr, "\r\x1b[Kstopping after the current step (Ctrl-C again to quit at once)…\n")
			}
		case <-in.done:
		}
	}()
	return in
}

func (in *interrupt) fired() bool { return in.flag.Load() }

func (in *interrupt) stop() {
	signal.Stop(in.ch)
	close(in.done)
}

// printScanSummary prints what one location's scan did.
func (a *app) printScanSummary(path string, res core.ScanResult) {
	s := res.Summary
	d := time.Duration(s.Seconds * float64(time.Second))
	fmt.Fprintf(a.stdout, "%s %s: %s, %s, %s in %s (%s)\n",
		a.paint(colGreen, "Indexed"), a.paint(colBold, a.displayPath(path)),
		plural(s.Files, "file", "files"), plural(s.Dirs, "directory", "directories"),
		humanSize(s.Bytes), humanDuration(d), rate(s.Files+s.Dirs, d))
	changes := []string{
		fmt.Sprintf("%s added", groupDigits(s.Added)),
		fmt.Sprintf("%s updated", groupDigits(s.Updated)),
		fmt.Sprintf("%s moved", groupDigits(s.Moved)),
		fmt.Sprintf("%s removed", groupDigits(s.Removed)),
	}
	fmt.Fprintf(a.stdout, "  %s\n", strings.Join(changes, " · "))
}

// maxShownWarnings is how many warnings a summary lists before counting the rest.
const maxShownWarnings = 5

func (a *app) printWarnings(ws []string, total int64) {
	if total == 0 {
		return
	}
	fmt.Fprintf(a.stdout, "%s\n", a.paint(colYell, plural(total, "warning:", "warnings:")))
	for i, w := range ws {
		if i == maxShownWarnings {
			break
		}
		fmt.Fprintf(a.stdout, "  %s\n", w)
	}
	if rest := total - int64(min(len(ws), maxShownWarnings)); rest > 0 {
		fmt.Fprintf(a.stdout, "  … and %s more (filedex --json jobs shows the first %d)\n", groupDigits(rest), 200)
	}
}
