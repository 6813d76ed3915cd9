//go:build wasip1

package bindings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"unsafe"
)

// A WASI guest can reach exactly its preopened directories, so those are the
// sandbox roots. The Go runtime reads the same list at start-up but keeps it
// private; asking the host again (fds 3, 4, … until EBADF, as the WASI
// preview1 convention goes) costs a few calls once per session.

//go:wasmimport wasi_snapshot_preview1 fd_prestat_get
func fdPrestatGet(fd int32, buf unsafe.Pointer) int32

//go:wasmimport wasi_snapshot_preview1 fd_prestat_dir_name
func fdPrestatDirName(fd int32, buf unsafe.Pointer, n int32) int32

// sandboxRootsEnv lets a host name fewer sandbox roots than it preopens (a
// JSON array of guest paths). Without it the preopens are the roots.
const sandboxRootsEnv = "FILEDEX_SANDBOX_ROOTS"

func sandboxRoots() []string {
	if v := os.Getenv(sandboxRootsEnv); v != "" {
		var roots []string
		if err := json.Unmarshal([]byte(v), &roots); err == nil {
			for i, r := range roots {
				roots[i] = filepath.Clean(r)
			}
			sort.Strings(roots)
			return roots
		}
		// Malformed: fall back to the preopens, never to "unrestricted".
	}
	roots := []string{}
	for fd := int32(3); ; fd++ {
		// struct prestat { u8 tag; u32 name_len; } — 8 bytes, tag 0 = directory.
		var prestat [2]uint32
		if errno := fdPrestatGet(fd, unsafe.Pointer(&prestat[0])); errno != 0 {
			break // EBADF: no more preopens
		}
		if prestat[0]&0xff != 0 {
			continue
		}
		n := prestat[1]
		if n == 0 {
			continue
		}
		name := make([]byte, n)
		if errno := fdPrestatDirName(fd, unsafe.Pointer(&name[0]), int32(n)); errno != 0 {
			continue
		}
		// Some hosts NUL-terminate the name; Go's runtime trims the same way.
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		p := string(name)
		if !filepath.IsAbs(p) {
			p = "/" + p
		}
		roots = append(roots, filepath.Clean(p))
	}
	sort.Strings(roots)
	return roots
}
