package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"
)

// ErrUnsupported reports an operation this engine cannot perform (sync.now under WASI,
// which has no sockets).
var ErrUnsupported = errors.New("unsupported")

// SyncMessage is one change of one device, as it travels between devices: a directory's
// listing (subject "d.<location>.<dir>"), a tombstone of a removed subtree (same subject), a
// batch of shared-data writes ("o.<seq>") or the device's description ("dev").
//
// Device and Seq identify it: Seq increases with every message a device logs. A message
// whose Seq is not above the applier's cursor for that device was applied already and is
// skipped, which makes applying exactly once whatever carries the messages.
type SyncMessage struct {
	Device  uuid.UUID       `json:"device"`
	Seq     int64           `json:"seq"`
	Subject string          `json:"subject"`
	Body    json.RawMessage `json:"body"`
	// JSSeq is the JetStream sequence the message had on its device's stream (0 when it did
	// not come through one); the applier stores it with its cursor, so a consumer resumes
	// there.
	JSSeq int64 `json:"js_seq,omitempty"`
}

// SyncExport is the result of [Library.SyncExport].
type SyncExport struct {
	Library uuid.UUID `json:"library"`
	// Home is the library's home device (whose entry UUIDs keep the library's base); a
	// device joining the library takes it over.
	Home     uuid.UUID     `json:"home"`
	Device   uuid.UUID     `json:"device"`
	Messages []SyncMessage `json:"messages"`
	// Head is the newest seq of this device's log; Next is the since to ask with for the
	// messages after these (Head when there are none).
	Head int64 `json:"head"`
	Next int64 `json:"next"`
}

// SyncApplied is the result of [Library.SyncApply].
type SyncApplied struct {
	Applied int `json:"applied"` // messages applied
	Skipped int `json:"skipped"` // messages at or below the cursor: applied before
	Entries int `json:"entries"` // entry rows written or deleted
}

// wire forms of the messages' bodies. Short keys: S2 compresses repeated keys well, but
// they still cost bytes before compression.
type wireLocation struct {
	UUID uuid.UUID `json:"u"`
	Path string    `json:"p"`
	Name string    `json:"n,omitempty"`
	Mode string    `json:"m"`
}

type wireEntry struct {
	ID    int64  `json:"i"`
	Name  string `json:"n,omitempty"`
	NameB []byte `json:"b,omitempty"` // the exact name when it is not UTF-8
	Kind  int    `json:"k,omitempty"`
	Size  int64  `json:"s,omitempty"`
	MTime int64  `json:"m"`
	Perm  *int64 `json:"p,omitempty"`
	CTime *int64 `json:"c,omitempty"`
	ATime *int64 `json:"a,omitempty"`
	Cas   *int64 `json:"h,omitempty"`
	CKind int    `json:"hk,omitempty"`
}

func (w wireEntry) name() string {
	if w.NameB != nil {
		return string(w.NameB)
	}
	return w.Name
}

func wireName(w *wireEntry, name string) {
	if utf8.ValidString(name) {
		w.Name = name
	} else {
		w.NameB = []byte(name)
	}
}

// wireDir is a directory's listing: the directory itself, its ancestors from the location
// root down (id and name: a listing may arrive before its parent's, because a stream keeps
// only each directory's newest listing), and every child.
type wireDir struct {
	T        string       `json:"t"` // "dir" or "del" (the subtree rooted here is gone)
	Loc      wireLocation `json:"l"`
	Path     string       `json:"p,omitempty"`
	Anc      []wireAnc    `json:"a,omitempty"`
	Self     wireEntry    `json:"e"`
	Children []wireEntry  `json:"c,omitempty"`
}

type wireAnc struct {
	ID   int64  `json:"i"`
	Name string `json:"n"`
}

type wireDevice struct {
	Name          string `json:"name"`
	OS            string `json:"os"`
	OSVersion     string `json:"os_version,omitempty"`
	HardwareModel string `json:"hardware_model"`
}

// SyncStage writes this device's changes since the last stage into its log: the listing of
// every directory whose listing changed, a tombstone for every removed subtree, and the
// shared-data edits made here (also by other processes) since. A rescan that changed nothing
// stages nothing. Export and the network publisher stage first; staging twice in a row
// logs nothing the second time.
func (l *Library) SyncStage(ctx context.Context) (logged int, err error) {
	const op = "sync.stage"
	err = l.update(ctx, op, func(tx *sql.Tx) error {
		n, err := l.stageDevice(ctx, tx)
		if err != nil {
			return err
		}
		logged += n
		if n, err = l.stageDirs(ctx, tx); err != nil {
			return err
		}
		logged += n
		if n, err = l.stageShared(ctx, tx); err != nil {
			return err
		}
		logged += n
		return nil
	})
	return logged, err
}

