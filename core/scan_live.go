package core

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
)

// A scan called with a Budget returns after each slice with its job paused, and the next
// job.run continues it. Resuming from the checkpoint at every slice (a new walker and
// writer, statements prepared again, the walker's read-ahead discarded, the ancestors of the
// resume point listed again) made slicing cost more than the scan itself where one resume
// is slow: under WASI the CLI's 200 ms slices made a scan of 5k entries cost 2.4× the same
// scan in one call (benchmarks/RESULTS.md, "The user's path").
// So a budgeted scan keeps its scanner alive between calls, parked inside the walk callback:
// the next call hands it a new budget and it carries on where it stood, in O(1).
//
// The checkpoint stays the truth for crashes and restarts: each slice ends with a commit,
// the job and location marked paused, exactly as if the process stopped there. A parked
// scanner is only used while the job is still as it left it (same status and checkpoint);
// had another process resumed the job meanwhile, it is dropped and the job resumed from its
// checkpoint. A WASI guest runs goroutines only while the host is inside one of its calls,
// which suits this: between calls the parked scanner costs nothing.

// liveScans are the parked scanners of a library, by job id.
type liveScans struct {
	mu sync.Mutex
	m  map[int64]*liveScan
}

// liveScan is one parked scanner and the channels that drive it.
type liveScan struct {
	s      *scanner
	resume chan liveCall // the next slice (or stop)
	out    chan liveOut  // a slice's result
	cancel context.CancelFunc
	// ck is the checkpoint the scanner paused with: the job must still hold it.
	ck []byte
}

type liveCall struct {
	ctx  context.Context
	opts ScanOptions
	stop bool
}

type liveOut struct {
	res   ScanResult
	err   error
	final bool // the scanner returned: done, failed, paused for good or stopped
}

// errAbandon stops a parked scanner without writing: its job is already paused at its
// last commit.
var errAbandon = errors.New("parked scan abandoned")

// take removes and returns the parked scanner of a job, nil if none.
func (m *liveScans) take(jobID int64) *liveScan {
	m.mu.Lock()
	defer m.mu.Unlock()
	ls := m.m[jobID]
	delete(m.m, jobID)
	return ls
}

func (m *liveScans) put(jobID int64, ls *liveScan) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[int64]*liveScan{}
	}
	m.m[jobID] = ls
}

// stopAll stops every parked scanner (the library is closing).
func (m *liveScans) stopAll() {
	m.mu.Lock()
	all := m.m
	m.m = nil
	m.mu.Unlock()
	for _, ls := range all {
		ls.stop()
	}
}

// stop ends a parked scanner without writing anything.
func (ls *liveScan) stop() {
	ls.resume <- liveCall{stop: true}
	<-ls.out
}

// usable reports whether the parked scanner may continue the job as it now is.
func (ls *liveScan) usable(job Job, loc Location, opts ScanOptions) bool {
	s := ls.s
	return job.Status == JobPaused && bytes.Equal(job.Checkpoint, ls.ck) &&
		loc.Path == s.loc.Path && slices.Equal(loc.IgnoreGlobs, s.loc.IgnoreGlobs) &&
		(opts.Mode == "" || opts.Mode == s.ck.Mode)
}

// startLive runs s in a goroutine of its own that parks between slices, and returns the
// first slice's result.
func (l *Library) startLive(ctx context.Context, s *scanner) (ScanResult, error) {
	// The scanner outlives this call: its context is cancelled by whichever call it is
	// serving (watch), not by the first one's end.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ls := &liveScan{s: s, resume: make(chan liveCall), out: make(chan liveOut), cancel: cancel}
	s.live = ls
	s.watch(ctx)
	go func() {
		res, err := s.run(runCtx)
		s.unwatch()
		cancel()
		ls.out <- liveOut{res: res, err: err, final: true}
	}()
	return l.awaitLive(s.job.ID, ls)
}

// continueLive gives a parked scanner its next slice.
func (l *Library) continueLive(ctx context.Context, ls *liveScan, opts ScanOptions) (ScanResult, error) {
	ls.resume <- liveCall{ctx: ctx, opts: opts}
	return l.awaitLive(ls.s.job.ID, ls)
}

func (l *Library) awaitLive(jobID int64, ls *liveScan) (ScanResult, error) {
	o := <-ls.out
	if !o.final {
		l.live.put(jobID, ls)
	}
	return o.res, o.err
}

// watch makes the end of the call being served (Ctrl-C, a closed connection) pause the scan.
func (s *scanner) watch(ctx context.Context) {
	s.unwatch = context.AfterFunc(ctx, s.live.cancel)
}

// park ends a slice: it commits, marks the job paused, hands the result to the call, and
// waits for the next call. It returns errAbandon when told to stop instead.
func (s *scanner) park(ctx context.Context) error {
	if err := s.commit(ctx); err != nil {
		return err
	}
	s.unwatch()
	res, err := s.pause(ctx)
	if err != nil {
		return err
	}
	ls := s.live
	ls.ck = s.pausedCk
	ls.out <- liveOut{res: res}
	call := <-ls.resume
	if call.stop {
		return errAbandon
	}
	s.opts.Budget, s.opts.Progress = call.opts.Budget, call.opts.Progress
	s.resetClock()
	s.watch(call.ctx)
	if call.ctx.Err() != nil {
		return call.ctx.Err()
	}
	return s.markRunning(ctx)
}
