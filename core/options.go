package core

import (
	crand "crypto/rand"
	"encoding/binary"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Options configure [Open]. The zero value works: a read-write library with the defaults below.
type Options struct {
	// ReadOnly opens the library without ever writing to it: no migrations, no device
	// registration; writes fail with ErrReadOnly. The library must exist.
	ReadOnly bool

	// SkipMigrations leaves pending migrations unapplied when an existing library is opened,
	// so `filedex migrate status` can show them and `migrate up --to N` can stop at N. Only
	// the migration methods are safe on such a library. A library newer than the binary is
	// refused either way, and a new library is always migrated.
	SkipMigrations bool

	// MustExist refuses to create a library: Open fails with ErrNotFound when dir or its
	// database does not exist, and creates neither. For callers that only read (a typo in a
	// library path must not leave an empty library behind); ReadOnly implies it.
	MustExist bool

	// Clock returns the current time; nil means time.Now. Tests and reproducible runs pass
	// [FixedClock].
	Clock Clock
	// UUIDs generates new UUIDs; nil means random UUIDv7. Reproducible runs pass [SeededUUIDs].
	UUIDs UUIDSource

	// MaxOpenConns caps connections (one writer plus readers). Default 10, the seed's pool size.
	MaxOpenConns int
	// MinOpenConns connections are kept open while idle. Default 1.
	MinOpenConns int
	// ConnectTimeout bounds opening the library (waiting for locks included). Default 10 s.
	ConnectTimeout time.Duration
	// IdleTimeout closes reader connections idle that long. Default 300 s.
	IdleTimeout time.Duration
	// BusyTimeout is how long a writer waits for another process's write lock before failing
	// with ErrBusy. Default 5 s.
	BusyTimeout time.Duration
	// CacheSizeKiB is SQLite's page cache per connection. Default 16 MiB for the writer and
	// 4 MiB per reader (cache_size is per connection; 10 connections × 16 MiB would be
	// more than the whole library of a million entries).
	CacheSizeKiB int

	// Device describes the machine this process runs on; nil means probe the OS.
	Device *DeviceInfo

	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger

	// vfs names the SQLite VFS for every file the library opens ("" is the OS). Only tests
	// set it (export_test.go), to inject faults such as a disk that fills up.
	vfs string
	// immutable opens the database with SQLite's immutable=1 (no locks, no shared memory):
	// set by a read-only Open that cannot use shared memory (recover.go, readImmutable).
	immutable bool
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.UUIDs == nil {
		o.UUIDs = &randomUUIDs{}
	}
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 10
	}
	if o.MaxOpenConns < 2 {
		o.MaxOpenConns = 2 // one writer and at least one reader
	}
	if o.MinOpenConns <= 0 {
		o.MinOpenConns = 1
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 300 * time.Second
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.CacheSizeKiB <= 0 {
		o.CacheSizeKiB = 16 << 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Clock is the library's source of time: every stored timestamp comes from it.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// FixedClock is a [Clock] that always returns t: every output becomes reproducible.
type FixedClock time.Time

// Now returns the fixed time.
func (c FixedClock) Now() time.Time { return time.Time(c) }

var (
	_ Clock = systemClock{}
	_ Clock = FixedClock{}
)

// UUIDSource makes new UUIDv7 values from a timestamp, so a fixed clock plus a seeded source
// yields the same UUIDs run after run.
type UUIDSource interface {
	// Random fills p with random bytes.
	Random(p []byte)
}

// randomUUIDs serves random bytes from a buffer refilled 4 KiB at a time: a scan makes a
// UUID a row, and a crypto/rand read per UUID (a getrandom call for 10 bytes) costs more
// than the bytes.
type randomUUIDs struct {
	mu  sync.Mutex
	buf [4096]byte
	n   int // bytes of buf still unused, at its end
}

func (r *randomUUIDs) Random(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(p) > 0 {
		if r.n == 0 {
			io.ReadFull(crand.Reader, r.buf[:])
			r.n = len(r.buf)
		}
		k := copy(p, r.buf[len(r.buf)-r.n:])
		clear(r.buf[len(r.buf)-r.n : len(r.buf)-r.n+k]) // a byte is handed out once
		r.n -= k
		p = p[k:]
	}
}

// seededUUIDs is deterministic: the same seed gives the same sequence in every engine and on
// every platform (PCG is specified bit for bit).
type seededUUIDs struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// SeededUUIDs returns a deterministic [UUIDSource]: with a [FixedClock], every UUID the
// library makes is the same on every run, engine and platform.
func SeededUUIDs(seed uint64) UUIDSource {
	return &seededUUIDs{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *seededUUIDs) Random(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(p) > 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], s.rng.Uint64())
		n := copy(p, b[:])
		p = p[n:]
	}
}

var (
	_ UUIDSource = (*randomUUIDs)(nil)
	_ UUIDSource = (*seededUUIDs)(nil)
)

// newV7 builds an RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits.
func newV7(t time.Time, src UUIDSource) uuid.UUID {
	var u uuid.UUID
	src.Random(u[6:])
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// An entry's UUID is not stored (migration 0007): it is the library's 10-byte base
// (library.entry_uuid_base, a UUIDv8 prefix the schema derives from the library's UUID, read
// once at Open) followed by the entry's id in 48 bits. The view entries_seed renders the same
// bytes in SQL (TestEntries_DerivedUUIDs compares them); Go builds them itself, because the SQL
// expression cost 2.4 µs a row (list_dir of 50 rows at 10k entries: 252 → 373 µs).
func entryUUID(base [10]byte, id int64) uuid.UUID {
	var u uuid.UUID
	copy(u[:10], base[:])
	v := uint64(id)
	u[10], u[11], u[12], u[13], u[14], u[15] = byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return u
}

// nextEntryID is the id of the next new entry. Ids are never reused, because a UUID names
// its id for good: the trigger entries_id_floor keeps library.entry_id_floor at the highest
// id deleted from the top of the table.
// Other devices' entries (ids from 1<<40, migration 0010) are not counted.
const nextEntryID = `SELECT max(coalesce((SELECT max(id) FROM entries WHERE id < 1099511627776), 0), (SELECT entry_id_floor FROM library)) + 1`

// entryIDFromUUID reads the id from an entry UUID's last 6 bytes.
func entryIDFromUUID(u uuid.UUID) int64 {
	return int64(u[10])<<40 | int64(u[11])<<32 | int64(u[12])<<24 | int64(u[13])<<16 | int64(u[14])<<8 | int64(u[15])
}
