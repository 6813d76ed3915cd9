package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ncruces/go-sqlite3"
	"os"
	"sync"
	"time"

	"github.com/filedex/filedex/core/internal/walk"
)

// ScanOptions configure [Library.Scan] and [Library.RunScanJob]. The zero value runs a scan
// to completion in the location's index mode.
type ScanOptions struct {
	// Mode overrides the location's index mode for this scan (and becomes its mode).
	Mode IndexMode
	// Budget > 0 makes the call return after about that long with the job paused and its
	// checkpoint saved; calling again continues it. Single-threaded hosts (WASI) use it to
	// stay responsive and draw progress between slices. The scanner stays alive between
	// such calls (scan_live.go), so a continuation costs no more than the work it does.
	// Callers that can receive Progress run the scan as one call instead.
	Budget time.Duration
	// Workers bounds the goroutines that read directories and hash files; 0 picks a default.
	Workers int
	// Progress, if set, is called from the scanning goroutine at most every 100 ms and once
	// at the end of each call.
	Progress func(ScanProgress)
}

// ScanProgress is a scan's progress, as events for Go callers and as job.progress for every
// transport.
type ScanProgress struct {
	JobID int64  `json:"job_id"`
	Phase string `json:"phase"` // "discovery", "finalize", "done"
	// Seen on disk so far.
	Dirs     int64 `json:"dirs"`
	Files    int64 `json:"files"`
	Symlinks int64 `json:"symlinks"`
	Bytes    int64 `json:"bytes"`
	// Total is the number of entries the location had after its previous scan: an estimate
	// of this scan's total, 0 when unknown (a first scan).
	Total int64 `json:"total"`
	// Changes written so far.
	Added   int64 `json:"added"`
	Updated int64 `json:"updated"`
	Moved   int64 `json:"moved"`
	Removed int64 `json:"removed"`
	// Content identification.
	Hashed      int64  `json:"hashed"`
	HashedBytes int64  `json:"hashed_bytes"`
	Warnings    int64  `json:"warnings"`
	CurrentPath string `json:"current_path"`
	ElapsedMS   int64  `json:"elapsed_ms"`
}

// Entries seen so far (directories, files and symlinks).
func (p ScanProgress) Entries() int64 { return p.Dirs + p.Files + p.Symlinks }

// ScanSummary is what a finished scan did.
type ScanSummary struct {
	Added    int64    `json:"added"`
	Updated  int64    `json:"updated"`
	Moved    int64    `json:"moved"`
	Removed  int64    `json:"removed"`
	Files    int64    `json:"files"`
	Dirs     int64    `json:"dirs"`
	Bytes    int64    `json:"bytes"`
	Seconds  float64  `json:"seconds"`
	Warnings []string `json:"warnings"`
	// WarningCount counts all warnings; Warnings keeps the first MaxWarnings.
	WarningCount int64 `json:"warning_count"`
}

// Add sums o into s: the totals of several scans (the CLI's scan of many paths).
func (s *ScanSummary) Add(o ScanSummary) {
	s.Added += o.Added
	s.Updated += o.Updated
	s.Moved += o.Moved
	s.Removed += o.Removed
	s.Files += o.Files
	s.Dirs += o.Dirs
	s.Bytes += o.Bytes
	s.Seconds += o.Seconds
	s.Warnings = append(s.Warnings, o.Warnings...)
	s.WarningCount += max(o.WarningCount, int64(len(o.Warnings)))
}

// ScanResult is where a scan stands after a call: Done, or paused with its job resumable.
type ScanResult struct {
	Job      Job          `json:"job"`
	Location Location     `json:"location"`
	Progress ScanProgress `json:"progress"`
	Summary  ScanSummary  `json:"summary"`
	Done     bool         `json:"done"`
}

const (
	// JobKindScan is the kind of scan jobs.
	JobKindScan = "scan"
	// MaxWarnings is how many warnings a scan keeps (in its job and its summary); the rest
	// are only counted in ScanSummary.WarningCount.
	MaxWarnings = 200
	// A write transaction commits after this many changed rows or this long, whichever
	// comes first: large enough to amortize the commit (every commit writes each page it
	// dirtied to the WAL, and the name index's inserts dirty pages all over it), small
	// enough that readers see progress, other writers wait little and a crash loses little.
	// 2000 rows / 300 ms before; 20000 / 1 s measured with the scan pragmas in scan_writer.go.
	txMaxChanges = 20000
	txMaxAge     = time.Second
)

