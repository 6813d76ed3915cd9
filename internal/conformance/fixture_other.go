//go:build !unix

package conformance

import (
	"errors"
	"time"
)

// lchtimes is unix-only; the suite's other engines (the .so, Node's WASI) are too.
func lchtimes(string, time.Time) error {
	return errors.New("conformance fixtures need a unix system (symlink times)")
}
