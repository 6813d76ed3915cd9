//go:build !unix

package main

import "os/exec"

// asNobody is a no-op where there are no Unix credentials; the permission
// test then relies on the directory mode alone.
func asNobody(cmd *exec.Cmd) {}