// scanCheckpoint is a scan job's persisted state. It is written in the same transaction as
// the rows it describes, so after a crash it never claims more than what was committed.
type scanCheckpoint struct {
	Mode  IndexMode `json:"mode"`
	Phase string    `json:"phase"`
	// After is the walk position (walk.CompareOrder) of the last directory whose batch is
	// committed; nil before the first.
	After *string `json:"after"`
	// StartMaxID: entries with a larger id were inserted by this scan. Finalize matches
	// them with displaced rows to recognise moves.
	StartMaxID int64 `json:"start_max_id"`
	// FirstScan: the location held only its root when the scan began; nothing can have
	// moved, so the scan skips move detection and reading existing children.
	FirstScan bool         `json:"first_scan"`
	Progress  ScanProgress `json:"progress"`
	Warnings  []string     `json:"warnings"`
	// Orphans are content ids that lost an entry in this scan; finalize deletes those no
	// entry refers to any more. OrphansOverflow: too many to list, sweep them all.
	Orphans         []int64 `json:"orphans,omitempty"`
	OrphansOverflow bool    `json:"orphans_overflow,omitempty"`
}

const maxOrphanCandidates = 10000

func (s *scanner) orphanCandidate(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ck.Orphans) < maxOrphanCandidates {
		s.ck.Orphans = append(s.ck.Orphans, id)
	} else {
		s.ck.OrphansOverflow = true
	}
}

// sweepOrphans deletes, in the transaction about to commit, the content identities that
// lost their last entry since the previous commit (a file edited to new content, typically).
// Left for finalize, they outlived a SIGKILL and Check reported them: `make soak` found
// 2,386 after a rescan killed at its first commit. entry_count is kept by migration 0003's
// triggers (and verified by Check), so each candidate costs one rowid lookup. Content a
// later batch of the same scan needs again is upserted by that batch (insertContent).
func (s *scanner) sweepOrphans(c *sqlite3.Conn) error {
	s.mu.Lock()
	ids, overflow := s.ck.Orphans, s.ck.OrphansOverflow
	s.ck.Orphans, s.ck.OrphansOverflow = nil, false
	s.mu.Unlock()
	if overflow {
		return s.w.exec(c, `DELETE FROM content_identity WHERE entry_count = 0`)
	}
	for _, id := range ids {
		if err := s.w.exec(c, `DELETE FROM content_identity WHERE id = ? AND entry_count = 0`, id); err != nil {
			return err
		}
	}
	return nil
}

// Scan indexes a location: walks it, records new, modified, moved and deleted entries, and
// (content and deep modes) identifies file content. An unfinished scan job of the location
// (paused, or interrupted by a crash) is continued rather than started over.
func (l *Library) Scan(ctx context.Context, locationID int64, opts ScanOptions) (ScanResult, error) {
	const op = "location.scan"
	if opts.Mode != "" && !opts.Mode.Valid() {
		return ScanResult{}, errInvalid(op, "mode", "must be metadata, content or deep, not %q", opts.Mode)
	}
	loc, err := l.Locations().Get(ctx, locationID)
	if err != nil {
		return ScanResult{}, err
	}
	if loc.DeviceID != l.deviceID {
		return ScanResult{}, errInvalid(op, "id", "location %d belongs to another device", locationID)
	}
	// Before the job is looked up or created: two scans starting together would otherwise
	// both find no job, create one each and write the same rows.
	release, err := l.claimLocationScan(ctx, op, loc)
	if err != nil {
		return ScanResult{}, err
	}
	defer release()
	jobs, _, err := l.Jobs().List(ctx, JobFilter{Kind: JobKindScan, LocationID: locationID, Active: true}, Page{Limit: 1})
	if err != nil {
		return ScanResult{}, err
	}
	var job Job
	if len(jobs) > 0 {
		job = jobs[0]
	} else {
		mode := opts.Mode
		if mode == "" {
			mode = loc.IndexMode
		}
		job, err = l.Jobs().Create(ctx, JobInput{Kind: JobKindScan, LocationID: locationID, Params: map[string]any{"location_id": locationID, "mode": mode}})
		if err != nil {
			return ScanResult{}, err
		}
	}
	return l.runScanJob(ctx, job.ID, opts, true)
}

// RunScanJob continues a scan job: after a pause, a budget slice, or a crash. A scan of the
// job's location running elsewhere (another process or Library value) is left alone: the
// call fails with ErrConflict.
func (l *Library) RunScanJob(ctx context.Context, jobID int64, opts ScanOptions) (ScanResult, error) {
	return l.runScanJob(ctx, jobID, opts, false)
}

