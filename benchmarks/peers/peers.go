// Package peers runs the external tools filedex is compared with: find (the
// walk floor), fdfind, plocate/updatedb and jdupes. A tool that is not
// installed is reported as missing; nothing is ever estimated in its place.
package peers

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Tool is an external program.
type Tool struct {
	Name    string   // as reported ("jdupes")
	Bin     string   // executable name looked up in PATH
	Version []string // arguments that print its version
	Package string   // Debian package providing it
}

// Tools are the peers of issue 7.
var (
	Find     = Tool{Name: "find", Bin: "find", Version: []string{"--version"}, Package: "findutils"}
	FdFind   = Tool{Name: "fdfind", Bin: "fdfind", Version: []string{"--version"}, Package: "fd-find"}
	UpdateDB = Tool{Name: "updatedb", Bin: "updatedb", Version: []string{"--version"}, Package: "plocate"}
	PLocate  = Tool{Name: "plocate", Bin: "plocate", Version: []string{"--version"}, Package: "plocate"}
	JDupes   = Tool{Name: "jdupes", Bin: "jdupes", Version: []string{"-v"}, Package: "jdupes"}
	All      = []Tool{Find, FdFind, UpdateDB, PLocate, JDupes}
)

// Path returns the tool's executable, or an error saying how to install it.
func (t Tool) Path() (string, error) {
	p, err := exec.LookPath(t.Bin)
	if err != nil {
		return "", fmt.Errorf("%s not installed (Debian package %s)", t.Bin, t.Package)
	}
	return p, nil
}

// VersionString returns the first line of the tool's version output, or
// "missing".
func (t Tool) VersionString() string {
	p, err := t.Path()
	if err != nil {
		return "missing"
	}
	out, err := exec.Command(p, t.Version...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return "present (version unknown)"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// Versions maps every peer to its version or "missing".
func Versions() map[string]string {
	m := map[string]string{}
	for _, t := range All {
		m[t.Name] = t.VersionString()
	}
	return m
}

// Run runs the tool with args, its standard output going straight to
// /dev/null (a file, so no pipe or copying goroutine adds to its time).
// Standard error is kept for the error message.
func (t Tool) Run(args ...string) error {
	p, err := t.Path()
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(p, args...)
	cmd.Stdout = null
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", t.Bin, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Output runs the tool and returns its standard output.
func (t Tool) Output(args ...string) ([]byte, error) {
	p, err := t.Path()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(p, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", t.Bin, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// WalkArgs is the walk floor of docs/facts.md: every entry with size, mtime and
// inode, i.e. the same lstat a metadata scan needs.
func WalkArgs(root string) []string { return []string{root, "-printf", `%p %s %T@ %i\n`} }

// FdArgs lists every name below root, hidden and ignored ones included.
func FdArgs(root string) []string { return []string{"-H", "-I", ".", root} }

// UpdateDBArgs builds a plocate database of root only, with no pruning
// (Debian's /etc/updatedb.conf prunes /tmp, where trees may live) and no
// visibility checks.
func UpdateDBArgs(root, db string) []string {
	return []string{"-U", root, "-o", db, "-l", "no", "--prunepaths", "", "--prunenames", "", "--prunefs", "", "--prune-bind-mounts", "no"}
}

// PLocateArgs searches db for a glob.
func PLocateArgs(db, glob string) []string { return []string{"-d", db, glob} }

// JDupesArgs finds duplicate files below root, recursively, quietly.
func JDupesArgs(root string) []string { return []string{"-r", "-q", root} }
