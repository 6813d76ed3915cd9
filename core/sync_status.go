package core

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
)

// SyncCursor is where this library is in another device's stream.
type SyncCursor struct {
	Device   uuid.UUID `json:"device"`
	Name     string    `json:"name"`
	Seq      int64     `json:"seq"`     // the device's log seq applied last
	JSSeq    int64     `json:"js_seq"`  // its JetStream sequence (0: not through a stream)
	Applied  int64     `json:"applied"` // messages applied from it, ever
	LastSync string    `json:"last_sync"`
}

// SyncStatus is the result of [Library.SyncStatus].
type SyncStatus struct {
	Library uuid.UUID `json:"library"`
	Device  uuid.UUID `json:"device"`
	// Logged is the newest seq of this device's log; Published the newest a hub took;
	// Pending the messages in between, waiting to be published.
	Logged    int64        `json:"logged"`
	Published int64        `json:"published"`
	Pending   int64        `json:"pending"`
	Cursors   []SyncCursor `json:"cursors"`
}

// SyncStatus reports this device's log and where it is in every other device's.
func (l *Library) SyncStatus(ctx context.Context) (SyncStatus, error) {
	const op = "sync.status"
	info, err := l.Info(ctx)
	if err != nil {
		return SyncStatus{}, err
	}
	st := SyncStatus{Library: info.UUID, Device: info.Device.UUID, Cursors: []SyncCursor{}}
	err = l.view(ctx, op, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT log_seq, published, (SELECT count(*) FROM sync_log WHERE seq > published) FROM sync_state WHERE id = 1`).Scan(&st.Logged, &st.Published, &st.Pending); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.stream, coalesce(d.name, ''), c.seq, c.js_seq, c.applied, c.updated_at
FROM sync_cursors c LEFT JOIN devices d ON d.uuid = unhex(replace(c.stream, '-', '')) ORDER BY c.stream`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c SyncCursor
			var stream string
			var at int64
			if err := rows.Scan(&stream, &c.Name, &c.Seq, &c.JSSeq, &c.Applied, &at); err != nil {
				return err
			}
			c.Device, _ = uuid.Parse(stream)
			c.LastSync = fromMS(at).Format("2006-01-02T15:04:05.000Z07:00")
			st.Cursors = append(st.Cursors, c)
		}
		return rows.Err()
	})
	return st, err
}

// SyncPublished records that a hub acknowledged this device's log up to seq.
func (l *Library) SyncPublished(ctx context.Context, seq int64) error {
	return l.update(ctx, "sync.publish", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET published = max(published, ?) WHERE id = 1`, seq)
		return err
	})
}

// SyncCursors returns, per device UUID, the cursor this library holds in its stream.
func (l *Library) SyncCursors(ctx context.Context) (map[uuid.UUID]SyncCursor, error) {
	st, err := l.SyncStatus(ctx)
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID]SyncCursor{}
	for _, c := range st.Cursors {
		out[c.Device] = c
	}
	return out, nil
}

// DeviceSummary is a device with what `device list` shows beside it.
type DeviceSummary struct {
	Device
	Local   bool  `json:"local"`
	Entries int64 `json:"entries"`
}

// DeviceList returns the library's devices, with their entry counts.
func (l *Library) DeviceList(ctx context.Context) ([]DeviceSummary, error) {
	const op = "device.list"
	rows, err := l.read.QueryContext(ctx, `SELECT `+deviceCols+`,
  (SELECT coalesce(sum((SELECT count(*) FROM entries e WHERE e.location_id = lo.id)), 0) FROM locations lo WHERE lo.device_id = devices.id)
FROM devices ORDER BY id`)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	defer rows.Close()
	out := []DeviceSummary{}
	for rows.Next() {
		var s DeviceSummary
		var n int64
		d, err := scanDevice(scanPlus{rows, []any{&n}})
		if err != nil {
			return nil, wrapDB(op, err)
		}
		s.Device, s.Entries, s.Local = d, n, d.ID == l.deviceID
		out = append(out, s)
	}
	return out, wrapDB(op, rows.Err())
}