// logMessage appends a message to this device's log, replacing the older message of the same
// subject (a directory's listing supersedes the previous one).
func logMessage(ctx context.Context, tx *sql.Tx, subject string, body []byte) error {
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE sync_state SET log_seq = log_seq + 1 WHERE id = 1 RETURNING log_seq`).Scan(&seq); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_log (seq, subject, body) VALUES (?, ?, ?)
ON CONFLICT (subject) DO UPDATE SET seq = excluded.seq, body = excluded.body`, seq, subject, body)
	return err
}

func (l *Library) stageDevice(ctx context.Context, tx *sql.Tx) (int, error) {
	var d wireDevice
	var osv sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT name, os, os_version, hardware_model FROM devices WHERE id = ?`, l.deviceID).Scan(&d.Name, &d.OS, &osv, &d.HardwareModel); err != nil {
		return 0, err
	}
	d.OSVersion = osv.String
	body, _ := json.Marshal(d)
	var old []byte
	err := tx.QueryRowContext(ctx, `SELECT body FROM sync_log WHERE subject = 'dev'`).Scan(&old)
	if err == nil && string(old) == string(body) {
		return 0, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return 1, logMessage(ctx, tx, "dev", body)
}

func dirSubject(loc uuid.UUID, dirID int64) string {
	return "d." + strings.ReplaceAll(loc.String(), "-", "") + "." + strconv.FormatInt(dirID, 10)
}

type stagedDir struct {
	loc, parent sql.NullInt64
	path        string
	digest      sql.NullInt64
	listing     int64
}

// stageDirs logs the listing of each of this device's directories that changed. A directory
// whose rescan digest (dir_stats.digest, set by the indexer when its rows match the disk) and
// place are what they were when it was last logged is skipped without reading its children:
// an unchanged rescan reads one row per directory and logs nothing.
func (l *Library) stageDirs(ctx context.Context, tx *sql.Tx) (int, error) {
	prev := map[int64]stagedDir{}
	rows, err := tx.QueryContext(ctx, `SELECT dir_id, location_id, parent_id, path, digest, listing FROM sync_dirs`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		var s stagedDir
		if err := rows.Scan(&id, &s.loc, &s.parent, &s.path, &s.digest, &s.listing); err != nil {
			rows.Close()
			return 0, err
		}
		prev[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	type dirRow struct {
		id, loc        int64
		parent, digest sql.NullInt64
		path           string
		locUUID        uuid.UUID
	}
	var dirs []dirRow
	rows, err = tx.QueryContext(ctx, `SELECT e.id, e.location_id, e.parent_id, e.path, ds.digest, l.uuid
FROM entries e JOIN locations l ON l.id = e.location_id LEFT JOIN dir_stats ds ON ds.dir_id = e.id
WHERE l.device_id = ? AND e.kind = 1 AND e.id < ? ORDER BY e.location_id, e.path`, l.deviceID, remoteIDMin)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var d dirRow
		if err := rows.Scan(&d.id, &d.loc, &d.parent, &d.path, &d.digest, &d.locUUID); err != nil {
			rows.Close()
			return 0, err
		}
		dirs = append(dirs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	logged := 0
	seen := make(map[int64]bool, len(dirs))
	for _, d := range dirs {
		seen[d.id] = true
		p, ok := prev[d.id]
		if ok && d.digest.Valid && p.digest.Valid && d.digest.Int64 == p.digest.Int64 &&
			p.loc.Int64 == d.loc && p.parent == d.parent && p.path == d.path {
			continue
		}
		body, err := l.dirListing(ctx, tx, d.id)
		if err != nil {
			return 0, err
		}
		h := fnv.New64a()
		h.Write(body)
		listing := int64(h.Sum64())
		if !ok || p.listing != listing {
			if err := logMessage(ctx, tx, dirSubject(d.locUUID, d.id), body); err != nil {
				return 0, err
			}
			logged++
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_dirs (dir_id, location_id, parent_id, path, digest, listing) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (dir_id) DO UPDATE SET location_id = excluded.location_id, parent_id = excluded.parent_id, path = excluded.path, digest = excluded.digest, listing = excluded.listing`,
			d.id, d.loc, d.parent, d.path, d.digest, listing); err != nil {
			return 0, err
		}
	}

	// Removed directories: one tombstone for the root of each removed subtree (its listing's
	// subject, so it replaces the listing); the descendants' listings leave the log.
	locUUIDs := map[int64]uuid.UUID{}
	for id, p := range prev {
		if seen[id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_dirs WHERE dir_id = ?`, id); err != nil {
			return 0, err
		}
		lu, ok := locUUIDs[p.loc.Int64]
		if !ok {
			err := tx.QueryRowContext(ctx, `SELECT uuid FROM locations WHERE id = ?`, p.loc.Int64).Scan(&lu)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
			if errors.Is(err, sql.ErrNoRows) {
				// The location itself is gone: its uuid survives in the logged listings.
				lu, err = loggedLocation(ctx, tx, id)
				if err != nil {
					return 0, err
				}
			}
			locUUIDs[p.loc.Int64] = lu
		}
		if lu == uuid.Nil {
			continue
		}
		subject := dirSubject(lu, id)
		parentGone := p.parent.Valid && !seen[p.parent.Int64]
		if _, inPrev := prev[p.parent.Int64]; parentGone && inPrev {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sync_log WHERE subject = ?`, subject); err != nil {
				return 0, err
			}
			continue
		}
		body, _ := json.Marshal(wireDir{T: "del", Loc: wireLocation{UUID: lu}, Path: p.path, Self: wireEntry{ID: id}})
		if err := logMessage(ctx, tx, subject, body); err != nil {
			return 0, err
		}
		logged++
	}
	return logged, nil
}

