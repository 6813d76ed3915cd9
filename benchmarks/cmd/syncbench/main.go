//go:build !wasip1

// Command syncbench measures sync across devices over NATS JetStream: a hub (the filedex
// binary, `sync serve`, in its own process so its CPU and RSS are its own) on 127.0.0.1, and
// two devices A and B in this process.
//
//	go build -o /tmp/filedex ./cmd/filedex
//	go run ./benchmarks/cmd/syncbench -filedex /tmp/filedex -tree /usr -runs 3
//
// Per run, with S2 on and off alternating: A scans the tree (metadata); A publishes and B
// applies (propagation: A's commit to B's find returning the last entry); an unchanged
// rescan of A and its round; B offline while 10k files appear under A, then B's catch-up.
// Wire bytes are the NATS connection's byte counters (protocol included).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/internal/syncnet"
)

func main() {
	bin := flag.String("filedex", "", "the filedex binary that runs the hub")
	tree := flag.String("tree", "/usr", "tree to scan (read only)")
	runs := flag.Int("runs", 3, "runs per compression setting")
	changes := flag.Int("changes", 10000, "files created while B is offline")
	flag.Parse()
	if *bin == "" {
		log.Fatal("-filedex is required")
	}
	type row struct {
		s2                                          bool
		entries                                     int64
		scan, prop, catchup                         time.Duration
		wireOut, wireIn, unchangedWire, catchupWire int64
		hubCPU                                      time.Duration
		hubRSS                                      int64
	}
	var rows []row
	for i := 0; i < *runs*2; i++ {
		s2 := i%2 == 0
		r := row{s2: s2}
		tmp, err := os.MkdirTemp("", "syncbench-")
		if err != nil {
			log.Fatal(err)
		}
		ctx := context.Background()
		// The hub: its own library (device H), in its own process.
		hubLib := filepath.Join(tmp, "hub")
		cmd := exec.Command(*bin, "--library", hubLib, "sync", "serve", "--listen", "127.0.0.1:0", "--interval", "1h")
		cmd.Env = append(os.Environ(), "FILEDEX_DEVICE=hub")
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		url := ""
		re := regexp.MustCompile(`nats://[0-9.:]+`)
		deadline := time.Now().Add(20 * time.Second)
		for url == "" && time.Now().Before(deadline) && sc.Scan() {
			url = re.FindString(sc.Text())
		}
		if url == "" {
			log.Fatal("hub did not start")
		}
		go func() {
			for sc.Scan() {
			}
		}()
		opts := syncnet.PeerOptions{Timeout: 60 * time.Second, NoCompression: !s2}
		dev := func(name string) (*core.Library, *syncnet.Peer) {
			d := core.NamedDevice(name)
			l, err := core.Open(filepath.Join(tmp, name), core.Options{Device: &d})
			if err != nil {
				log.Fatal(err)
			}
			p, err := syncnet.Dial(ctx, l, url, opts)
			if err != nil {
				log.Fatal(err)
			}
			h, err := p.Hello(ctx)
			if err != nil {
				log.Fatal(err)
			}
			if err := l.SyncJoin(ctx, h.Library, h.Home); err != nil {
				log.Fatal(err)
			}
			return l, p
		}
		a, pa := dev("A")
		b, pb := dev("B")
		t0 := time.Now()
		res, err := a.ScanPath(ctx, *tree, core.ModeMetadata, nil, core.ScanOptions{})
		if err != nil {
			log.Fatal(err)
		}
		r.scan = time.Since(t0)
		r.entries = res.Summary.Files + res.Summary.Dirs
		outBefore, inBefore := pa.Conn().Stats().OutBytes, pb.Conn().Stats().InBytes
		t0 = time.Now()
		if _, err := pa.Round(ctx); err != nil {
			log.Fatal(err)
		}
		if _, err := pb.Round(ctx); err != nil {
			log.Fatal(err)
		}
		// Every entry of A is at B (rounds return once B applied up to A's head).
		if na, nb := entriesOf(ctx, a, "A"), entriesOf(ctx, b, "A"); na != nb {
			log.Fatalf("B holds %d of A's %d entries", nb, na)
		}
		r.prop = time.Since(t0)
		r.wireOut, r.wireIn = int64(pa.Conn().Stats().OutBytes-outBefore), int64(pb.Conn().Stats().InBytes-inBefore)

		// Unchanged rescan.
		if _, err := a.ScanPath(ctx, *tree, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
			log.Fatal(err)
		}
		outBefore = pa.Conn().Stats().OutBytes
		if _, err := pa.Round(ctx); err != nil {
			log.Fatal(err)
		}
		r.unchangedWire = int64(pa.Conn().Stats().OutBytes - outBefore)

		// B offline while 10k files appear under A.
		pb.Close()
		extra := filepath.Join(tmp, "extra")
		for j := 0; j < *changes; j++ {
			d := filepath.Join(extra, fmt.Sprintf("d%03d", j/100))
			if j%100 == 0 {
				os.MkdirAll(d, 0o755)
			}
			os.WriteFile(filepath.Join(d, fmt.Sprintf("f%05d.txt", j)), []byte("x"), 0o644)
		}
		if _, err := a.ScanPath(ctx, extra, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
			log.Fatal(err)
		}
		if _, err := pa.Round(ctx); err != nil {
			log.Fatal(err)
		}
		t0 = time.Now()
		pb, err = syncnet.Dial(ctx, b, url, opts)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := pb.Round(ctx); err != nil {
			log.Fatal(err)
		}
		r.catchup = time.Since(t0)
		if na, nb := entriesOf(ctx, a, "A"), entriesOf(ctx, b, "A"); na != nb {
			log.Fatalf("after catch-up B holds %d of A's %d entries", nb, na)
		}
		r.catchupWire = int64(pb.Conn().Stats().InBytes)
		r.hubCPU, r.hubRSS = procStats(cmd.Process.Pid)
		pa.Close()
		pb.Close()
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		a.Close()
		b.Close()
		os.RemoveAll(tmp)
		rows = append(rows, r)
		fmt.Printf("run %d s2=%v entries=%d scan=%s prop=%s (%.2f×) wire_out=%d (%.1f B/entry) wire_in=%d unchanged_rescan_wire=%d catchup(%d)=%s catchup_wire=%d hub_cpu=%s hub_rss=%d KiB\n",
			i, s2, r.entries, r.scan.Round(time.Millisecond), r.prop.Round(time.Millisecond), r.prop.Seconds()/r.scan.Seconds(),
			r.wireOut, float64(r.wireOut)/float64(r.entries), r.wireIn, r.unchangedWire, *changes, r.catchup.Round(time.Millisecond), r.catchupWire, r.hubCPU, r.hubRSS)
	}
	for _, s2 := range []bool{true, false} {
		var ratio, bpe, unch, catch, cpu, rss []float64
		for _, r := range rows {
			if r.s2 != s2 {
				continue
			}
			ratio = append(ratio, r.prop.Seconds()/r.scan.Seconds())
			bpe = append(bpe, float64(r.wireOut)/float64(r.entries))
			unch = append(unch, float64(r.unchangedWire))
			catch = append(catch, r.catchup.Seconds())
			cpu = append(cpu, r.hubCPU.Seconds())
			rss = append(rss, float64(r.hubRSS)/1024)
		}
		fmt.Printf("S2=%v  propagation/scan %s  wire B/entry %s  unchanged rescan wire B %s  catch-up s %s  hub CPU s %s  hub RSS MiB %s\n",
			s2, stat(ratio), stat(bpe), stat(unch), stat(catch), stat(cpu), stat(rss))
	}
}

func stat(v []float64) string {
	sort.Float64s(v)
	if len(v) == 0 {
		return "-"
	}
	return fmt.Sprintf("median %.3g [%.3g–%.3g]", v[len(v)/2], v[0], v[len(v)-1])
}

// entriesOf counts the entries a library holds of the named device.
func entriesOf(ctx context.Context, l *core.Library, name string) int64 {
	ds, err := l.DeviceList(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == name {
			return d.Entries
		}
	}
	return 0
}

// procStats reads a process's CPU time (user+system) and peak RSS from /proc.
func procStats(pid int) (time.Duration, int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	var cpu time.Duration
	if err == nil {
		f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		cpu = time.Duration(ut+st) * time.Second / 100
	}
	var rss int64
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, ln := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(ln, "VmHWM:"); ok {
				rss, _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			}
		}
	}
	return cpu, rss
}
