package bindings

import (
	"context"
	"time"

	"github.com/filedex/filedex/core"
)

func init() {
	register("location.scan", locationScan)
}

// LocationScanParams are the params of location.scan. Path names a directory
// that becomes a location when it is not one yet (what `filedex scan PATH`
// does); ID names an existing location. With BudgetMS the call returns after
// about that many milliseconds with the job paused, to be continued by
// job.run: single-threaded hosts that cannot receive notifications (a WASI
// reactor) rely on it; the scan stays alive between the calls, so slicing costs
// little. With Progress the call sends job.progress notifications (notify.go)
// about every 100 ms and when it ends, to clients whose transport delivers them:
// the way to show progress while the scan runs as one call.
type LocationScanParams struct {
	ID       int64          `json:"id,omitempty"`
	Path     string         `json:"path,omitempty"`
	Mode     core.IndexMode `json:"mode,omitempty"`
	Ignore   []string       `json:"ignore,omitempty"`
	BudgetMS int64          `json:"budget_ms,omitempty"`
	Progress bool           `json:"progress,omitempty"`
}

// Validate implements the params check of [register].
func (p *LocationScanParams) Validate() error {
	switch {
	case p.ID != 0 && p.Path != "":
		return InvalidParams("id", "give id or path, not both")
	case p.ID == 0 && p.Path == "":
		return InvalidParams("id", "id or path is required")
	case p.BudgetMS < 0:
		return InvalidParams("budget_ms", "must be ≥ 0")
	case p.ID != 0 && p.Ignore != nil:
		return InvalidParams("ignore", "only with path")
	}
	return nil
}

func locationScan(ctx context.Context, s *Session, p LocationScanParams) (core.ScanResult, error) {
	opts := core.ScanOptions{Mode: p.Mode, Budget: time.Duration(p.BudgetMS) * time.Millisecond, Progress: scanProgress(ctx, p.Progress)}
	if p.ID != 0 {
		return s.lib.Scan(ctx, p.ID, opts)
	}
	path, err := s.Path(p.Path)
	if err != nil {
		return core.ScanResult{}, err
	}
	return s.lib.ScanPath(ctx, path, p.Mode, p.Ignore, opts)
}