// loggedLocation finds the location UUID of a directory from its logged listing.
func loggedLocation(ctx context.Context, tx *sql.Tx, dirID int64) (uuid.UUID, error) {
	var u uuid.UUID
	var body []byte
	err := tx.QueryRowContext(ctx, `SELECT body FROM sync_log WHERE subject LIKE 'd.%.' || ?`, dirID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, nil
	}
	if err != nil {
		return u, err
	}
	var d wireDir
	if err := json.Unmarshal(body, &d); err != nil {
		return u, err
	}
	return d.Loc.UUID, nil
}

// Inodes do not travel: they mean something on their own device only (move detection).
const wireEntryCols = `e.id, e.name, e.kind, e.size, e.modified_at, e.permissions, e.created_at, e.accessed_at, e.content_id, coalesce(c.kind, 0)`

func scanWireEntry(sc interface{ Scan(...any) error }) (wireEntry, error) {
	var w wireEntry
	var name string
	var perm, ctime, atime, cas sql.NullInt64
	if err := sc.Scan(&w.ID, &name, &w.Kind, &w.Size, &w.MTime, &perm, &ctime, &atime, &cas, &w.CKind); err != nil {
		return w, err
	}
	wireName(&w, name)
	opt := func(v sql.NullInt64) *int64 {
		if !v.Valid {
			return nil
		}
		x := v.Int64
		return &x
	}
	w.Perm, w.CTime, w.ATime, w.Cas = opt(perm), opt(ctime), opt(atime), opt(cas)
	return w, nil
}

