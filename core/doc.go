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
// [ErrReadOnly], [ErrBusy], [ErrSandbox], [ErrIncompatible], [ErrCancelled], [ErrInternal]);
// [CodeOf] gives its stable [Code], which every transport reports.
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
//   - Names are kept byte for byte. JSON cannot carry bytes that are not UTF-8, so such a name
//     also travels base64-encoded in [Entry.NameB64].
package core
