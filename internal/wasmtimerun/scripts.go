package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processCPU is this process's user and system time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// job is one conformance script: open options, the directories to preopen,
// and the requests, one per line.
type job struct {
	Name    string   `json:"name"`
	Options string   `json:"options"`
	Dirs    []string `json:"dirs"`
	Input   string   `json:"input"`
}

func readJobs(file string) ([]job, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var jobs []job
	return jobs, json.Unmarshal(b, &jobs)
}

func writeTranscripts(out []string) error {
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(b)
	return err
}

// runScripts runs every job in one reactor instance, one library handle per
// job: the instance preopens every job's dirs, and each library's "roots"
// option confines it to its own, as natively.
func runScripts(rt *runtime, jobsFile string) error {
	jobs, err := readJobs(jobsFile)
	if err != nil {
		return err
	}
	var dirs []string
	for _, j := range jobs {
		dirs = append(dirs, j.Dirs...)
	}
	r, err := rt.reactor(dirs, "")
	if err != nil {
		return err
	}
	defer r.closeAll()
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i], err = transcript(r, j)
		if err != nil {
			return fmt.Errorf("%s: %w", j.Name, err)
		}
	}
	return writeTranscripts(out)
}

func transcript(r *reactor, j job) (string, error) {
	h, msg, err := r.open([]byte(j.Options))
	if err != nil {
		return "", err
	}
	if h == 0 {
		return string(msg) + "\n", nil // the guest's own error text, like the other clients
	}
	var t strings.Builder
	for _, line := range strings.Split(j.Input, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		resp, err := r.call(h, []byte(line))
		if err != nil {
			return "", err
		}
		if len(resp) > 0 {
			t.Write(resp)
			t.WriteByte('\n')
		}
	}
	if rc, err := r.close(h); err != nil || rc != 0 {
		return "", fmt.Errorf("fdx_close: rc %d, %v", rc, err)
	}
	return t.String(), nil
}

// runCommandScripts runs filedex.wasm once per job as `filedex rpc
// --open-options OPTIONS`, the job's input on stdin, with only the job's dirs
// preopened. Exit status 1 with output is a library that did not open (its
// error object is the transcript); anything else failing is an error.
func runCommandScripts(rt *runtime, jobsFile string) error {
	jobs, err := readJobs(jobsFile)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "wasmtimerun-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := make([]string, len(jobs))
	for i, j := range jobs {
		in, stdout, stderr := filepath.Join(tmp, "in"), filepath.Join(tmp, "out"), filepath.Join(tmp, "err")
		if err := os.WriteFile(in, []byte(j.Input), 0o600); err != nil {
			return err
		}
		code, err := rt.command(j.Dirs, []string{"rpc", "--open-options", j.Options}, stdio{stdin: in, stdout: stdout, stderr: stderr})
		o, _ := os.ReadFile(stdout)
		e, _ := os.ReadFile(stderr)
		if err != nil || (code != 0 && !(code == 1 && len(o) > 0)) {
			return fmt.Errorf("%s: exit %d, %v; stderr: %s", j.Name, code, err, bytes.TrimSpace(e))
		}
		out[i] = string(o)
	}
	return writeTranscripts(out)
}

// serve is the long-lived driver protocol of examples/node/filedex.mjs serve:
//
//	open OPTIONS_JSON       → {"handle":"H"} or {"error":{code,message}}
//	call H REQUEST_JSON     → the JSON-RPC response ("" for a notification)
//	close H                 → {"rc":N}
func serve(rt *runtime, dirs []string, in io.Reader, w io.Writer) error {
	r, err := rt.reactor(dirs, "")
	if err != nil {
		return err
	}
	defer r.closeAll()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(w)
	reply := func(b []byte) error {
		out.Write(b)
		out.WriteByte('\n')
		return out.Flush()
	}
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		var ans []byte
		switch cmd {
		case "open":
			h, msg, err := r.open([]byte(arg))
			switch {
			case err != nil:
				return err
			case h == 0:
				ans = append(append([]byte(`{"error":`), msg...), '}')
			default:
				ans = []byte(`{"handle":"` + strconv.FormatInt(h, 10) + `"}`)
			}
		case "call":
			hs, req, _ := strings.Cut(arg, " ")
			h, _ := strconv.ParseInt(hs, 10, 64)
			if ans, err = r.call(h, []byte(req)); err != nil {
				return err
			}
		case "close":
			h, _ := strconv.ParseInt(arg, 10, 64)
			rc, err := r.close(h)
			if err != nil {
				return err
			}
			ans = []byte(`{"rc":` + strconv.Itoa(int(rc)) + `}`)
		default:
			ans = []byte(`{"error":{"code":-32600,"message":` + strconv.Quote("serve: unknown command "+cmd) + `}}`)
		}
		if err := reply(ans); err != nil {
			return err
		}
	}
	return sc.Err()
}

// rpc is examples/node/filedex.mjs rpc: one library opened with options, one
// request per line on stdin, the responses on stdout as they come. A library
// that does not open prints the guest's error object and exits 3.
func rpc(rt *runtime, options string, dirs []string, in io.Reader, w io.Writer) (int, error) {
	r, err := rt.reactor(dirs, "")
	if err != nil {
		return 0, err
	}
	defer r.closeAll()
	h, msg, err := r.open([]byte(options))
	if err != nil {
		return 0, err
	}
	out := bufio.NewWriter(w)
	defer out.Flush()
	if h == 0 {
		out.Write(msg)
		out.WriteByte('\n')
		return 3, nil
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	// FILEDEX_RPC_TIMING: the calls' own wall and CPU time on stderr, start-up
	// (compile or load, instantiate, open) excluded, for benchmarks.
	if os.Getenv("FILEDEX_RPC_TIMING") != "" {
		start, cpu := time.Now(), processCPU()
		defer func() {
			fmt.Fprintf(os.Stderr, "rpc-timing wall_ms=%.3f cpu_ms=%.3f\n", float64(time.Since(start).Microseconds())/1000, float64((processCPU()-cpu).Microseconds())/1000)
		}()
	}
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		resp, err := r.call(h, sc.Bytes())
		if err != nil {
			return 0, err
		}
		if len(resp) > 0 {
			out.Write(resp)
			out.WriteByte('\n')
		}
	}
	if rc, err := r.close(h); err != nil || rc != 0 {
		return 0, fmt.Errorf("fdx_close: rc %d, %v", rc, err)
	}
	return 0, sc.Err()
}