func (l *Library) runScanJob(ctx context.Context, jobID int64, opts ScanOptions, claimed bool) (ScanResult, error) {
	const op = "job.run"
	// A scanner parked by an earlier budgeted call continues if the job is still as it
	// left it; otherwise (finished, cancelled or continued elsewhere) it is dropped.
	ls := l.live.take(jobID)
	defer func() {
		if ls != nil {
			ls.stop()
		}
	}()
	job, err := l.Jobs().Get(ctx, jobID)
	if err != nil {
		return ScanResult{}, err
	}
	if job.Kind != JobKindScan {
		return ScanResult{}, errInvalid(op, "id", "job %d is a %s job, not a scan", jobID, job.Kind)
	}
	if job.Status.Finished() {
		return ScanResult{}, errConflict(op, fmt.Sprintf("job %d is %s", jobID, job.Status))
	}
	loc, err := l.Locations().Get(ctx, job.LocationID)
	if err != nil {
		return ScanResult{}, err
	}
	if !claimed {
		release, err := l.claimLocationScan(ctx, op, loc)
		if err != nil {
			return ScanResult{}, err
		}
		defer release()
		// The job may have finished while the claim was held elsewhere.
		if job, err = l.Jobs().Get(ctx, jobID); err != nil {
			return ScanResult{}, err
		}
		if job.Status.Finished() {
			return ScanResult{}, errConflict(op, fmt.Sprintf("job %d is %s", jobID, job.Status))
		}
	}
	if ls != nil {
		if ls.usable(job, loc, opts) {
			live := ls
			ls = nil
			return l.continueLive(ctx, live, opts)
		}
		ls.stop()
		ls = nil
	}
	s := &scanner{l: l, job: job, loc: loc, opts: opts, start: time.Now(), clockStart: l.now()}
	if err := s.init(ctx); err != nil {
		return ScanResult{}, err
	}
	if testHookScanStart != nil {
		testHookScanStart()
	}
	if opts.Budget > 0 {
		return l.startLive(ctx, s)
	}
	return s.run(ctx)
}

// testHookScanStart, set by tests, counts scanners started (each one walks from its
// checkpoint, with a new writer).
var testHookScanStart func()

