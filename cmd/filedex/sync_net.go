//go:build !wasip1

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/internal/syncnet"
)

func peerOptions(f *syncFlags) syncnet.PeerOptions {
	return syncnet.PeerOptions{Token: f.tokenOrEnv(), Timeout: f.timeout, TLSCA: f.tlsCA}
}

func toRound(hub string, r syncnet.Round) syncRound {
	return syncRound{Hub: hub, Published: r.Published, PublishedBytes: r.PublishedBytes, Applied: r.Applied, Skipped: r.Skipped, Entries: r.Entries, Streams: r.Streams}
}

// unreachable words a hub that cannot be reached for the user: nothing is lost.
func unreachable(hub string, l *core.Library, err error) error {
	if !errors.Is(err, syncnet.ErrUnreachable) {
		return err
	}
	pending := int64(0)
	if st, serr := l.SyncStatus(context.Background()); serr == nil {
		pending = st.Pending
	}
	return fmt.Errorf("sync: cannot reach the hub %s (%s); nothing was lost: %d changes wait in this device's log for the next sync", hub, strings.TrimPrefix(err.Error(), syncnet.ErrUnreachable.Error()+": "), pending)
}

func (a *app) syncJoin(ctx context.Context, hub string, f *syncFlags) error {
	l, err := a.openCore(f)
	if err != nil {
		return err
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout+30*time.Second)
	defer cancel()
	// A hub that is still starting (`sync serve &` just before) gets until --timeout.
	deadline := time.Now().Add(f.timeout)
	var p *syncnet.Peer
	var h syncnet.Hello
	for {
		p, err = syncnet.Dial(ctx, l, hub, peerOptions(f))
		if err == nil {
			if h, err = p.Hello(ctx); err != nil {
				p.Close()
			}
		}
		if err == nil || !errors.Is(err, syncnet.ErrUnreachable) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return unreachable(hub, l, err)
	}
	defer p.Close()
	if err := l.SyncJoin(ctx, h.Library, h.Home); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(l.Dir(), hubFile), []byte(hub+"\n"), 0o644); err != nil {
		return err
	}
	r, err := p.Round(ctx)
	if err != nil {
		return unreachable(hub, l, err)
	}
	return a.printRound("joined library "+h.Library.String(), toRound(hub, r))
}

func (a *app) syncNow(ctx context.Context, f *syncFlags) error {
	hubs := f.hubs
	if len(hubs) == 0 {
		if h := a.rememberedHub(); h != "" {
			hubs = []string{h}
		}
	}
	if len(hubs) == 0 {
		return usagef("no hub: pass --hub nats://HOST:PORT or run `filedex sync join` first")
	}
	l, err := a.openCore(f)
	if err != nil {
		return err
	}
	defer l.Close()
	// Into the log first: if no hub answers, the changes wait there (and are counted).
	if _, err := l.SyncStage(ctx); err != nil {
		return err
	}
	var rounds []syncRound
	for _, hub := range hubs {
		rctx, cancel := context.WithTimeout(ctx, f.timeout+time.Minute)
		p, err := syncnet.Dial(rctx, l, hub, peerOptions(f))
		if err != nil {
			cancel()
			return unreachable(hub, l, err)
		}
		r, err := p.Round(rctx)
		p.Close()
		cancel()
		if err != nil {
			return unreachable(hub, l, err)
		}
		rounds = append(rounds, toRound(hub, r))
	}
	if a.json && len(rounds) > 1 {
		return a.printJSON(rounds)
	}
	for _, r := range rounds {
		if err := a.printRound("sync "+r.Hub, r); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) syncServe(ctx context.Context, f *syncFlags) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := a.openCore(f)
	if err != nil {
		return err
	}
	defer l.Close()
	info, err := l.Info(ctx)
	if err != nil {
		return err
	}
	var peers []*syncnet.Peer
	var names []string
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	if f.listen != "" {
		h, err := syncnet.StartHub(syncnet.HubOptions{Listen: f.listen, Token: f.tokenOrEnv(), Library: info.UUID,
			Device: info.Device.UUID, Dir: l.Dir(), TLSCert: f.tlsCert, TLSKey: f.tlsKey})
		if err != nil {
			return fmt.Errorf("sync serve: %w", err)
		}
		defer h.Close()
		o := peerOptions(f)
		o.InProcess = h.Server()
		p, err := syncnet.Dial(ctx, l, h.URL(), o)
		if err != nil {
			return err
		}
		peers, names = append(peers, p), append(names, h.URL())
		sub, err := syncnet.ServeHello(p.Conn(), l)
		if err != nil {
			return err
		}
		defer sub.Unsubscribe()
		if !a.quiet && !a.json {
			fmt.Fprintf(a.stderr, "filedex: serving library %s on %s (device %s); Ctrl-C stops\n", info.UUID, h.URL(), info.Device.Name)
		}
	}
	for _, hub := range f.hubs {
		p, err := syncnet.Dial(ctx, l, hub, peerOptions(f))
		if err != nil {
			return unreachable(hub, l, err)
		}
		peers, names = append(peers, p), append(names, hub)
	}
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	for {
		for i, p := range peers {
			r, err := p.Round(ctx)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				fmt.Fprintf(a.stderr, "filedex: sync %s: %v (retrying)\n", names[i], err)
				continue
			}
			if (r.Published > 0 || r.Applied > 0) && !a.quiet && !a.json {
				fmt.Fprintf(a.stderr, "filedex: %s: published %d, applied %d (%d entries)\n", names[i], r.Published, r.Applied, r.Entries)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