// dirListing builds the message body of one of this device's directories.
func (l *Library) dirListing(ctx context.Context, tx *sql.Tx, dirID int64) ([]byte, error) {
	var d wireDir
	d.T = "dir"
	var locName sql.NullString
	var path sql.NullString
	var parent sql.NullInt64
	row := l.txQueryRow(ctx, tx, `SELECT `+wireEntryCols+`, e.path, e.parent_id, l.uuid, l.path, l.name, l.index_mode
FROM entries e JOIN locations l ON l.id = e.location_id LEFT JOIN content_identity c ON c.id = e.content_id WHERE e.id = ?`, dirID)
	var self wireEntry
	var name string
	var perm, ctime, atime, cas sql.NullInt64
	if err := row.Scan(&self.ID, &name, &self.Kind, &self.Size, &self.MTime, &perm, &ctime, &atime, &cas, &self.CKind,
		&path, &parent, &d.Loc.UUID, &d.Loc.Path, &locName, &d.Loc.Mode); err != nil {
		return nil, err
	}
	wireName(&self, name)
	self.Perm, self.CTime, self.ATime = nullPtr(perm), nullPtr(ctime), nullPtr(atime)
	d.Self, d.Path, d.Loc.Name = self, path.String, locName.String
	for p := parent; p.Valid; {
		var a wireAnc
		var next sql.NullInt64
		if err := l.txQueryRow(ctx, tx, `SELECT id, name, parent_id FROM entries WHERE id = ?`, p.Int64).Scan(&a.ID, &a.Name, &next); err != nil {
			return nil, err
		}
		d.Anc = append(d.Anc, a)
		p = next
	}
	for i, j := 0, len(d.Anc)-1; i < j; i, j = i+1, j-1 {
		d.Anc[i], d.Anc[j] = d.Anc[j], d.Anc[i]
	}
	rows, err := l.txQuery(ctx, tx, `SELECT `+wireEntryCols+` FROM entries e LEFT JOIN content_identity c ON c.id = e.content_id WHERE e.parent_id = ? ORDER BY e.name`, dirID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		w, err := scanWireEntry(rows)
		if err != nil {
			return nil, err
		}
		d.Children = append(d.Children, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return json.Marshal(d)
}

func nullPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// SyncExport stages this device's changes (unless the library is read-only) and returns the
// messages of its log with seq > since, at most limit (default 1000) of them, oldest first.
func (l *Library) SyncExport(ctx context.Context, since int64, limit int) (SyncExport, error) {
	const op = "sync.export"
	if since < 0 {
		return SyncExport{}, errInvalid(op, "since", "must be >= 0")
	}
	if limit <= 0 {
		limit = 1000
	}
	if !l.opts.ReadOnly {
		if _, err := l.SyncStage(ctx); err != nil {
			return SyncExport{}, err
		}
	}
	info, err := l.Info(ctx)
	if err != nil {
		return SyncExport{}, err
	}
	out := SyncExport{Library: info.UUID, Device: info.Device.UUID, Messages: []SyncMessage{}}
	err = l.view(ctx, op, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(home_device, (SELECT uuid FROM devices ORDER BY id LIMIT 1)) FROM library WHERE id = 1`).Scan(&out.Home); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT log_seq FROM sync_state WHERE id = 1`).Scan(&out.Head); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT seq, subject, body FROM sync_log WHERE seq > ? ORDER BY seq LIMIT ?`, since, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m := SyncMessage{Device: out.Device}
			var body []byte
			if err := rows.Scan(&m.Seq, &m.Subject, &body); err != nil {
				return err
			}
			m.Body = body
			out.Messages = append(out.Messages, m)
		}
		return rows.Err()
	})
	out.Next = out.Head
	if len(out.Messages) == limit {
		out.Next = out.Messages[len(out.Messages)-1].Seq
	}
	return out, err
}

// syncApplyHook, when set (tests only), runs inside the apply transaction after the rows of
// a batch are written and before the cursors are; an error there rolls everything back, as a
// crash would.
var syncApplyHook func() error

// SyncApply applies other devices' messages, in the order given per device. Each device's
// cursor moves in the same transaction as the rows, so a batch is applied whole or not at
// all, and a message at or below the cursor is skipped: applying is exactly once even when a
// transport delivers twice. A message claiming this device, or touching a location of
// another device than its own, is refused (ErrConflict) and nothing of the batch is applied.
func (l *Library) SyncApply(ctx context.Context, msgs []SyncMessage) (SyncApplied, error) {
	const op = "sync.apply"
	var res SyncApplied
	info, err := l.Info(ctx)
	if err != nil {
		return res, err
	}
	newDevices := false
	err = l.update(ctx, op, func(tx *sql.Tx) error {
		res = SyncApplied{}
		// Local edits not staged yet become registers first: deriving the tables from the
		// registers would otherwise undo them.
		if _, err := l.stageShared(ctx, tx); err != nil {
			return err
		}
		type cur struct{ seq, js, applied int64 }
		cursors := map[uuid.UUID]*cur{}
		devIDs := map[uuid.UUID]int64{}
		touched, removed := false, false
		bulk := syncBulk{}
		for _, m := range msgs {
			if m.Device == uuid.Nil {
				return errInvalid(op, "device", "a message must name its device")
			}
			if m.Device == info.Device.UUID {
				return errConflict(op, "message claims to come from this device")
			}
			c, ok := cursors[m.Device]
			if !ok {
				c = &cur{}
				err := tx.QueryRowContext(ctx, `SELECT seq, js_seq, applied FROM sync_cursors WHERE stream = ?`, m.Device.String()).Scan(&c.seq, &c.js, &c.applied)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				cursors[m.Device] = c
			}
			if m.Seq <= c.seq {
				// Applied before (a redelivery); its stream position still counts, so a
				// consumer does not read it again.
				res.Skipped++
				c.js = max(c.js, m.JSSeq)
				continue
			}
			dev, ok := devIDs[m.Device]
			if !ok {
				var created bool
				if dev, created, err = ensureDevice(ctx, tx, l, m.Device); err != nil {
					return err
				}
				devIDs[m.Device] = dev
				if created {
					// Known at once: the batch's own shared data may name its entries.
					newDevices = true
					if err := l.cacheDeviceBase(ctx, tx, dev, m.Device); err != nil {
						return err
					}
				}
			}
			if strings.HasPrefix(m.Subject, "d.") {
				if err := l.syncBeginBulk(ctx, tx, &bulk, dev); err != nil {
					return err
				}
			}
			n, err := l.applyMessage(ctx, tx, dev, m, &removed, bulk.lo)
			if err != nil {
				if CodeOf(err) == CodeInternal {
					err = fmt.Errorf("%w: %w", ErrInvalid, err)
				}
				return fmt.Errorf("message %d of device %s (%s): %w", m.Seq, m.Device, m.Subject, err)
			}
			touched = true
			res.Entries += n
			res.Applied++
			c.seq, c.applied = m.Seq, c.applied+1
			if m.JSSeq > c.js {
				c.js = m.JSSeq
			}
		}
		if err := l.syncEndBulk(ctx, tx, &bulk); err != nil {
			return err
		}
		if removed {
			// Subtrees went: their files' contents may be unreferenced now (location.go sweeps
			// the same way when a location is removed).
			if _, err := l.txExec(ctx, tx, `DELETE FROM content_identity WHERE entry_count = 0 AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identity.id)`); err != nil {
				return err
			}
		}
		if touched {
			if err := l.deriveShared(ctx, tx); err != nil {
				return err
			}
			// Other devices' locations are complete as far as their listings go: their totals
			// follow (from the directories' aggregates, one index range per location).
			for _, dev := range devIDs {
				if _, err := l.txExec(ctx, tx, `UPDATE locations SET
    total_file_count = (SELECT coalesce(sum(s.files), 0) FROM entries d JOIN dir_stats s ON s.dir_id = d.id WHERE d.location_id = locations.id AND d.path IS NOT NULL),
    total_byte_size = (SELECT coalesce(sum(s.bytes), 0) FROM entries d JOIN dir_stats s ON s.dir_id = d.id WHERE d.location_id = locations.id AND d.path IS NOT NULL)
WHERE device_id = ?`, dev); err != nil {
					return err
				}
			}
		}
		if syncApplyHook != nil {
			if err := syncApplyHook(); err != nil {
				return err
			}
		}
		now := ms(l.now())
		for d, c := range cursors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors (stream, seq, js_seq, applied, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, js_seq = excluded.js_seq, applied = excluded.applied, updated_at = excluded.updated_at`,
				d.String(), c.seq, c.js, c.applied, now); err != nil {
				return err
			}
		}
		return nil
	})
	if newDevices {
		// After a rollback too: the cache must not keep a device the database does not.
		if rerr := l.reloadDeviceBases(ctx); err == nil {
			err = rerr
		}
	}
	return res, err
}

