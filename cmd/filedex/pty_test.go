//go:build linux || darwin

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// bigTree writes files files in directories of 50.
func bigTree(t *testing.T, files int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "big")
	for i := range files {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", i/50))
		if i%50 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.txt", i)), fmt.Appendf(nil, "file %d\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// startPTY runs filedex with stderr on a pseudo-terminal (80×24) and stdout
// on a pipe. It returns the terminal's output as it accumulates.
type ptyRun struct {
	cmd *exec.Cmd
	out *syncBuffer
	std *bytes.Buffer
	tty *os.File
	pty *os.File
	eof chan struct{}
}

type syncBuffer struct {
	ch  chan []byte
	buf bytes.Buffer
}

func startPTY(t *testing.T, env []string, args ...string) *ptyRun {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80})
	r := &ptyRun{cmd: exec.Command(binary, args...), out: &syncBuffer{ch: make(chan []byte, 1024)}, std: &bytes.Buffer{}, tty: tty, pty: ptmx, eof: make(chan struct{})}
	r.cmd.Env = append(os.Environ(), env...)
	r.cmd.Stderr = tty
	r.cmd.Stdout = r.std
	r.cmd.Stdin = nil
	// Its own process group, so the test can signal it like a terminal's Ctrl-C would.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(r.eof)
		b := make([]byte, 4096)
		for {
			n, err := ptmx.Read(b)
			if n > 0 {
				r.out.ch <- append([]byte(nil), b[:n]...)
			}
			if err != nil {
				return
			}
		}
	}()
	return r
}

// waitFor reads terminal output until it contains s or the timeout passes.
func (r *ptyRun) waitFor(s string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for !strings.Contains(r.out.buf.String(), s) {
		select {
		case b := <-r.out.ch:
			r.out.buf.Write(b)
		case <-deadline:
			return false
		}
	}
	return true
}

// wait waits for the process and collects the rest of the terminal output.
func (r *ptyRun) wait() (int, string) {
	err := r.cmd.Wait()
	r.tty.Close()
	timeout := time.After(5 * time.Second)
	for done := false; !done; {
		select {
		case b := <-r.out.ch:
			r.out.buf.Write(b)
		case <-r.eof:
			for len(r.out.ch) > 0 {
				r.out.buf.Write(<-r.out.ch)
			}
			done = true
		case <-timeout:
			done = true
		}
	}
	r.pty.Close()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return code, r.out.buf.String()
}

// TestPTY_ScanProgress: on a terminal the scan draws its bar on stderr
// (carriage returns, the phase and counts); with stderr on a pipe nothing of
// it appears, and stdout holds only the summary in both cases.
func TestPTY_ScanProgress(t *testing.T) {
	tree := bigTree(t, 3000)
	lib := filepath.Join(t.TempDir(), "lib")
	// Small slices: the bar is redrawn between slices, and a 3000-file scan
	// takes well under one default 200 ms slice.
	env := []string{"FILEDEX_SCAN_SLICE_MS=5", "NO_COLOR=1"}
	r := startPTY(t, env, "--library", lib, "scan", tree)
	code, term := r.wait()
	if code != 0 {
		t.Fatalf("exit %d\nterminal: %q\nstdout: %s", code, term, r.std)
	}
	if !strings.Contains(term, "\r") || !strings.Contains(term, "\x1b[K") || !strings.Contains(term, "files") || !strings.Contains(term, "scan ") {
		t.Errorf("no progress bar on the terminal: %q", term)
	}
	if strings.Contains(r.std.String(), "\r") || !strings.Contains(r.std.String(), "3,000 files") {
		t.Errorf("stdout = %q, want only the summary", r.std)
	}

	// A rescan knows the total (the previous scan's count): a bar with a percentage and ETA.
	r = startPTY(t, env, "--library", lib, "scan", tree)
	code, term = r.wait()
	if code != 0 || !strings.Contains(term, "/3,000 files") || !strings.Contains(term, "%") {
		t.Errorf("rescan: exit %d, terminal %q", code, term)
	}

	// stderr on a pipe: no bar.
	cmd := exec.Command(binary, "--library", lib, "scan", tree)
	cmd.Env = append(os.Environ(), env...)
	var stderr, stdout bytes.Buffer
	cmd.Stderr, cmd.Stdout = &stderr, &stdout
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is a pipe, yet filedex wrote %q", stderr.String())
	}
	// --quiet on a terminal: no bar either.
	r = startPTY(t, env, "--library", lib, "-q", "scan", tree)
	if code, term := r.wait(); code != 0 || term != "" {
		t.Errorf("--quiet: exit %d, terminal %q", code, term)
	}
}

