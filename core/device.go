package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DeviceInfo describes a machine. [Open] registers the local one on first open and keeps its
// row current on every read-write open.
type DeviceInfo struct {
	UUID             uuid.UUID
	Name             string
	OS               string
	OSVersion        string
	HardwareModel    string
	NetworkAddresses []string
	Capabilities     map[string]any
}

// Device is a row of the devices table.
type Device struct {
	ID               int64          `json:"id"`
	UUID             uuid.UUID      `json:"uuid"`
	Name             string         `json:"name"`
	OS               string         `json:"os"`
	OSVersion        string         `json:"os_version,omitempty"`
	HardwareModel    string         `json:"hardware_model"`
	NetworkAddresses []string       `json:"network_addresses,omitempty"`
	IsOnline         bool           `json:"is_online"`
	LastSeenAt       time.Time      `json:"last_seen_at"`
	Capabilities     map[string]any `json:"capabilities,omitempty"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// deviceNamespace scopes device UUIDs derived from a machine id (UUIDv5), so the same machine
// is the same device in every library without storing anything outside the library.
var deviceNamespace = uuid.MustParse("5f0e2c1a-9d4b-4c55-8a51-6d1f3e2b7c90")

// DeviceEnv names the environment variable that chooses this device's identity
// (FILEDEX_DEVICE=NAME): the device is named NAME and its UUID is derived from the machine id
// and NAME, so several devices of one library can run on one machine.
const DeviceEnv = "FILEDEX_DEVICE"

// LocalDevice probes the machine this process runs on. With $FILEDEX_DEVICE set it is
// [NamedDevice] of that name.
func LocalDevice() DeviceInfo { return NamedDevice(os.Getenv(DeviceEnv)) }

// NamedDevice is the device called name on this machine: its UUID is derived from the
// machine id and the name. An empty name is the machine itself (the host's name, the UUID of
// the machine id alone, as before device names existed).
func NamedDevice(name string) DeviceInfo {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	id := machineID()
	if id == "" {
		id = "host:" + host
	}
	if name != "" {
		// NUL cannot occur in a machine id: "m" + "\x00" + "x" is never another machine's id.
		id += "\x00device:" + name
		host = name
	}
	return DeviceInfo{
		UUID:          uuid.NewSHA1(deviceNamespace, []byte(id)),
		Name:          host,
		OS:            runtime.GOOS,
		OSVersion:     osVersion(),
		HardwareModel: hardwareModel(),
		Capabilities: map[string]any{
			"arch":        runtime.GOARCH,
			"cpus":        runtime.NumCPU(),
			"content_ids": true,
			"fts":         true,
		},
	}
}

func deviceInfo(d *DeviceInfo) DeviceInfo {
	if d != nil {
		return *d
	}
	return LocalDevice()
}

func machineID() string {
	if id := strings.TrimSpace(hostMachineID()); id != "" {
		return id
	}
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			if s := strings.TrimSpace(string(b)); s != "" {
				return s
			}
		}
	}
	return ""
}

func osVersion() string {
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				return strings.Trim(v, `"`)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return ""
}

func hardwareModel() string {
	if b, err := os.ReadFile("/sys/devices/virtual/dmi/id/product_name"); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s
		}
	}
	return runtime.GOARCH
}

func jsonOrNull(v any, empty bool) (any, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// registerDevice inserts the local device or brings its row up to date; it returns the row id.
func registerDevice(ctx context.Context, tx *sql.Tx, l *Library, d DeviceInfo) (int64, error) {
	now := ms(l.now())
	addrs, err := jsonOrNull(d.NetworkAddresses, len(d.NetworkAddresses) == 0)
	if err != nil {
		return 0, err
	}
	caps, err := jsonOrNull(d.Capabilities, len(d.Capabilities) == 0)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `
INSERT INTO devices (uuid, name, os, os_version, hardware_model, network_addresses, is_online, last_seen_at, capabilities, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
ON CONFLICT (uuid) DO UPDATE SET
    name = excluded.name, os = excluded.os, os_version = excluded.os_version,
    hardware_model = excluded.hardware_model, network_addresses = excluded.network_addresses,
    is_online = 1, last_seen_at = excluded.last_seen_at, capabilities = excluded.capabilities,
    updated_at = CASE WHEN (name, os, os_version, hardware_model, network_addresses, capabilities)
                        IS (excluded.name, excluded.os, excluded.os_version, excluded.hardware_model,
                            excluded.network_addresses, excluded.capabilities)
                      THEN updated_at ELSE excluded.updated_at END
RETURNING id`,
		d.UUID[:], d.Name, d.OS, nullString(d.OSVersion), d.HardwareModel, addrs, now, caps, now, now).Scan(&id)
	return id, err
}

// matches reports whether the stored row already says what d says.
func (x Device) matches(d DeviceInfo) bool {
	a, _ := json.Marshal([]any{x.Name, x.OS, x.OSVersion, x.HardwareModel, x.NetworkAddresses, x.Capabilities})
	b, _ := json.Marshal([]any{d.Name, d.OS, d.OSVersion, d.HardwareModel, d.NetworkAddresses, d.Capabilities})
	return string(a) == string(b) && x.IsOnline
}

// Devices is the typed API over the devices table.
type Devices struct {
	l  *Library
	db *sql.DB // nil: the reader pool
}

// Devices returns the device API.
func (l *Library) Devices() Devices { return Devices{l: l} }