// ensureDevice returns the row id of a peer device, registering it (offline, described by
// its "dev" message later) when it is new.
func ensureDevice(ctx context.Context, tx *sql.Tx, l *Library, u uuid.UUID) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE uuid = ?`, u[:]).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	id, err = insertDevice(ctx, tx, l, DeviceInfo{UUID: u, Name: u.String()[:8], OS: "unknown", HardwareModel: "unknown"})
	return id, true, err
}

func (l *Library) applyMessage(ctx context.Context, tx *sql.Tx, dev int64, m SyncMessage, removed *bool, bulkLo int64) (int, error) {
	switch {
	case m.Subject == "dev":
		var d wireDevice
		if err := json.Unmarshal(m.Body, &d); err != nil {
			return 0, fmt.Errorf("%w: device: %w", ErrInvalid, err)
		}
		if d.Name == "" || d.OS == "" || d.HardwareModel == "" {
			return 0, fmt.Errorf("%w: device: name, os and hardware_model are required", ErrInvalid)
		}
		_, err := tx.ExecContext(ctx, `UPDATE devices SET name = ?, os = ?, os_version = ?, hardware_model = ?, updated_at = ? WHERE id = ?`,
			d.Name, d.OS, nullString(d.OSVersion), d.HardwareModel, ms(l.now()), dev)
		if err == nil {
			l.bases.mu.Lock()
			if b, ok := l.bases.byID[dev]; ok {
				b.dev.Name = d.Name
				l.bases.byID[dev] = b
			}
			l.bases.mu.Unlock()
		}
		return 0, err
	case strings.HasPrefix(m.Subject, "d."):
		var d wireDir
		if err := json.Unmarshal(m.Body, &d); err != nil {
			return 0, fmt.Errorf("%w: listing: %w", ErrInvalid, err)
		}
		return l.applyDir(ctx, tx, dev, d, removed, bulkLo)
	case strings.HasPrefix(m.Subject, "o."):
		return 0, l.applyRegisters(ctx, tx, m.Device, m.Body)
	}
	return 0, fmt.Errorf("%w: unknown subject %q", ErrInvalid, m.Subject)
}

// remoteLocation returns the local row of another device's location, creating it; a
// location of a third device is refused: a device writes only its own.
func (l *Library) remoteLocation(ctx context.Context, tx *sql.Tx, dev int64, w wireLocation, create bool) (int64, error) {
	var id, owner int64
	// Prepared once per transaction: every listing asks (a fifth of a /usr/share/doc apply's
	// CPU when prepared each time).
	err := l.txQueryRow(ctx, tx, `SELECT id, device_id FROM locations WHERE uuid = ?`, w.UUID[:]).Scan(&id, &owner)
	switch {
	case err == nil:
		if owner != dev {
			return 0, fmt.Errorf("%w: location %s belongs to another device", ErrConflict, w.UUID)
		}
		if create && w.Path != "" {
			_, err = l.txExec(ctx, tx, `UPDATE locations SET path = ?, name = ?, index_mode = ? WHERE id = ? AND (path, coalesce(name, ''), index_mode) IS NOT (?, ?, ?)`,
				w.Path, nullString(w.Name), w.Mode, id, w.Path, w.Name, w.Mode)
		}
		return id, err
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	case !create:
		return 0, nil
	}
	if w.Path == "" || (w.Mode != "metadata" && w.Mode != "content" && w.Mode != "deep") {
		return 0, fmt.Errorf("%w: location needs a path and a mode", ErrInvalid)
	}
	now := ms(l.now())
	err = tx.QueryRowContext(ctx, `INSERT INTO locations (uuid, device_id, path, name, index_mode, scan_state, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'complete', ?, ?) RETURNING id`, w.UUID[:], dev, w.Path, nullString(w.Name), w.Mode, now, now).Scan(&id)
	return id, err
}

func childPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

// applyDir applies a directory's listing (or its subtree's tombstone) from device dev.
func (l *Library) applyDir(ctx context.Context, tx *sql.Tx, dev int64, d wireDir, removed *bool, bulkLo int64) (written int, err error) {
	if d.Self.ID <= 0 || d.Self.ID >= remoteIDMin {
		return 0, fmt.Errorf("%w: entry id out of range", ErrInvalid)
	}
	self := remoteEntryID(dev, d.Self.ID)
	if d.T == "del" {
		loc, err := l.remoteLocation(ctx, tx, dev, d.Loc, false)
		if err != nil || loc == 0 {
			return 0, err
		}
		res, err := l.txExec(ctx, tx, `DELETE FROM entries WHERE id = ? AND location_id = ?`, self, loc)
		if err != nil {
			return 0, err
		}
		n, _ := res.RowsAffected()
		*removed = *removed || n > 0
		if d.Path == "" {
			// The location's root: the location is gone from its device.
			if _, err := l.txExec(ctx, tx, `DELETE FROM locations WHERE id = ?`, loc); err != nil {
				return 0, err
			}
		}
		return int(n), nil
	}
	if d.T != "dir" {
		return 0, fmt.Errorf("%w: unknown listing type %q", ErrInvalid, d.T)
	}
	loc, err := l.remoteLocation(ctx, tx, dev, d.Loc, true)
	if err != nil {
		return 0, err
	}
	// Ancestors first: placeholders where they are not known yet (their own listings, when
	// they come, fill them in).
	var parent sql.NullInt64
	path := ""
	for i, a := range d.Anc {
		if a.ID <= 0 || a.ID >= remoteIDMin {
			return 0, fmt.Errorf("%w: entry id out of range", ErrInvalid)
		}
		id := remoteEntryID(dev, a.ID)
		if i > 0 {
			path = childPath(path, a.Name)
		}
		if err := l.placeDir(ctx, tx, loc, id, parent, a.Name, path); err != nil {
			return 0, err
		}
		parent = sql.NullInt64{Int64: id, Valid: true}
	}
	if len(d.Anc) == 0 {
		path = ""
	} else {
		path = childPath(path, d.Self.name())
	}
	if path != d.Path {
		return 0, fmt.Errorf("%w: listing path %q does not match its ancestors (%q)", ErrInvalid, d.Path, path)
	}
	if err := l.placeDir(ctx, tx, loc, self, parent, d.Self.name(), path); err != nil {
		return 0, err
	}
	if err := l.upsertRemoteEntry(ctx, tx, loc, parent, self, d.Self, path, bulkLo); err != nil {
		return 0, err
	}
	written++

	ids := make([]int64, len(d.Children))
	for i, c := range d.Children {
		if c.ID <= 0 || c.ID >= remoteIDMin || c.name() == "" || c.Kind < 0 || c.Kind > 2 {
			return 0, fmt.Errorf("%w: bad child entry", ErrInvalid)
		}
		ids[i] = remoteEntryID(dev, c.ID)
	}
	idsJSON, _ := json.Marshal(ids)
	// Children renamed or moved here get a name no listing can hold (NUL never occurs in a
	// file name) until every child has its final name: two children swapping names would
	// otherwise collide on the unique (parent, name) index.
	pairs := make([][2]any, len(d.Children))
	for i, c := range d.Children {
		pairs[i] = [2]any{ids[i], c.name()}
	}
	pairsJSON, _ := json.Marshal(pairs)
	if _, err := l.txExec(ctx, tx, `UPDATE entries SET name = entries.name || x'00' || entries.id
