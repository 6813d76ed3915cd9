package bindings

import (
	"context"
	"time"

	"github.com/filedex/filedex/core"
)

func init() {
	register("job.list", jobList)
	register("job.get", jobGet)
	register("job.run", jobRun)
	register("job.resume", jobResume)
	register("job.cancel", jobCancel)
}

// JobListParams are the params of job.list: a filter and a page.
type JobListParams struct {
	core.JobFilter
	core.Page
}

// JobList is the result of job.list, newest job first.
type JobList struct {
	Jobs []core.Job `json:"jobs"`
	Next *string    `json:"next"`
}

func jobList(ctx context.Context, s *Session, p JobListParams) (JobList, error) {
	jobs, next, err := s.lib.Jobs().List(ctx, p.JobFilter, p.Page)
	if err != nil {
		return JobList{}, err
	}
	if jobs == nil {
		jobs = []core.Job{}
	}
	return JobList{Jobs: jobs, Next: cursor(next)}, nil
}

// JobRef names a job by id.
type JobRef struct {
	ID int64 `json:"id"`
}

// Validate implements the params check of [register].
func (p *JobRef) Validate() error {
	if p.ID <= 0 {
		return InvalidParams("id", "required")
	}
	return nil
}

func jobGet(ctx context.Context, s *Session, p JobRef) (core.Job, error) {
	return s.lib.Jobs().Get(ctx, p.ID)
}

// JobRunParams are the params of job.run and job.resume: the job, an optional
// time budget (0: run to completion), and whether to send job.progress
// notifications, as for location.scan.
type JobRunParams struct {
	ID       int64 `json:"id"`
	BudgetMS int64 `json:"budget_ms,omitempty"`
	Progress bool  `json:"progress,omitempty"`
}

// Validate implements the params check of [register].
func (p *JobRunParams) Validate() error {
	switch {
	case p.ID <= 0:
		return InvalidParams("id", "required")
	case p.BudgetMS < 0:
		return InvalidParams("budget_ms", "must be ≥ 0")
	}
	return nil
}

// jobRun continues a job for a slice of time. Scans are the only resumable
// kind today; the core refuses others with an invalid-argument error.
func jobRun(ctx context.Context, s *Session, p JobRunParams) (core.ScanResult, error) {
	return s.lib.RunScanJob(ctx, p.ID, core.ScanOptions{Budget: time.Duration(p.BudgetMS) * time.Millisecond, Progress: scanProgress(ctx, p.Progress)})
}

// jobResume is job.run under the name people look for after a pause; the
// same params, so a client can resume with a budget and keep drawing progress.
func jobResume(ctx context.Context, s *Session, p JobRunParams) (core.ScanResult, error) {
	return jobRun(ctx, s, p)
}

func jobCancel(ctx context.Context, s *Session, p JobRef) (core.Job, error) {
	return s.lib.CancelJob(ctx, p.ID)
}
