//go:build !unix

package core_test

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs here") }
