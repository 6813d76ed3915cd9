// Package wasivfs names the SQLite VFS filedex opens its databases with: the
// OS VFS natively, and under WASI (GOOS=wasip1) the OS VFS with a
// full-pathname step that works with the plain preopened directories any
// WASI runtime gives a guest.
package wasivfs

import (
	"net/url"
	"path/filepath"
)

// URI is the SQLite URI filename for path with query q and the platform's
// VFS (open it with SQLITE_OPEN_URI; driver.Open always does).
func URI(path string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	if Name != "" && q.Get("vfs") == "" {
		q.Set("vfs", Name)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}