FROM (SELECT value ->> 0 AS id, value ->> 1 AS name FROM json_each(?1)) AS c
WHERE entries.id = c.id AND (entries.parent_id IS NOT ?2 OR entries.name <> c.name)`, string(pairsJSON), self); err != nil {
		return 0, err
	}
	// The children's contents before: a content no entry keeps any more goes (as a scan's
	// finalize does), checked once the listing is applied.
	var oldContents string
	if err := l.txQueryRow(ctx, tx, `SELECT json_group_array(content_id) FROM entries WHERE parent_id = ? AND content_id IS NOT NULL`, self).Scan(&oldContents); err != nil {
		return 0, err
	}
	defer func() {
		if err == nil {
			// NOT EXISTS too: in a bulk insert, entry_count does not count the transaction's
			// new entries until the catch-up.
			_, err = l.txExec(ctx, tx, `DELETE FROM content_identity WHERE id IN (SELECT value FROM json_each(?)) AND entry_count = 0
    AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identity.id)`, oldContents)
		}
	}()
	// A removed child directory takes its subtree along: its contents are swept at the end.
	var goneDirs bool
	if err := l.txQueryRow(ctx, tx, `SELECT EXISTS (SELECT 1 FROM entries WHERE parent_id = ? AND kind = 1 AND id NOT IN (SELECT value FROM json_each(?)))`, self, string(idsJSON)).Scan(&goneDirs); err != nil {
		return 0, err
	}
	*removed = *removed || goneDirs
	res, err := l.txExec(ctx, tx, `DELETE FROM entries WHERE parent_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, self, string(idsJSON))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	written += int(n)
	for i, c := range d.Children {
		cp := sql.NullString{}
		if c.Kind == int(KindDirectory) {
			cp = sql.NullString{String: childPath(path, c.name()), Valid: true}
		}
		if err := l.upsertRemoteEntryPath(ctx, tx, loc, sql.NullInt64{Int64: self, Valid: true}, ids[i], c, cp, bulkLo); err != nil {
			return 0, err
		}
		written++
	}
	return written, nil
}