// TestPTY_InterruptAndResume: Ctrl-C stops the scan after the current slice,
// leaves its job paused, says how to resume and exits 130; jobs resume
// finishes it.
func TestPTY_InterruptAndResume(t *testing.T) {
	tree := bigTree(t, 3000)
	lib := filepath.Join(t.TempDir(), "lib")
	// 1 ms slices: about one directory per slice, so the scan lasts long
	// enough to be interrupted half-way.
	env := []string{"FILEDEX_SCAN_SLICE_MS=1", "NO_COLOR=1"}
	r := startPTY(t, env, "--library", lib, "scan", tree)
	if !r.waitFor(" files", 20*time.Second) {
		t.Fatalf("no progress before the timeout: %q", r.out.buf.String())
	}
	syscall.Kill(-r.cmd.Process.Pid, syscall.SIGINT)
	code, term := r.wait()
	if code != 130 || !strings.Contains(term, "filedex jobs resume") || !strings.Contains(term, "paused as job") {
		t.Fatalf("after Ctrl-C: exit %d (want 130), terminal %q", code, term)
	}
	c := &cli{t: t, lib: lib, env: []string{"NO_COLOR=1"}}
	out := c.ok("jobs")
	if !strings.Contains(out, "paused") {
		t.Errorf("jobs after Ctrl-C:\n%s\n%s\n%s", out, c.ok("--json", "jobs", "--all"), term)
	}
	var s scanJSON
	c.json(&s, "jobs", "resume")
	if len(s.Locations) != 1 || s.Summary.Files != 3000 {
		t.Errorf("resume summary = %+v", s)
	}
	var f entriesJSON
	c.json(&f, "find", "--ext", "txt")
	if len(f.Entries) != 3000 {
		t.Errorf("after resume, %d files indexed, want 3000", len(f.Entries))
	}
	_ = io.EOF
}

// TestPTY_TermPauses: SIGTERM (what service managers and `kill` send) pauses a scan as
// Ctrl-C does: the job is left paused, not running, and the process exits 143.
func TestPTY_TermPauses(t *testing.T) {
	tree := bigTree(t, 3000)
	lib := filepath.Join(t.TempDir(), "lib")
	env := []string{"FILEDEX_SCAN_SLICE_MS=1", "NO_COLOR=1"}
	r := startPTY(t, env, "--library", lib, "scan", tree)
	if !r.waitFor(" files", 20*time.Second) {
		t.Fatalf("no progress before the timeout: %q", r.out.buf.String())
	}
	syscall.Kill(r.cmd.Process.Pid, syscall.SIGTERM)
	code, term := r.wait()
	if code != 143 || !strings.Contains(term, "paused as job") {
		t.Fatalf("after SIGTERM: exit %d (want 143), terminal %q\n%s", code, term, (&cli{t: t, lib: lib}).ok("--json", "jobs", "--all"))
	}
	c := &cli{t: t, lib: lib, env: []string{"NO_COLOR=1"}}
	var jobs struct {
		Jobs []struct {
			Status string `json:"status"`
		} `json:"jobs"`
	}
	c.json(&jobs, "jobs", "--all")
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Status != "paused" {
		t.Errorf("jobs after SIGTERM: %+v, want one paused\n%s\n%s", jobs.Jobs, c.ok("--json", "jobs", "--all"), term)
	}
}

// TestPTY_ScanProgressOneCall: natively, without slices, the bar is drawn from the
// job.progress notifications of the one scan call.
func TestPTY_ScanProgressOneCall(t *testing.T) {
	tree := bigTree(t, 3000)
	lib := filepath.Join(t.TempDir(), "lib")
	r := startPTY(t, []string{"NO_COLOR=1"}, "--library", lib, "scan", tree)
	code, term := r.wait()
	if code != 0 || !strings.Contains(term, "\r") || !strings.Contains(term, " files") || !strings.Contains(term, "scan ") {
		t.Fatalf("exit %d, terminal %q", code, term)
	}
}

// TestPTY_WASIProgressAndInterrupt: --engine wasi draws the bar between its slices, and
// Ctrl-C pauses the scan after the current one (exit 130, job paused); resuming on the
// WASI engine finishes it.
func TestPTY_WASIProgressAndInterrupt(t *testing.T) {
	env := append(wasiEnv(t), "NO_COLOR=1")
	tree := bigTree(t, 3000)
	lib := filepath.Join(t.TempDir(), "lib")
	c := &cli{t: t, lib: lib, env: env}
	// The first start of a new build compiles the module (tens of seconds on a loaded
	// machine, with nothing to show): done here, in a library of its own, so the wait
	// below is for the scan.
	warm := &cli{t: t, lib: filepath.Join(t.TempDir(), "warm"), env: env}
	warm.ok("--engine", "wasi", "scan", t.TempDir())
	r := startPTY(t, env, "--engine", "wasi", "--library", lib, "scan", tree)
	if !r.waitFor(" files", 120*time.Second) {
		t.Fatalf("no progress before the timeout: %q", r.out.buf.String())
	}
	syscall.Kill(-r.cmd.Process.Pid, syscall.SIGINT)
	code, term := r.wait()
	if code == 0 {
		// The scan ended within the slice the signal arrived in: nothing was paused.
		t.Logf("the scan finished before Ctrl-C took effect: %q", term)
	} else {
		if code != 130 || !strings.Contains(term, "paused as job") {
			t.Fatalf("after Ctrl-C: exit %d (want 130), terminal %q", code, term)
		}
		if out := c.ok("--engine", "wasi", "jobs"); !strings.Contains(out, "paused") {
			t.Errorf("jobs after Ctrl-C:\n%s", out)
		}
		var s scanJSON
		c.json(&s, "--engine", "wasi", "jobs", "resume")
		if s.Summary.Files != 3000 {
			t.Errorf("resume summary = %+v", s.Summary)
		}
	}
	if !strings.Contains(term, "\r") || !strings.Contains(term, "\x1b[K") || !strings.Contains(term, "scan ") {
		t.Errorf("no progress bar on the terminal: %q", term)
	}
}
