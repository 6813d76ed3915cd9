package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
	"github.com/filedex/filedex/core"
)

// A scan is one location.scan call. On the native engine it sends job.progress
// notifications, which draw the bar, and Ctrl-C or SIGTERM cancel the call's
// context, which pauses the scan at its next commit. The WASI engine delivers
// no notifications and cannot be cancelled mid-call without losing its
// instance, so there the CLI asks for slices of wasiSlice: between them it
// draws the bar and checks for a signal. The guest keeps the scanner alive
// between slices, so a continuation costs no more than the work it does.
// 200 ms: five redraws a second.
const wasiSlice = 200 * time.Millisecond

// scanSlice is the slice the CLI asks for on its engine: 0 (one call) natively,
// wasiSlice on WASI. FILEDEX_SCAN_SLICE_MS overrides it on both, for tests and
// measurements: tiny slices make a scan of a small tree long enough to
// interrupt, and 0 makes the WASI engine run a scan as one call.
func (a *app) scanSlice() time.Duration {
	if v, err := strconv.Atoi(os.Getenv("FILEDEX_SCAN_SLICE_MS")); err == nil && v >= 0 {
		return time.Duration(v) * time.Millisecond
	}
	if a.engineName == "wasi" {
		return wasiSlice
	}
	return 0
}

