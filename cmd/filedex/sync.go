package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"

	"github.com/filedex/filedex/core"
)

// syncFlags are the flags the sync subcommands share.
type syncFlags struct {
	listen     string
	hubs       []string
	token      string
	timeout    time.Duration
	interval   time.Duration
	deviceName string
	tlsCert    string
	tlsKey     string
	tlsCA      string
}

// hubFile remembers, in the library directory, the hub `sync join` joined, so `sync now`
// needs no --hub.
const hubFile = "sync.hub"

func (f *syncFlags) tokenOrEnv() string {
	if f.token != "" {
		return f.token
	}
	return os.Getenv("FILEDEX_SYNC_TOKEN")
}

func (a *app) syncCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Sync this library with other devices over NATS JetStream",
		Long: `One library across devices. Each device publishes its changes to its own stream
on a hub (an embedded NATS JetStream server that 'sync serve' runs) and reads every
other device's. Other devices' entries print as DEVICE:PATH.

The device is named by $FILEDEX_DEVICE (default: this host), its UUID derived from the
machine id and that name, so several devices can live on one machine.`,
		Example: `  filedex --library ~/lib-a sync serve --listen 127.0.0.1:4222
  filedex --library ~/lib-b sync join nats://127.0.0.1:4222 --device-name laptop
  filedex --library ~/lib-b sync now`,
	}
	var f syncFlags
	addNet := func(c *cobra.Command) {
		c.Flags().StringVar(&f.token, "token", "", "the hub's token ($FILEDEX_SYNC_TOKEN)")
		c.Flags().DurationVar(&f.timeout, "timeout", 10*time.Second, "how long to wait for the hub")
		c.Flags().StringVar(&f.tlsCA, "tls-ca", "", "CA certificate file of a TLS hub")
	}
	serve := &cobra.Command{
		Use:   "serve [--listen HOST:PORT] [--hub nats://HOST:PORT]...",
		Short: "Run this library's hub and/or sync with hubs until SIGINT/SIGTERM",
		Long: `With --listen (the default when no --hub is given: 127.0.0.1:4222) this library
runs the hub: an embedded JetStream server storing in the library directory. Any address
other than loopback needs --token. With --hub it syncs with each hub given. Either way
it publishes local changes (also those other processes commit to this library) and
applies other devices' every --interval.`,
		Example: `  filedex sync serve
  FILEDEX_SYNC_TOKEN=secret filedex sync serve --listen 0.0.0.0:4222 --tls-cert c.pem --tls-key k.pem`,
		Args: argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.nativeOnly(); err != nil {
				return err
			}
			if f.listen == "" && len(f.hubs) == 0 {
				f.listen = "127.0.0.1:4222"
			}
			return a.syncServe(cmd.Context(), &f)
		},
	}
	serve.Flags().StringVar(&f.listen, "listen", "", "run the hub on HOST:PORT (default 127.0.0.1:4222 when no --hub)")
	serve.Flags().StringArrayVar(&f.hubs, "hub", nil, "sync with the hub at nats://HOST:PORT (repeatable)")
	serve.Flags().DurationVar(&f.interval, "interval", time.Second, "time between rounds")
	serve.Flags().StringVar(&f.tlsCert, "tls-cert", "", "serve TLS with this certificate file")
	serve.Flags().StringVar(&f.tlsKey, "tls-key", "", "... and this key file")
	addNet(serve)

	join := &cobra.Command{
		Use:     "join nats://HOST:PORT",
		Short:   "Make this new, empty library a device of the library served there",
		Example: `  filedex --library ~/lib-b sync join nats://nas:4222 --device-name laptop --token secret`,
		Args:    argsRange(1, 1, "the hub's nats://HOST:PORT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.nativeOnly(); err != nil {
				return err
			}
			if !strings.HasPrefix(args[0], "nats://") && !strings.HasPrefix(args[0], "tls://") {
				return usagef("the hub address must be nats://HOST:PORT, not %q", args[0])
			}
			return a.syncJoin(cmd.Context(), args[0], &f)
		},
	}
	join.Flags().StringVar(&f.deviceName, "device-name", "", "this device's name (default $FILEDEX_DEVICE or the host name)")
	addNet(join)

	now := &cobra.Command{
		Use:   "now [--hub nats://HOST:PORT] [--timeout D]",
		Short: "One round: publish, then apply up to the current heads; print what moved",
		Example: `  filedex sync now
  filedex sync now --hub nats://127.0.0.1:4222 --timeout 5s`,
		Args: argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.nativeOnly(); err != nil {
				return err
			}
			return a.syncNow(cmd.Context(), &f)
		},
	}
	now.Flags().StringArrayVar(&f.hubs, "hub", nil, "the hub (default: the one `sync join` joined)")
	addNet(now)

	status := &cobra.Command{
		Use:     "status",
		Short:   "Devices, last sync and pending changes",
		Example: `  filedex sync status`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			st, err := call[core.SyncStatus](ctx, a, eng, "sync.status", nil)
			if err != nil {
				return err
			}
			hub := a.rememberedHub()
			if a.json {
				return a.printJSON(struct {
					core.SyncStatus
					Hub string `json:"hub,omitempty"`
				}{st, hub})
			}
			if hub == "" {
				hub = "(none joined)"
			}
			fmt.Fprintf(a.stdout, "library  %s\ndevice   %s\nhub      %s\nlogged   %d\npublished %d (%d pending)\n", st.Library, st.Device, hub, st.Logged, st.Published, st.Pending)
			for _, c := range st.Cursors {
				fmt.Fprintf(a.stdout, "from %-12s applied %d messages, up to seq %d, last %s\n", c.Name, c.Applied, c.Seq, c.LastSync)
			}
			return nil
		},
	}
	cmd.AddCommand(serve, join, now, status)
	return cmd
}