// CancelJob stops a job for good. A cancelled scan leaves what it committed in the index;
// the next scan of the location starts over and reconciles it.
func (l *Library) CancelJob(ctx context.Context, jobID int64) (Job, error) {
	const op = "job.cancel"
	job, err := l.Jobs().Get(ctx, jobID)
	if err != nil {
		return Job{}, err
	}
	if job.Status.Finished() {
		return Job{}, errConflict(op, fmt.Sprintf("job %d is already %s", jobID, job.Status))
	}
	if ls := l.live.take(jobID); ls != nil {
		ls.stop()
	}
	err = l.update(ctx, op, func(tx *sql.Tx) error {
		st := JobCancelled
		if err := updateJob(ctx, tx, l, op, jobID, JobUpdate{Status: &st}); err != nil {
			return err
		}
		if job.Kind == JobKindScan && job.LocationID != 0 {
			_, err := tx.ExecContext(ctx, `UPDATE locations SET scan_state = 'pending', updated_at = ? WHERE id = ? AND scan_state IN ('scanning', 'paused')`,
				ms(l.now()), job.LocationID)
			return err
		}
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	return l.Jobs().Get(ctx, jobID)
}

// scanner is one call's worth of a scan job.
type scanner struct {
	l          *Library
	job        Job
	loc        Location
	opts       ScanOptions
	ck         scanCheckpoint
	start      time.Time
	clockStart time.Time
	prior      int64 // elapsed ms of earlier calls

	w      *writer
	walker *walk.Walker

	// Move detection, rescans only. Displaced rows (their name vanished from their directory,
	// or it now holds another inode) are renamed "/<id>" until finalize; these maps find them
	// by inode when their inode shows up at a new name later in the walk.
	displacedDirs  map[uint64]int64
	displacedFiles map[uint64]int64
	dirIno         map[uint64]int64 // every directory of the location by inode; built on first need

	pending []pendingRow // rows queued by insertRow, written by flushInserts
	// contentRows is insertContent's reused list of the identities it writes.
	contentRows []*hashJob
	// Listing digests of written directories waiting to be stored (scan_digest.go).
	digests   []dirDigest
	digestBuf []byte
	leftover  int // displaced rows the last apply left in its directory
	known     map[int64]knownDigest
	now       time.Time // the clock at the current directory batch

	// Content identified ahead (first scans in content modes): directories taken from the
	// walk, in walk order, whose files the pipe is identifying; queued counts their files.
	pipe    *hashPipe
	queue   []*dirBatch
	queued  int
	subdirs map[string]int64 // rows of subdirectories whose batches are still to come

	lastProgress time.Time
	mu           sync.Mutex // guards warnings appended from hashing goroutines

	// Budgeted scans (scan_live.go): the parked scanner's handle, the function that stops
	// the served call's context from cancelling the scan, and the checkpoint of the last pause.
	live     *liveScan
	unwatch  func() bool
	pausedCk []byte
}

// resetClock starts a new slice: its budget, and the elapsed time reported, which counts
// the time spent in calls, not the time parked between them.
func (s *scanner) resetClock() {
	s.start, s.clockStart = time.Now(), s.l.now()
	s.prior = s.ck.Progress.ElapsedMS
}

func (s *scanner) init(ctx context.Context) error {
	if len(s.job.Checkpoint) > 0 {
		if err := json.Unmarshal(s.job.Checkpoint, &s.ck); err != nil {
			return &Error{Op: "job.run", Err: fmt.Errorf("%w: corrupt scan checkpoint: %w", ErrInternal, err)}
		}
	} else {
		var params struct {
			Mode IndexMode `json:"mode"`
		}
		json.Unmarshal(s.job.Params, &params)
		s.ck.Mode = params.Mode
		s.ck.Phase = "discovery"
		s.ck.Progress.Total = s.loc.TotalFileCount
	}
	if s.opts.Mode != "" {
		s.ck.Mode = s.opts.Mode
	}
	if s.ck.Mode == "" {
		s.ck.Mode = s.loc.IndexMode
	}
	s.ck.Progress.JobID = s.job.ID
	s.prior = s.ck.Progress.ElapsedMS
	var err error
	s.walker, err = walk.New(walk.Options{Workers: s.opts.Workers, Ignore: s.loc.IgnoreGlobs})
	if err != nil {
		return errInvalid("location.scan", "ignore", "%v", err)
	}
	return nil
}

func (s *scanner) warn(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ck.Progress.Warnings++
	if len(s.ck.Warnings) < MaxWarnings {
		s.ck.Warnings = append(s.ck.Warnings, fmt.Sprintf(format, args...))
	}
}

// elapsed is real time, for the budget. reported is the library clock's, for what the scan
// reports (progress, summary seconds): under a fixed clock it is 0, so outputs stay
// reproducible across engines.
func (s *scanner) elapsed() time.Duration { return time.Since(s.start) }

func (s *scanner) reportedMS() int64 { return s.prior + s.l.now().Sub(s.clockStart).Milliseconds() }

func (s *scanner) report(force bool) {
	if s.opts.Progress == nil {
		return
	}
	if !force && time.Since(s.lastProgress) < 100*time.Millisecond {
		return
	}
	s.lastProgress = time.Now()
	p := s.ck.Progress
	p.ElapsedMS = s.reportedMS()
	// The stored progress keeps its phase as it always was ("" while discovering, then
	// "finalize"); a listener is told each phase by name, and "done" last.
	switch {
	case s.ck.Phase == "done":
		p.Phase = "done"
	case p.Phase == "":
		p.Phase = "discovery"
	}
	s.opts.Progress(p)
}

// errBudget stops the walk when the call's time budget is spent.
var errBudget = errors.New("scan budget spent")

func (s *scanner) run(ctx context.Context) (res ScanResult, err error) {
	const op = "location.scan"
	if _, err := os.Stat(s.loc.Path); err != nil {
		return s.fail(ctx, fmt.Sprintf("location %s is not reachable: %v", s.loc.Path, err), nil)
	}
	if err := s.markRunning(ctx); err != nil {
		return res, err
	}
	s.w = newWriter(s.l)
	// Rows queued for a rolled-back transaction are gone with it: their ids and parents
	// were that transaction's.
	s.w.onRollback = func() { s.pending, s.digests = s.pending[:0], s.digests[:0] }
	s.w.beforeCommit = func(c *sqlite3.Conn) error {
		if err := s.sweepOrphans(c); err != nil {
			return err
		}
		return s.writeDigests(c)
	}
	defer s.w.close(context.WithoutCancel(ctx))

	if s.ck.Phase == "discovery" {
		if s.ck.After == nil {
			// A new scan: remember where the ids of this scan's inserts start.
			if err := s.l.read.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&s.ck.StartMaxID); err != nil {
				return res, wrapDB(op, err)
			}
			var n int64
			if err := s.l.read.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE parent_id = ?`, s.loc.RootID).Scan(&n); err != nil {
				return res, wrapDB(op, err)
			}
			s.ck.FirstScan = n == 0
		}
		if err := s.loadDisplaced(ctx); err != nil {
			return res, err
		}
		walkCtx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		if s.contentMode() && s.ck.FirstScan {
			s.pipe = s.startPipe(walkCtx)
		}
		_, werr := s.walker.WalkAfter(walkCtx, s.loc.Path, s.ck.After, func(b *walk.Batch) error {
			if err := s.batch(walkCtx, b); err != nil {
				return err
			}
			if s.opts.Budget > 0 && s.elapsed() >= s.opts.Budget {
				if s.live != nil {
					return s.park(walkCtx)
				}
				return errBudget
			}
			return nil
		})
		if werr == nil || errors.Is(werr, errBudget) {
			// Directories taken from the walk are written before the checkpoint moves on.
			if err := s.drain(walkCtx); err != nil {
				werr = err
			}
		}
		if s.pipe != nil {
			// Otherwise (cancelled, failed) queued directories are dropped: the checkpoint
			// is before them, and the next call walks them again.
			s.pipe.stop()
			s.pipe, s.queue, s.queued = nil, nil, 0
		}
		if errors.Is(werr, errAbandon) {
			// Parked and told to stop: the job was paused at the last commit.
			return res, werr
		}
		if werr != nil {
			// Commit what is complete; the checkpoint points after the last whole batch.
			if cerr := s.commit(context.WithoutCancel(ctx)); cerr != nil {
				return res, cerr
			}
			switch {
			// The caller's cancellation (Ctrl-C, SIGTERM, a closed connection) pauses the
			// scan wherever it struck: in the walk, or in a statement it interrupted, whose
			// error is SQLite's "interrupted", not the context's.
			case errors.Is(werr, errBudget), errors.Is(werr, context.Canceled), errors.Is(werr, context.DeadlineExceeded), ctx.Err() != nil:
				return s.pause(context.WithoutCancel(ctx))
			}
			var ce *Error
			if errors.As(werr, &ce) {
				// A classified error (a full disk, a busy library) keeps its class: the job
				// records its text, and the caller gets the error itself, not "invalid".
				return s.fail(context.WithoutCancel(ctx), werr.Error(), werr)
			}
			return s.fail(context.WithoutCancel(ctx), fmt.Sprintf("walk: %v", werr), nil)
		}
		s.ck.Phase = "finalize"
		if err := s.commit(ctx); err != nil {
			if ctx.Err() != nil {
				return s.pause(context.WithoutCancel(ctx))
			}
			return res, err
		}
	}
	if err := s.finalize(ctx); err != nil {
		if ctx.Err() != nil {
			return s.pause(context.WithoutCancel(ctx))
		}
		return res, err
	}
	return s.complete(ctx)
}

func (s *scanner) markRunning(ctx context.Context) error {
	return s.l.update(ctx, "location.scan", func(tx *sql.Tx) error {
		st := JobRunning
		if err := updateJob(ctx, tx, s.l, "location.scan", s.job.ID, JobUpdate{Status: &st}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE locations SET scan_state = 'scanning', index_mode = ?, error_message = NULL, updated_at = ? WHERE id = ?`,
			string(s.ck.Mode), ms(s.l.now()), s.loc.ID)
		return err
	})
}

