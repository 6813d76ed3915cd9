package core

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"errors"
	"sync"

	"github.com/google/uuid"
)

// remoteIDShift splits the entry id space: ids below 1<<remoteIDShift are this device's own
// entries; another device's entry is (devices.id << remoteIDShift) | its id on that device
// (migration 0010). 40 bits leave a trillion local ids and 2^23 devices.
const remoteIDShift = 40

// remoteIDMin is the first id of another device's entry.
const remoteIDMin = int64(1) << remoteIDShift

// remoteEntryID is the local row id of entry originID of the device with row id deviceID.
func remoteEntryID(deviceID, originID int64) int64 { return deviceID<<remoteIDShift | originID }

// splitEntryID returns the device row id (0: this device) and the id on that device.
func splitEntryID(id int64) (deviceID, originID int64) {
	if id < remoteIDMin {
		return 0, id
	}
	return id >> remoteIDShift, id & (remoteIDMin - 1)
}

// EntryDevice names the device an entry belongs to; set only for other devices' entries.
type EntryDevice struct {
	ID   int64     `json:"id"`
	UUID uuid.UUID `json:"uuid"`
	Name string    `json:"name"`
}

// deviceBases caches, for every known device, the 10-byte base of its entry UUIDs. Devices
// are few and change rarely (a peer's first message); the cache is refreshed then.
type deviceBases struct {
	mu     sync.RWMutex
	byID   map[int64]deviceBase
	byBase map[[10]byte]int64 // base → device row id
}

type deviceBase struct {
	base [10]byte
	dev  EntryDevice
}

// entryUUIDBaseFor is the UUID base of a device's entries: the library's base (0007) for the
// home device, so existing UUIDs stay what they were; for any other device the base's first
// six bytes (random bytes of the library UUID) are XORed with six bytes of SHA-1 of the
// device UUID. The version and variant bytes are untouched, so it stays a UUIDv8.
func entryUUIDBaseFor(libBase [10]byte, home, device uuid.UUID) [10]byte {
	if device == home {
		return libBase
	}
	h := sha1.Sum(device[:])
	b := libBase
	for i := 0; i < 6; i++ {
		b[i] ^= h[i]
	}
	return b
}

// loadDeviceBases fills the device-base cache and sets this device's own base from the
// library's (loadEntryUUIDBase). A library
// below 0010 has no home device: the 0007 base is then this device's.
func (l *Library) loadDeviceBases(ctx context.Context, db *sql.DB) error {
	libBase := l.libEntryUUIDBase
	if l.info.SchemaVersion < 10 || libBase == ([10]byte{}) {
		return nil
	}
	var home []byte
	err := db.QueryRowContext(ctx, `SELECT coalesce(home_device, (SELECT uuid FROM devices ORDER BY id LIMIT 1)) FROM library WHERE id = 1`).Scan(&home)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return wrapDB("open", err)
	}
	var homeUUID uuid.UUID
	copy(homeUUID[:], home)
	rows, err := db.QueryContext(ctx, `SELECT id, uuid, name FROM devices`)
	if err != nil {
		return wrapDB("open", err)
	}
	defer rows.Close()
	byID := map[int64]deviceBase{}
	byBase := map[[10]byte]int64{}
	for rows.Next() {
		var d EntryDevice
		if err := rows.Scan(&d.ID, &d.UUID, &d.Name); err != nil {
			return wrapDB("open", err)
		}
		b := entryUUIDBaseFor(libBase, homeUUID, d.UUID)
		byID[d.ID] = deviceBase{base: b, dev: d}
		byBase[b] = d.ID
	}
	if err := rows.Err(); err != nil {
		return wrapDB("open", err)
	}
	if own, ok := byID[l.deviceID]; ok {
		l.entryUUIDBase = own.base
	}
	l.bases.mu.Lock()
	l.bases.byID, l.bases.byBase = byID, byBase
	l.bases.mu.Unlock()
	return nil
}

// reloadDeviceBases refreshes the cache after devices were added (sync apply).
func (l *Library) reloadDeviceBases(ctx context.Context) error {
	db := l.read
	if l.write != nil {
		db = l.write
	}
	return l.loadDeviceBases(ctx, db)
}

// entryUUID is the UUID of an entry row: the owning device's base, then the entry's id on
// that device (migrations 0007 and 0010).
func (l *Library) entryUUID(id int64) uuid.UUID {
	dev, origin := splitEntryID(id)
	if dev == 0 {
		return entryUUID(l.entryUUIDBase, id)
	}
	l.bases.mu.RLock()
	b, ok := l.bases.byID[dev]
	l.bases.mu.RUnlock()
	if !ok {
		b.base = l.entryUUIDBase // unreachable: a remote row's device is registered first
	}
	return entryUUID(b.base, origin)
}

// entryDevice is the device of another device's entry row, nil for this device's own.
func (l *Library) entryDevice(id int64) *EntryDevice {
	dev, _ := splitEntryID(id)
	if dev == 0 {
		return nil
	}
	l.bases.mu.RLock()
	b, ok := l.bases.byID[dev]
	l.bases.mu.RUnlock()
	if !ok {
		return &EntryDevice{ID: dev}
	}
	d := b.dev
	return &d
}

// entryIDOfUUID returns the row id an entry UUID names, or false when it names no device of
// this library.
func (l *Library) entryIDOfUUID(u uuid.UUID) (int64, bool) {
	if [10]byte(u[:10]) == l.entryUUIDBase {
		return entryIDFromUUID(u), true
	}
	l.bases.mu.RLock()
	dev, ok := l.bases.byBase[[10]byte(u[:10])]
	l.bases.mu.RUnlock()
	if !ok {
		return 0, false
	}
	if dev == l.deviceID {
		return entryIDFromUUID(u), true
	}
	return remoteEntryID(dev, entryIDFromUUID(u)), true
}

// cacheDeviceBase adds a device registered by the open transaction tx to the cache.
func (l *Library) cacheDeviceBase(ctx context.Context, tx *sql.Tx, id int64, u uuid.UUID) error {
	var home []byte
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(home_device, (SELECT uuid FROM devices ORDER BY id LIMIT 1)) FROM library WHERE id = 1`).Scan(&home); err != nil {
		return err
	}
	b := entryUUIDBaseFor(l.libEntryUUIDBase, uuid.UUID(home), u)
	l.bases.mu.Lock()
	defer l.bases.mu.Unlock()
	if l.bases.byID == nil {
		l.bases.byID, l.bases.byBase = map[int64]deviceBase{}, map[[10]byte]int64{}
	}
	l.bases.byID[id] = deviceBase{base: b, dev: EntryDevice{ID: id, UUID: u, Name: u.String()[:8]}}
	l.bases.byBase[b] = id
	return nil
}

// deviceIDRange is the entry id range of the device called name (migration 0010): this
// device's own ids lie below 1<<40, another's in [id<<40, (id+1)<<40).
func (l *Library) deviceIDRange(ctx context.Context, op, name string) (lo, hi int64, err error) {
	var id int64
	row, err := l.queryRow(ctx, `SELECT id FROM devices WHERE name = ? ORDER BY id LIMIT 1`, name)
	if err == nil {
		err = row.Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, errInvalid(op, "device", "no device named %q (see device.list)", name)
	}
	if err != nil {
		return 0, 0, wrapDB(op, err)
	}
	if id == l.deviceID {
		return 0, remoteIDMin, nil
	}
	return remoteEntryID(id, 0), remoteEntryID(id+1, 0), nil
}
