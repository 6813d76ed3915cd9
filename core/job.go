package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// JobStatus is where a persisted job stands.
type JobStatus string

// Job statuses. queued → running → completed | failed | cancelled, with running ⇄ paused.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobPaused    JobStatus = "paused"
	JobCompleted JobStatus = "completed"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Finished reports whether the status is final.
func (s JobStatus) Finished() bool {
	return s == JobCompleted || s == JobFailed || s == JobCancelled
}

func (s JobStatus) valid() bool {
	switch s {
	case JobQueued, JobRunning, JobPaused, JobCompleted, JobFailed, JobCancelled:
		return true
	}
	return false
}

// Job is a persisted long-running operation (a scan, a verification, …). Its checkpoint lets a
// later process resume it after a crash.
type Job struct {
	ID         int64           `json:"id"`
	UUID       uuid.UUID       `json:"uuid"`
	Kind       string          `json:"kind"`
	Status     JobStatus       `json:"status"`
	LocationID int64           `json:"location_id,omitempty"`
	Params     json.RawMessage `json:"params,omitempty"`
	Progress   json.RawMessage `json:"progress,omitempty"`
	Checkpoint []byte          `json:"-"`
	Warnings   []string        `json:"warnings"`
	Error      string          `json:"error,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	FinishedAt *time.Time      `json:"finished_at"`
}

// Jobs is the typed API over the jobs table.
type Jobs struct{ l *Library }

// Jobs returns the job API.
func (l *Library) Jobs() Jobs { return Jobs{l} }

const jobCols = `id, uuid, kind, status, location_id, params, progress, checkpoint, warnings, error, created_at, started_at, updated_at, finished_at`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var loc, started, finished sql.NullInt64
	var params, progress, warnings, errMsg sql.NullString
	var created, updated int64
	if err := sc.Scan(&j.ID, &j.UUID, &j.Kind, &j.Status, &loc, &params, &progress, &j.Checkpoint, &warnings, &errMsg,
		&created, &started, &updated, &finished); err != nil {
		return j, err
	}
	j.LocationID = loc.Int64
	if params.Valid {
		j.Params = json.RawMessage(params.String)
	}
	if progress.Valid {
		j.Progress = json.RawMessage(progress.String)
	}
	j.Warnings = []string{}
	if warnings.Valid {
		if err := json.Unmarshal([]byte(warnings.String), &j.Warnings); err != nil {
			return j, err
		}
	}
	j.Error = errMsg.String
	j.CreatedAt, j.UpdatedAt = fromMS(created), fromMS(updated)
	j.StartedAt, j.FinishedAt = fromNullMS(started), fromNullMS(finished)
	return j, nil
}

// JobInput describes a new job.
type JobInput struct {
	Kind       string
	LocationID int64
	Params     any // marshalled to JSON
}

// Create queues a job.
func (s Jobs) Create(ctx context.Context, in JobInput) (Job, error) {
	const op = "job.create"
	if in.Kind == "" {
		return Job{}, errInvalid(op, "kind", "must not be empty")
	}
	var params any
	if in.Params != nil {
		b, err := json.Marshal(in.Params)
		if err != nil {
			return Job{}, errInvalid(op, "params", "%v", err)
		}
		params = string(b)
	}
	var loc any
	if in.LocationID != 0 {
		loc = in.LocationID
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		now := s.l.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (uuid, kind, status, location_id, params, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
			s.l.newUUID(now), in.Kind, loc, params, ms(now), ms(now))
		if err != nil {
			if CodeOf(err) == CodeInvalid {
				return errNotFound(op, "no such location")
			}
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Job{}, err
	}
	return s.Get(ctx, id)
}

// Get returns the job with the given id.
func (s Jobs) Get(ctx context.Context, id int64) (Job, error) {
	return s.one(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id)
}

// GetByUUID returns the job with the given UUID.
func (s Jobs) GetByUUID(ctx context.Context, u uuid.UUID) (Job, error) {
	return s.one(ctx, `SELECT `+jobCols+` FROM jobs WHERE uuid = ?`, u[:])
}

func (s Jobs) one(ctx context.Context, q string, arg any) (Job, error) {
	const op = "job.get"
	row, err := s.l.queryRow(ctx, q, arg)
	if err != nil {
		return Job{}, wrapDB(op, err)
	}
	j, err := scanJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		return j, errNotFound(op, "no such job")
	}
	return j, wrapDB(op, err)
}

// JobFilter selects jobs for [Jobs.List].
type JobFilter struct {
	Status     JobStatus `json:"status,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	LocationID int64     `json:"location_id,omitempty"`
	// Active selects queued, running and paused jobs.
	Active bool `json:"active,omitempty"`
}