// nativeOnly refuses the network commands under --engine wasi: WASI preview 1 has no sockets.
func (a *app) nativeOnly() error {
	if a.engineName == "wasi" {
		return fmt.Errorf("sync: unsupported with --engine wasi (WASI has no network); use the native engine, or ship sync.export's messages to sync.apply yourself")
	}
	return nil
}

func (a *app) rememberedHub() string {
	dir, err := a.libraryDir()
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, hubFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// openCore opens the library in-process for the network commands (they are native only).
func (a *app) openCore(f *syncFlags) (*core.Library, error) {
	dir, err := a.libraryDir()
	if err != nil {
		return nil, err
	}
	opts := core.Options{}
	if f.deviceName != "" {
		d := core.NamedDevice(f.deviceName)
		opts.Device = &d
	}
	l, err := core.Open(dir, opts)
	if err != nil {
		return nil, openError(dir, err)
	}
	return l, nil
}

func (a *app) printRound(verb string, r syncRound) error {
	if a.json {
		return a.printJSON(r)
	}
	if !a.quiet {
		fmt.Fprintf(a.stdout, "%s: published %d changes (%d bytes), applied %d from %d devices (%d entries), %d already applied\n",
			verb, r.Published, r.PublishedBytes, r.Applied, r.Streams, r.Entries, r.Skipped)
	}
	return nil
}

// syncRound is what a round moved (syncnet.Round, without importing it here: the
// network half is native only).
type syncRound struct {
	Hub            string `json:"hub"`
	Published      int    `json:"published"`
	PublishedBytes int64  `json:"published_bytes"`
	Applied        int    `json:"applied"`
	Skipped        int    `json:"skipped"`
	Entries        int    `json:"entries"`
	Streams        int    `json:"streams"`
}

func (a *app) deviceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "device",
		Short: "The library's devices",
	}
	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "Devices with name, OS, online, last seen and entry count",
		Example: `  filedex device list`,
		Args:    argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			eng, err := a.open(ctx)
			if err != nil {
				return err
			}
			r, err := call[struct {
				Devices []core.DeviceSummary `json:"devices"`
			}](ctx, a, eng, "device.list", nil)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(r)
			}
			for _, d := range r.Devices {
				here, online := "", "offline"
				if d.Local {
					here = " (this device)"
				}
				if d.IsOnline {
					online = "online"
				}
				fmt.Fprintf(a.stdout, "%-16s %-8s %-7s last seen %s  %d entries%s\n", d.Name, d.OS, online, d.LastSeenAt.Format(time.RFC3339), d.Entries, here)
			}
			return nil
		},
	}
	cmd.AddCommand(list)
	return cmd
}

var errNoNetwork = fmt.Errorf("sync: unsupported: this build has no network (WASI); ship sync.export's messages to sync.apply yourself")

// entryDisplayPath is how text output names an entry: its path, prefixed with its device's
// name for another device's entry (DEVICE:PATH).
func entryDisplayPath(e core.Entry) string {
	if e.Device != nil {
		return e.Device.Name + ":" + e.Path
	}
	return e.Path
}

// devicePaths prefixes the paths of other devices' entries with their device's name
// (DEVICE:PATH). Such an entry's id carries its device's row id above bit 40 (migration
// 0010), so one device.list names them all.
func (a *app) devicePaths(ctx context.Context, eng bindings.Engine, ids []int64, paths []string) []string {
	if len(ids) != len(paths) {
		return paths
	}
	var names map[int64]string
	out := paths
	for i, id := range ids {
		if id < 1<<40 {
			continue
		}
		if names == nil {
			names = map[int64]string{}
			r, err := call[struct {
				Devices []core.DeviceSummary `json:"devices"`
			}](ctx, a, eng, "device.list", nil)
			if err != nil {
				return paths
			}
			for _, d := range r.Devices {
				names[d.ID] = d.Name
			}
			out = append([]string(nil), paths...)
		}
		out[i] = names[id>>40] + ":" + paths[i]
	}
	return out
}
