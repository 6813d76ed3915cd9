//go:build !unix

package identify

import "os"

// osFile is the portable open file (GOOS=wasip1, Windows, ...).
type osFile struct{ *os.File }

func open(path string) (openFile, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (f osFile) stat() (bool, int64, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, 0, 0, err
	}
	return fi.Mode().IsRegular(), fi.Size(), fi.ModTime().UnixNano(), nil
}