// placeDir makes sure directory id exists at (parent, name, path), creating a placeholder or
// moving the known one (and renaming the paths below it).
func (l *Library) placeDir(ctx context.Context, tx *sql.Tx, loc, id int64, parent sql.NullInt64, name, path string) error {
	var oldPath sql.NullString
	var oldParent sql.NullInt64
	var oldName string
	err := l.txQueryRow(ctx, tx, `SELECT path, parent_id, name FROM entries WHERE id = ?`, id).Scan(&oldPath, &oldParent, &oldName)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Whatever holds the place now is stale (its device moved or removed it meanwhile).
		if err := l.clearPlace(ctx, tx, loc, 0, parent, name, path); err != nil {
			return err
		}
		_, err = l.txExec(ctx, tx, `INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, modified_at, path) VALUES (?, ?, ?, ?, ?, 1, 0, 0, ?)`,
			id, loc, parent, name, nullString(ExtensionOf(name)), path)
		return err
	case err != nil:
		return err
	}
	if oldPath.String == path && oldParent == parent && oldName == name {
		return nil
	}
	if err := l.clearPlace(ctx, tx, loc, id, parent, name, path); err != nil {
		return err
	}
	if _, err := l.txExec(ctx, tx, `UPDATE entries SET parent_id = ?, name = ?, extension = ?, path = ? WHERE id = ?`, parent, name, nullString(ExtensionOf(name)), path, id); err != nil {
		return err
	}
	old := oldPath.String
	if old != "" || path != "" {
		// The directories below follow (their own listings may never come: they did not change).
		_, err = l.txExec(ctx, tx, `UPDATE entries SET path = ?1 || substr(path, length(?2) + 1)
WHERE location_id = ?3 AND path > ?2 || '/' AND path < ?2 || '0' AND id <> ?4`, path, old, loc, id)
	}
	return err
}

// clearPlace deletes whatever other entry than id holds a directory's place: its name under
// parent, or its path. Two statements, each on its index: an OR of the two read the whole
// table for every directory (a /usr propagation took 28 s).
func (l *Library) clearPlace(ctx context.Context, tx *sql.Tx, loc, id int64, parent sql.NullInt64, name, path string) error {
	if parent.Valid {
		if _, err := l.txExec(ctx, tx, `DELETE FROM entries WHERE parent_id = ? AND name = ? AND id <> ?`, parent.Int64, name, id); err != nil {
			return err
		}
	}
	_, err := l.txExec(ctx, tx, `DELETE FROM entries WHERE location_id = ? AND path = ? AND id <> ?`, loc, path, id)
	return err
}

func (l *Library) upsertRemoteEntry(ctx context.Context, tx *sql.Tx, loc int64, parent sql.NullInt64, id int64, w wireEntry, path string, bulkLo int64) error {
	return l.upsertRemoteEntryPath(ctx, tx, loc, parent, id, w, sql.NullString{String: path, Valid: true}, bulkLo)
}