// checkpointFn returns what the writer stores with each commit: the checkpoint and progress.
func (s *scanner) checkpointFn() func() JobUpdate {
	return func() JobUpdate {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ck.Progress.ElapsedMS = s.reportedMS()
		b, _ := json.Marshal(s.ck)
		return JobUpdate{Checkpoint: b, Progress: s.ck.Progress}
	}
}

func (s *scanner) pause(ctx context.Context) (ScanResult, error) {
	err := s.l.update(ctx, "location.scan", func(tx *sql.Tx) error {
		st := JobPaused
		u := s.checkpointFn()()
		u.Status = &st
		s.pausedCk = u.Checkpoint
		if err := updateJob(ctx, tx, s.l, "location.scan", s.job.ID, u); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE locations SET scan_state = 'paused', updated_at = ? WHERE id = ?`, ms(s.l.now()), s.loc.ID)
		return err
	})
	if err != nil {
		return ScanResult{}, err
	}
	s.report(true)
	return s.result(ctx, false)
}

// fail records the job as failed with msg. It returns cause when the failure already has a
// class of its own, else an ErrInvalid carrying msg.
func (s *scanner) fail(ctx context.Context, msg string, cause error) (ScanResult, error) {
	err := s.l.update(ctx, "location.scan", func(tx *sql.Tx) error {
		st := JobFailed
		u := s.checkpointFn()()
		u.Status, u.Error = &st, &msg
		if err := updateJob(ctx, tx, s.l, "location.scan", s.job.ID, u); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE locations SET scan_state = 'error', error_message = ?, updated_at = ? WHERE id = ?`, msg, ms(s.l.now()), s.loc.ID)
		return err
	})
	if err != nil {
		return ScanResult{}, err
	}
	res, _ := s.result(ctx, true)
	if cause != nil {
		return res, cause
	}
	return res, &Error{Op: "location.scan", Err: fmt.Errorf("%w: %s", ErrInvalid, msg)}
}