// List returns jobs newest first, a page at a time.
func (s Jobs) List(ctx context.Context, f JobFilter, p Page) ([]Job, string, error) {
	const op = "job.list"
	if f.Status != "" && !f.Status.valid() {
		return nil, "", errInvalid(op, "status", "unknown status %q", f.Status)
	}
	limit, err := p.limit(op)
	if err != nil {
		return nil, "", err
	}
	before := int64(1<<63 - 1)
	if p.After != "" {
		if err := decodeCursor(op, p.After, &before); err != nil {
			return nil, "", err
		}
	}
	rows, err := s.l.query(ctx, `SELECT `+jobCols+` FROM jobs WHERE id < ?1
 AND (?2 = '' OR status = ?2) AND (?3 = '' OR kind = ?3) AND (?4 = 0 OR location_id = ?4)
 AND (NOT ?5 OR status IN ('queued', 'running', 'paused')) ORDER BY id DESC LIMIT ?6`,
		before, string(f.Status), f.Kind, f.LocationID, f.Active, limit+1)
	if err != nil {
		return nil, "", wrapDB(op, err)
	}
	return collectPage(op, rows, limit, scanJob, func(j Job) int64 { return j.ID })
}

// JobUpdate lists the fields to change; nil fields stay as they are.
type JobUpdate struct {
	Status     *JobStatus
	Progress   any    // marshalled to JSON
	Checkpoint []byte // nil leaves it; empty clears it
	Warnings   []string
	Error      *string
}

// Update records a job's progress, checkpoint or status. Setting a final status stamps
// finished_at; setting running the first time stamps started_at.
func (s Jobs) Update(ctx context.Context, id int64, u JobUpdate) (Job, error) {
	const op = "job.update"
	if err := s.l.update(ctx, op, func(tx *sql.Tx) error { return updateJob(ctx, tx, s.l, op, id, u) }); err != nil {
		return Job{}, err
	}
	return s.Get(ctx, id)
}

// updateJob is Update inside a caller's transaction, so a scan commits a batch of entries and
// its checkpoint atomically: after a crash the checkpoint never points past what was written.
func updateJob(ctx context.Context, tx *sql.Tx, l *Library, op string, id int64, u JobUpdate) error {
	var status any
	if u.Status != nil {
		if !u.Status.valid() {
			return errInvalid(op, "status", "unknown status %q", *u.Status)
		}
		status = string(*u.Status)
	}
	var progress, warnings any
	if u.Progress != nil {
		b, err := json.Marshal(u.Progress)
		if err != nil {
			return errInvalid(op, "progress", "%v", err)
		}
		progress = string(b)
	}
	if u.Warnings != nil {
		b, _ := json.Marshal(u.Warnings)
		warnings = string(b)
	}
	setCk := u.Checkpoint != nil
	now := ms(l.now())
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET
 status = coalesce(?1, status),
 progress = coalesce(?2, progress),
 checkpoint = CASE WHEN ?3 THEN nullif(?4, x'') ELSE checkpoint END,
 warnings = coalesce(?5, warnings),
 error = coalesce(?6, error),
 started_at = CASE WHEN ?1 = 'running' AND started_at IS NULL THEN ?7 ELSE started_at END,
 finished_at = CASE WHEN ?1 IN ('completed', 'failed', 'cancelled') THEN ?7 ELSE finished_at END,
 updated_at = ?7
WHERE id = ?8`, status, progress, setCk, u.Checkpoint, warnings, u.Error, now, id)
	return mustAffect(op, res, err, fmt.Sprintf("no such job %d", id))
}

// Delete removes a finished job's record.
func (s Jobs) Delete(ctx context.Context, id int64) error {
	const op = "job.delete"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		var st JobStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM jobs WHERE id = ?`, id).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound(op, "no such job")
		} else if err != nil {
			return err
		}
		if !st.Finished() {
			return errConflict(op, fmt.Sprintf("job is %s; cancel it first", st))
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
		return err
	})
}