func (l *Library) upsertRemoteEntryPath(ctx context.Context, tx *sql.Tx, loc int64, parent sql.NullInt64, id int64, w wireEntry, path sql.NullString, bulkLo int64) error {
	if w.Cas != nil {
		if w.Kind != int(KindFile) || w.Size <= 0 {
			return fmt.Errorf("%w: content on a non-file", ErrInvalid)
		}
		if _, err := l.txExec(ctx, tx, `INSERT INTO content_identity (id, kind, size_bytes, created_at) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO NOTHING`,
			*w.Cas, w.CKind, w.Size); err != nil {
			return err
		}
	}
	name := w.name()
	if (w.Kind == int(KindDirectory)) != path.Valid {
		return fmt.Errorf("%w: directory without a path", ErrInvalid)
	}
	_, err := l.txExec(ctx, tx, `INSERT INTO entries (id, location_id, parent_id, name, extension, kind, size, inode, permissions, created_at, modified_at, accessed_at, content_id, path)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT (id) DO UPDATE SET parent_id = ?3, name = ?4, extension = ?5, kind = ?6, size = ?7, inode = ?8, permissions = ?9,
    created_at = ?10, modified_at = ?11, accessed_at = ?12, content_id = ?13, path = ?14
WHERE (parent_id, name, kind, size, permissions, created_at, modified_at, accessed_at, content_id, path) IS NOT (?3, ?4, ?6, ?7, ?9, ?10, ?11, ?12, ?13, ?14)`,
		id, loc, parent, name, nullString(ExtensionOf(name)), w.Kind, w.Size, nil, ptrArg(w.Perm), ptrArg(w.CTime), w.MTime, ptrArg(w.ATime), ptrArg(w.Cas), path)
	if err != nil {
		return err
	}
	if w.Kind == int(KindDirectory) && (bulkLo == 0 || id < bulkLo) {
		// (A directory of the bulk insert gets its row from the catch-up, which counts its
		// children: a row made here would count an older entry moved into it twice, once by
		// the move trigger and once by the catch-up.)
		// A kind change (file → directory) or a new directory needs its aggregates row; the
		// insert trigger made it for new ones.
		_, err = l.txExec(ctx, tx, `INSERT INTO dir_stats (dir_id) VALUES (?) ON CONFLICT DO NOTHING`, id)
	}
	return err
}

// SyncJoin makes this library, which must be empty (no locations, no tags, labels or
// metadata), a device of the library lib: it takes over lib's UUID and home device, so entry
// and metadata UUIDs agree with every other device of it.
func (l *Library) SyncJoin(ctx context.Context, lib, home uuid.UUID) error {
	const op = "sync.join"
	if lib == uuid.Nil || home == uuid.Nil {
		return errInvalid(op, "library", "library and home device UUIDs are required")
	}
	err := l.update(ctx, op, func(tx *sql.Tx) error {
		var cur uuid.UUID
		if err := l.txQueryRow(ctx, tx, `SELECT uuid FROM library WHERE id = 1`).Scan(&cur); err != nil {
			return err
		}
		if cur == lib {
			return nil // joined already
		}
		var n int
		if err := l.txQueryRow(ctx, tx, `SELECT (SELECT count(*) FROM locations) + (SELECT count(*) FROM tags) + (SELECT count(*) FROM labels) + (SELECT count(*) FROM user_metadata) + (SELECT count(*) FROM sync_registers)`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errConflict(op, "only an empty library can join another (this one has locations, tags, labels or metadata)")
		}
		_, err := l.txExec(ctx, tx, `UPDATE library SET uuid = ?, home_device = ? WHERE id = 1`, lib[:], home[:])
		return err
	})
	if err != nil {
		return err
	}
	l.info.UUID = lib
	if err := l.loadEntryUUIDBase(ctx); err != nil {
		return err
	}
	return nil
}

// txExec, txQueryRow and txQuery run statements prepared once per transaction: applying a
// listing runs the same few statements for every entry, and preparing them each time was two
// thirds of the apply's CPU (BenchmarkSync_Ship, /usr/share/doc). (Library.stmt cannot serve
// here: it prepares on the writer pool, whose one connection this transaction holds.)
type txStmts struct {
	mu sync.Mutex
	tx *sql.Tx
	m  map[string]*sql.Stmt
}

func (l *Library) txPrepared(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	c := &l.syncStmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tx != tx {
		// A new transaction: the old one's statements closed with it.
		c.tx, c.m = tx, map[string]*sql.Stmt{}
	}
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (l *Library) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := l.txPrepared(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (l *Library) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	st, err := l.txPrepared(ctx, tx, q)
	if err != nil {
		// Scan reports it: the transaction prepares again and fails the same way.
		return tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (l *Library) txQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := l.txPrepared(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