func (s *scanner) complete(ctx context.Context) (ScanResult, error) {
	s.ck.Phase = "done"
	err := s.l.update(ctx, "location.scan", func(tx *sql.Tx) error {
		st := JobCompleted
		u := s.checkpointFn()()
		u.Status = &st
		u.Warnings = s.ck.Warnings
		if u.Warnings == nil {
			u.Warnings = []string{}
		}
		if err := updateJob(ctx, tx, s.l, "location.scan", s.job.ID, u); err != nil {
			return err
		}
		now := ms(s.l.now())
		// Totals from the index itself (files of the location's directories, summed from
		// their dir_stats rows), so they are true whatever happened before: a crash, a
		// cancelled scan, API edits.
		_, err := tx.ExecContext(ctx, `UPDATE locations SET scan_state = 'complete', last_scan_at = ?1, updated_at = ?1,
 (total_file_count, total_byte_size) = (
   SELECT coalesce(sum(s.files), 0), coalesce(sum(s.bytes), 0) FROM entries d JOIN dir_stats s ON s.dir_id = d.id
   WHERE d.location_id = ?2 AND d.path IS NOT NULL)
 WHERE id = ?2`, now, s.loc.ID)
		return err
	})
	if err != nil {
		return ScanResult{}, err
	}
	s.report(true)
	return s.result(ctx, true)
}

func (s *scanner) result(ctx context.Context, done bool) (ScanResult, error) {
	job, err := s.l.Jobs().Get(ctx, s.job.ID)
	if err != nil {
		return ScanResult{}, err
	}
	loc, err := s.l.Locations().Get(ctx, s.loc.ID)
	if err != nil {
		return ScanResult{}, err
	}
	p := s.ck.Progress
	w := s.ck.Warnings
	if w == nil {
		w = []string{}
	}
	return ScanResult{Job: job, Location: loc, Progress: p, Done: done, Summary: ScanSummary{
		Added: p.Added, Updated: p.Updated, Moved: p.Moved, Removed: p.Removed,
		Files: p.Files, Dirs: p.Dirs, Bytes: p.Bytes,
		Seconds:  float64(p.ElapsedMS) / 1000,
		Warnings: w, WarningCount: p.Warnings,
	}}, nil
}

// ScanPath scans the location at path, adding it first when it is not one: what
// `filedex scan PATH` does.
func (l *Library) ScanPath(ctx context.Context, path string, mode IndexMode, ignore []string, opts ScanOptions) (ScanResult, error) {
	p, err := CleanLocationPath(path)
	if err != nil {
		return ScanResult{}, &Error{Op: "location.scan", Field: "path", Err: err}
	}
	loc, err := l.Locations().GetByPath(ctx, p)
	if errors.Is(err, ErrNotFound) {
		loc, err = l.Locations().Create(ctx, LocationInput{Path: p, Mode: mode, IgnoreGlobs: ignore})
	} else if err == nil && ignore != nil {
		loc, err = l.Locations().Update(ctx, loc.ID, LocationUpdate{IgnoreGlobs: &ignore})
	}
	if err != nil {
		return ScanResult{}, err
	}
	opts.Mode = mode
	return l.Scan(ctx, loc.ID, opts)
}

// absPath is the absolute path on disk of a directory's child.
func (s *scanner) absPath(dirRel, name string) string {
	return joinPath(s.loc.Path, dirRel, name)
}