// devicesOn reads through a given pool: during Open the readers do not exist yet.
func (l *Library) devicesOn(db *sql.DB) Devices { return Devices{l: l, db: db} }

const deviceCols = `id, uuid, name, os, os_version, hardware_model, network_addresses, is_online, last_seen_at, capabilities, created_at, updated_at`

func scanDevice(sc interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var osv, addrs, caps sql.NullString
	var seen, created, updated int64
	if err := sc.Scan(&d.ID, &d.UUID, &d.Name, &d.OS, &osv, &d.HardwareModel, &addrs, &d.IsOnline, &seen, &caps, &created, &updated); err != nil {
		return d, err
	}
	d.OSVersion = osv.String
	if addrs.Valid {
		if err := json.Unmarshal([]byte(addrs.String), &d.NetworkAddresses); err != nil {
			return d, err
		}
	}
	if caps.Valid {
		if err := json.Unmarshal([]byte(caps.String), &d.Capabilities); err != nil {
			return d, err
		}
	}
	d.LastSeenAt, d.CreatedAt, d.UpdatedAt = fromMS(seen), fromMS(created), fromMS(updated)
	return d, nil
}

// Get returns the device with the given id.
func (s Devices) Get(ctx context.Context, id int64) (Device, error) {
	return s.one(ctx, "device.get", `SELECT `+deviceCols+` FROM devices WHERE id = ?`, id)
}

// GetByUUID returns the device with the given UUID.
func (s Devices) GetByUUID(ctx context.Context, u uuid.UUID) (Device, error) {
	return s.one(ctx, "device.get", `SELECT `+deviceCols+` FROM devices WHERE uuid = ?`, u[:])
}

func (s Devices) one(ctx context.Context, op, q string, arg any) (Device, error) {
	var row *sql.Row
	var err error
	if s.db != nil {
		row = s.db.QueryRowContext(ctx, q, arg)
	} else if row, err = s.l.queryRow(ctx, q, arg); err != nil {
		return Device{}, wrapDB(op, err)
	}
	d, err := scanDevice(row)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNotFound(op, "no such device")
	}
	return d, wrapDB(op, err)
}

// DeviceFilter selects devices for [Devices.List].
type DeviceFilter struct {
	Online *bool // only online (true) or offline (false) devices
}

// List returns devices in id order, a page at a time.
func (s Devices) List(ctx context.Context, f DeviceFilter, p Page) ([]Device, string, error) {
	const op = "device.list"
	after, limit, err := p.idCursor(op)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.l.query(ctx, `SELECT `+deviceCols+` FROM devices WHERE id > ?1 AND (?2 IS NULL OR is_online = ?2) ORDER BY id LIMIT ?3`,
		after, boolPtrArg(f.Online), limit+1)
	if err != nil {
		return nil, "", wrapDB(op, err)
	}
	return collectPage(op, rows, limit, scanDevice, func(d Device) int64 { return d.ID })
}

// Create registers another device (a peer that shares this library).
func (s Devices) Create(ctx context.Context, d DeviceInfo) (Device, error) {
	const op = "device.create"
	if d.Name == "" || d.OS == "" || d.HardwareModel == "" {
		return Device{}, errInvalid(op, "name", "name, os and hardware_model are required")
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		if d.UUID == uuid.Nil {
			d.UUID = uuid.UUID(s.l.newUUID(s.l.now()))
		}
		var err error
		id, err = insertDevice(ctx, tx, s.l, d)
		return err
	})
	if err != nil {
		return Device{}, err
	}
	return s.Get(ctx, id)
}

func insertDevice(ctx context.Context, tx *sql.Tx, l *Library, d DeviceInfo) (int64, error) {
	now := ms(l.now())
	addrs, err := jsonOrNull(d.NetworkAddresses, len(d.NetworkAddresses) == 0)
	if err != nil {
		return 0, err
	}
	caps, err := jsonOrNull(d.Capabilities, len(d.Capabilities) == 0)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO devices (uuid, name, os, os_version, hardware_model, network_addresses, is_online, last_seen_at, capabilities, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, d.UUID[:], d.Name, d.OS, nullString(d.OSVersion), d.HardwareModel, addrs, now, caps, now, now)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// DeviceUpdate lists the fields to change; nil fields stay as they are.
type DeviceUpdate struct {
	Name     *string
	IsOnline *bool
}

// Update changes a device.
func (s Devices) Update(ctx context.Context, id int64, u DeviceUpdate) (Device, error) {
	const op = "device.update"
	if u.Name != nil && *u.Name == "" {
		return Device{}, errInvalid(op, "name", "must not be empty")
	}
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET name = coalesce(?, name), is_online = coalesce(?, is_online), updated_at = ? WHERE id = ?`,
			u.Name, boolPtrArg(u.IsOnline), ms(s.l.now()), id)
		return mustAffect(op, res, err, "no such device")
	})
	if err != nil {
		return Device{}, err
	}
	return s.Get(ctx, id)
}

// Delete removes a device. A device that still owns locations cannot be deleted (remove its
// locations first): that would silently drop their index.
func (s Devices) Delete(ctx context.Context, id int64) error {
	const op = "device.delete"
	if id == s.l.deviceID {
		return errConflict(op, "cannot delete the device this process runs on")
	}
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM locations WHERE device_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errConflict(op, "device still has locations; remove them first")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = ?`, id)
		return mustAffect(op, res, err, "no such device")
	})
}