func (a *app) scanCommand() *cobra.Command {
	var mode string
	var ignore []string
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Index directories (adding each as a location if it is not one)",
		Long: `Scan adds each PATH as a location if it is not one yet, then indexes it: new,
changed, moved and deleted files are recorded. A rescan only writes what
changed. Without a PATH it rescans every location that is reachable; a PATH
inside a location rescans that location. Progress is shown on a terminal;
Ctrl-C (or SIGTERM) pauses the scan cleanly at its next commit and 'filedex
jobs resume' continues it where it stopped.

Modes: metadata (names, sizes, times), content (also content ids, for
duplicates), deep (also full-content hashes and media data).`,
		Example: `  filedex scan ~/Documents
  filedex scan --mode metadata /srv/archive --ignore '*.tmp' --ignore node_modules
  filedex --json scan . | jq .summary`,
		Args:              argsRange(0, -1, "PATH (a directory to index)"),
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
			if len(paths) == 0 {
				if paths, err = a.reachableLocations(cmd.Context()); err != nil {
					return err
				}
			} else if paths, err = a.enclosingLocations(cmd.Context(), paths); err != nil {
				return err
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

// scanOutput is scan's --json document (README, "--json").
type scanOutput struct {
	Locations []core.Location  `json:"locations"`
	Summary   core.ScanSummary `json:"summary"`
}

func (a *app) scan(ctx context.Context, paths []string, mode core.IndexMode, ignore []string) error {
	eng, err := a.open(ctx, paths...)
	if err != nil {
		return err
	}
	intr := a.catchInterrupt(ctx)
	defer intr.stop()
	out := scanOutput{Locations: []core.Location{}, Summary: core.ScanSummary{Warnings: []string{}}}
	for _, p := range paths {
		bar := a.newScanBar("scan " + a.displayPath(p))
		slice, progress := a.scanSlice(), a.wantProgress()
		res, err := call[core.ScanResult](a.scanCtx(ctx, intr, bar), a, eng, "location.scan", bindings.LocationScanParams{Path: p, Mode: mode, Ignore: ignore, BudgetMS: slice.Milliseconds(), Progress: progress})
		if err == nil {
			res, err = a.driveScan(ctx, eng, res, bar, intr)
		} else if intr.fired() {
			err = intr.error(0, p)
		}
		bar.clear()
		if err != nil {
			return err
		}
		out.Locations = append(out.Locations, res.Location)
		out.Summary.Add(res.Summary)
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

// wantProgress: whether to ask the engine for job.progress notifications:
// when a bar is drawn, on the native engine (the only one that delivers them;
// slices draw the bar on WASI).
func (a *app) wantProgress() bool {
	return a.showProgress() && a.engineName != "wasi" && a.scanSlice() == 0
}

// scanCtx is the context of a scan call: cancelled by Ctrl-C or SIGTERM (on
// the native engine; the WASI engine's calls are not cancellable, its slices
// end on their own), and delivering job.progress notifications to the bar.
func (a *app) scanCtx(ctx context.Context, intr *interrupt, bar *scanBar) context.Context {
	if a.engineName == "wasi" {
		return ctx
	}
	return bindings.WithNotify(intr.ctx, func(n []byte) {
		var m struct {
			Params core.ScanProgress `json:"params"`
		}
		if json.Unmarshal(n, &m) == nil {
			bar.update(m.Params)
		}
	})
}

// driveScan continues a scan until it is done: on the native engine the first
// call usually is the whole scan; on WASI it continues slice by slice, drawing
// progress between slices. After Ctrl-C or SIGTERM the scan stops at its next
// commit (natively) or at the end of the current slice: the job is then
// paused, and the error says how to resume it.
func (a *app) driveScan(ctx context.Context, eng bindings.Engine, res core.ScanResult, bar *scanBar, intr *interrupt) (core.ScanResult, error) {
	for !res.Done {
		bar.update(res.Progress)
		if intr.fired() {
			bar.clear()
			return res, intr.error(res.Job.ID, res.Location.Path)
		}
		next, err := call[core.ScanResult](a.scanCtx(ctx, intr, bar), a, eng, "job.run", bindings.JobRunParams{ID: res.Job.ID, BudgetMS: a.scanSlice().Milliseconds(), Progress: a.wantProgress()})
		if err != nil {
			if intr.fired() { // the signal cancelled the call before it reached the scan
				return res, intr.error(res.Job.ID, res.Location.Path)
			}
			return res, err
		}
		res = next
	}
	bar.update(res.Progress)
	return res, nil
}

// interruptedError reports a scan paused by Ctrl-C or SIGTERM. Its exit code
// is the shell's for the signal: 130 for SIGINT, 143 for SIGTERM.
type interruptedError struct {
	job  int64
	path string
	code int
}

func (e *interruptedError) Error() string {
	if e.job == 0 {
		return fmt.Sprintf("interrupted before the scan of %s started", e.path)
	}
	return fmt.Sprintf("interrupted: the scan of %s is paused as job %d; continue it with: filedex jobs resume %d", e.path, e.job, e.job)
}

// ExitCode is the process exit code for the error.
func (e *interruptedError) ExitCode() int { return e.code }

// interrupt turns the first SIGINT or SIGTERM into a flag the scan loop polls
// and the cancellation of ctx, which pauses a native scan at its next commit;
// a second SIGINT gets the default behaviour (the process ends at once), for
// a user who does not want to wait.
type interrupt struct {
	ch     chan os.Signal
	flag   atomic.Bool
	sig    atomic.Value // the os.Signal that fired
	done   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
}

func (a *app) catchInterrupt(parent context.Context) *interrupt {
	in := &interrupt{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	in.ctx, in.cancel = context.WithCancel(parent)
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-in.ch:
			in.sig.Store(sig)
			in.flag.Store(true)
			signal.Stop(in.ch)
			in.cancel()
			if a.showProgress() {
				fmt.Fprint(a.stderr, "\r\x1b[Kstopping after the current step (Ctrl-C again to quit at once)…\n")
			}
		case <-in.done:
		}
	}()
	return in
}

func (in *interrupt) fired() bool { return in.flag.Load() }

// error is the interruptedError for the signal that fired.
func (in *interrupt) error(job int64, path string) error {
	code := 130
	if s, _ := in.sig.Load().(os.Signal); s == syscall.SIGTERM {
		code = 143
	}
	return &interruptedError{job: job, path: path, code: code}
}

func (in *interrupt) stop() {
	signal.Stop(in.ch)
	close(in.done)
	in.cancel()
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
		fmt.Fprintf(a.stdout, "  … and %s more (filedex --json jobs shows the first %d)\n", groupDigits(rest), core.MaxWarnings)
	}
}
