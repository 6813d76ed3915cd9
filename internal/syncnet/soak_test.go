//go:build !wasip1

package syncnet_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/internal/syncnet"
)

// TestSync_Soak (make soak-sync; FILEDEX_SOAK_SYNC_ROUNDS=N) runs N rounds of random edits on
// three devices (files created, changed and removed, then scanned; tags, labels and notes),
// random partitions (a device skips its round) and simulated crashes (a device's connection
// dropped mid-round, a round cut off after 1-20 ms, mid-apply), then heals and
// reports rows lost or duplicated: every device must hold exactly every other device's
// entries (compared by UUID) and identical shared tables. Real SIGKILLs are not part of it.
func TestSync_Soak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FILEDEX_SOAK_SYNC_ROUNDS"))
	if n <= 0 {
		t.Skip("set FILEDEX_SOAK_SYNC_ROUNDS (make soak-sync)")
	}
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)
	a := open(t, filepath.Join(t.TempDir(), "a"), "A")
	h := hub(t, a, "")
	pa := dial(t, a, h.URL())
	sub, _ := syncnet.ServeHello(pa.Conn(), a)
	defer sub.Unsubscribe()
	b, pb := join(t, filepath.Join(t.TempDir(), "b"), "B", h.URL())
	c, pc := join(t, filepath.Join(t.TempDir(), "c"), "C", h.URL())
	libs := []*core.Library{a, b, c}
	peers := []*syncnet.Peer{pa, pb, pc}
	trees := make([]string, 3)
	for i := range trees {
		trees[i] = filepath.Join(t.TempDir(), fmt.Sprintf("tree%d", i))
		os.MkdirAll(trees[i], 0o755)
	}
	for r := 0; r < n; r++ {
		for i, l := range libs {
			// Files.
			for k := 0; k < 5; k++ {
				p := filepath.Join(trees[i], fmt.Sprintf("d%d", rng.IntN(5)), fmt.Sprintf("f%d.txt", rng.IntN(30)))
				if rng.IntN(4) == 0 {
					os.Remove(p)
				} else {
					os.MkdirAll(filepath.Dir(p), 0o755)
					os.WriteFile(p, []byte(fmt.Sprint(rng.IntN(10))), 0o644)
				}
			}
			if _, err := l.ScanPath(ctx, trees[i], core.ModeContent, nil, core.ScanOptions{}); err != nil {
				t.Fatal(err)
			}
			// Shared data on any entry this device knows.
			es, _, _ := l.Entries().Find(ctx, core.FindQuery{Name: "*.txt"}, core.Page{Limit: 500})
			if len(es) > 0 {
				e := es[rng.IntN(len(es))]
				name := fmt.Sprintf("t%d", rng.IntN(4))
				tg, err := l.Tags().GetByName(ctx, name)
				if err != nil {
					tg, err = l.Tags().Create(ctx, core.TagInput{Name: name})
				}
				if err == nil {
					if rng.IntN(3) == 0 {
						l.Tags().Remove(ctx, tg.ID, e.ID)
					} else {
						l.Tags().Apply(ctx, tg.ID, e.ID)
					}
				}
				note := fmt.Sprintf("note %d from %d", r, i)
				l.Metadata().Set(ctx, e.ID, core.MetadataUpdate{Notes: &note})
				lname := fmt.Sprintf("L%d", rng.IntN(3))
				lb, err := l.Labels().GetByName(ctx, lname)
				if err != nil {
					lb, err = l.Labels().Create(ctx, core.LabelInput{Name: lname})
				}
				if err == nil {
					l.Labels().Apply(ctx, lb.ID, e.ID)
				}
			}
		}
		for i, p := range peers {
			switch rng.IntN(5) {
			case 0: // partitioned this round
				continue
			case 1: // crash: the round is cut off at a random moment (an apply interrupted mid-transaction)
				rctx, cancel := context.WithTimeout(ctx, time.Duration(1+rng.IntN(20))*time.Millisecond)
				p.Round(rctx)
				cancel()
			case 2: // crash: the connection drops mid-round, the device reconnects
				go p.Close()
				p.Round(ctx)
				peers[i] = dial(t, libs[i], h.URL())
			default:
				round(t, p)
			}
		}
	}
	for k := 0; k < 3; k++ {
		for _, p := range peers {
			round(t, p)
		}
	}
	// Rows lost or duplicated: every device's view of device j equals j's own entries.
	own := make([][]string, 3)
	for j, l := range libs {
		own[j] = uuidsOf(t, l, "")
	}
	lost, dup := 0, 0
	for i, l := range libs {
		for j, src := range libs {
			if i == j {
				continue
			}
			info, _ := src.Info(ctx)
			got := uuidsOf(t, l, info.Device.Name)
			l2, d2 := diff(own[j], got)
			lost += l2
			dup += d2
		}
	}
	want, _ := a.SyncSharedDump(ctx)
	sharedDiffer := 0
	for _, l := range libs[1:] {
		if got, _ := l.SyncSharedDump(ctx); got != want {
			sharedDiffer++
		}
	}
	for i, l := range libs {
		rep, err := l.Check(ctx)
		if err != nil || !rep.OK {
			t.Errorf("device %d fails check: %v %+v", i, err, rep.Problems)
		}
	}
	t.Logf("%d rounds: %d rows lost, %d rows duplicated or extra, %d devices with different shared tables", n, lost, dup, sharedDiffer)
	if lost+dup+sharedDiffer > 0 {
		t.Fatalf("soak (seed %d): %d lost, %d duplicated, %d shared differ", seed, lost, dup, sharedDiffer)
	}
}

func uuidsOf(t *testing.T, l *core.Library, device string) []string {
	t.Helper()
	ctx := context.Background()
	if device == "" {
		info, _ := l.Info(ctx)
		device = info.Device.Name
	}
	var out []string
	after := ""
	for {
		es, next, err := l.Entries().Find(ctx, core.FindQuery{Device: device}, core.Page{Limit: 1000, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, e.UUID.String()+" "+e.Name)
		}
		if next == "" {
			break
		}
		after = next
	}
	sort.Strings(out)
	return out
}

// diff counts what want has that got lacks (lost) and what got has beyond want (duplicated).
func diff(want, got []string) (lost, dup int) {
	m := map[string]int{}
	for _, w := range want {
		m[w]++
	}
	for _, g := range got {
		m[g]--
	}
	for _, v := range m {
		if v > 0 {
			lost += v
		} else {
			dup -= v
		}
	}
	return lost, dup
}
