// Package core is the filedex library: one SQLite database that indexes directories
// ("locations"), identifies file content, and keeps the user's tags, labels, favourites and
// notes beside the index.
//
// # Opening a library
//
// A library is a directory holding database.db (SQLite in WAL mode) and backups/.
// [Open] creates it when missing and applies pending schema migrations; the zero [Options]
// work. [DefaultDir] is where the CLI keeps its library.
//
//	lib, err := core.Open(dir, core.Options{})
//	if err != nil { … }
//	defer lib.Close()
//
// # The API
//
// Each table has a typed API reached from the [Library]: [Library.Devices],
// [Library.Locations], [Library.Entries], [Library.Contents], [Library.Metadata],
// [Library.Tags], [Library.Labels], [Library.Jobs]. Lists are paginated by keyset: pass the
// returned cursor as [Page.After] to get the next page.
//
// # Errors
//
// Every error wraps one of the sentinels ([ErrNotFound], [ErrConflict], [ErrInvalid],
// [ErrReadOnly], [ErrBusy], [ErrSandbox], [ErrIncompatible], [ErrFull], [ErrCancelled], [ErrInternal]);
// [CodeOf] gives its stable [Code], which every transport reports.
//
// # Backups and maintenance
//
// [Library.Backup] copies the database with SQLite's online backup API in one snapshot (a
// scan may keep committing), verifies the copy, and renames it into backups/ under the
// seed's name, database_backup_YYYYmmdd_HHMMSS.db. [Restore] (or [Library.Restore] on an
// open library) validates a backup, migrates it if it is older, keeps the database it
// replaces as a backup, and swaps it in with one rename. [Library.Check] verifies SQLite's
// integrity and filedex's own invariants; [Library.Optimize] runs ANALYZE, PRAGMA optimize
// and VACUUM.
//
// Every open library holds the advisory lock file [LockFile] in its directory shared; a
// restore takes it exclusively, so it never swaps the database under a process using it.
//
// # Reproducible output
//
// [Options.Clock] and [Options.UUIDs] are the only sources of time and randomness. With
// [FixedClock] and [SeededUUIDs], every output is byte-identical across runs and engines.
//
// # Caveats
//
//   - One process writes at a time (SQLite's rule). Writers in other processes wait
//     [Options.BusyTimeout] and then fail with [ErrBusy]; readers never wait.
//   - A disk that fills up fails the write with [ErrFull] (code disk_full) and rolls it back
//     whole; the library is usable again once there is space.
//   - Under WASI the library lock only excludes other Library values in the same module:
//     a WASI module cannot see other processes, so one library directory must not be opened
//     by two WASI instances at once.
//   - Names are kept byte for byte. JSON cannot carry bytes that are not UTF-8, so such a name
//     also travels base64-encoded in [Entry.NameB64].
package core
