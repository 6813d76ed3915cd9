package bindings

import (
	"context"
	"fmt"

	"github.com/filedex/filedex/core"
)

func init() {
	register("device.list", deviceList)
	register("sync.status", syncStatus)
	register("sync.export", syncExport)
	register("sync.apply", syncApply)
	register("sync.now", syncNow)
}

// DeviceList is the result of device.list.
type DeviceList struct {
	Devices []core.DeviceSummary `json:"devices"`
}

func deviceList(ctx context.Context, s *Session, _ NoParams) (DeviceList, error) {
	ds, err := s.lib.DeviceList(ctx)
	return DeviceList{Devices: ds}, err
}

func syncStatus(ctx context.Context, s *Session, _ NoParams) (core.SyncStatus, error) {
	return s.lib.SyncStatus(ctx)
}

// SyncExportParams are the params of sync.export: this device's log after seq since.
type SyncExportParams struct {
	Since int64 `json:"since"`
	Limit int   `json:"limit,omitempty"`
}

func syncExport(ctx context.Context, s *Session, p SyncExportParams) (core.SyncExport, error) {
	return s.lib.SyncExport(ctx, p.Since, p.Limit)
}

// SyncApplyParams are the params of sync.apply: other devices' messages, as sync.export
// returned them there.
type SyncApplyParams struct {
	Batches []core.SyncMessage `json:"batches"`
}

func syncApply(ctx context.Context, s *Session, p SyncApplyParams) (core.SyncApplied, error) {
	return s.lib.SyncApply(ctx, p.Batches)
}

// SyncNowParams are the params of sync.now.
type SyncNowParams struct {
	Hub string `json:"hub,omitempty"`
}

// syncNow is network sync, which the method table's engines do not do: the WASI build has no
// sockets, and every engine must answer the same. Hosts ship sync.export's messages to
// sync.apply themselves; the native CLI syncs over NATS (`filedex sync now`).
func syncNow(ctx context.Context, s *Session, p SyncNowParams) (struct{}, error) {
	return struct{}{}, &core.Error{Op: "sync.now", Err: fmt.Errorf("%w: this engine has no network; ship sync.export's messages to sync.apply, or run `filedex sync now`", core.ErrUnsupported)}
}
