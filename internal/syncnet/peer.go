//go:build !wasip1

package syncnet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/s2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/filedex/filedex/core"
)

// ErrUnreachable reports a hub that could not be reached; nothing was lost (the log keeps
// every change until a hub acknowledges it).
var ErrUnreachable = errors.New("hub unreachable")

// PeerOptions configure [Dial].
type PeerOptions struct {
	Token   string        // the hub's token, if it has one
	Timeout time.Duration // connecting and each request; default 5 s
	// NoCompression sends message bodies as they are and stores this device's stream
	// without S2 (benchmarks compare both). By default bodies travel S2-compressed (header
	// Fdx-Enc: s2) and the stream's store compresses too.
	NoCompression bool
	// TLSCA, if set, is the CA file that signs the hub's certificate.
	TLSCA string
	// InProcess, if set, connects to this in-process server instead of dialling.
	InProcess nats.InProcessConnProvider
}

// Peer is one device's connection to a hub.
type Peer struct {
	lib  *core.Library
	nc   *nats.Conn
	js   jetstream.JetStream
	dev  uuid.UUID
	o    PeerOptions
	hubL uuid.UUID // the hub's library
}

// Secret returns this device's sync secret, creating it (0600, in the library directory).
func Secret(dir string) (string, error) {
	p := filepath.Join(dir, "sync.secret")
	b, err := os.ReadFile(p)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var r [32]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(r[:])
	if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
		return "", err
	}
	return s, nil
}

// Dial connects lib's device to the hub at url.
func Dial(ctx context.Context, lib *core.Library, url string, o PeerOptions) (*Peer, error) {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	info, err := lib.Info(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := Secret(lib.Dir())
	if err != nil {
		return nil, err
	}
	opts := []nats.Option{
		nats.UserInfo(info.Device.UUID.String(), o.Token+"."+secret),
		nats.Timeout(o.Timeout),
		nats.Name("filedex " + info.Device.Name),
		nats.NoReconnect(),
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if o.InProcess != nil {
		opts = append(opts, nats.InProcessServer(o.InProcess))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if errors.Is(err, nats.ErrAuthorization) || strings.Contains(err.Error(), "Authorization") {
			return nil, fmt.Errorf("hub %s refused this device's credentials (token, or a device UUID another device claimed first): %w", url, err)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Peer{lib: lib, nc: nc, js: js, dev: info.Device.UUID, o: o}, nil
}

// Close closes the connection.
func (p *Peer) Close() { p.nc.Close() }

// Hello is the hub's answer to a joining device.
type Hello struct {
	Library uuid.UUID `json:"library"`
	Home    uuid.UUID `json:"home"`
}

// Hello asks the hub which library it serves.
func (p *Peer) Hello(ctx context.Context) (Hello, error) {
	var h Hello
	ctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	defer cancel()
	m, err := p.nc.RequestWithContext(ctx, helloSubject, nil)
	if err != nil {
		return h, fmt.Errorf("%w: hello: %w", ErrUnreachable, err)
	}
	err = json.Unmarshal(m.Data, &h)
	return h, err
}

// ServeHello answers joining devices with lib's identity (the hub's own device does this).
func ServeHello(nc *nats.Conn, lib *core.Library) (*nats.Subscription, error) {
	return nc.Subscribe(helloSubject, func(m *nats.Msg) {
		ex, err := lib.SyncExport(context.Background(), 1<<62, 1)
		if err != nil {
			return
		}
		b, _ := json.Marshal(Hello{Library: ex.Library, Home: ex.Home})
		m.Respond(b)
	})
}

// Conn is the peer's NATS connection.
func (p *Peer) Conn() *nats.Conn { return p.nc }

// Round is what one [Peer.Round] moved.
type Round struct {
	Published      int   `json:"published"`       // messages this device published
	PublishedBytes int64 `json:"published_bytes"` // their payload bytes
	Applied        int   `json:"applied"`         // other devices' messages applied
	Skipped        int   `json:"skipped"`         // ... already applied before
	Entries        int   `json:"entries"`         // entry rows they wrote or deleted
	Streams        int   `json:"streams"`         // other devices' streams read
}

// Round publishes this device's pending changes, then applies every other device's up to
// the heads of their streams as they were when it started.
func (p *Peer) Round(ctx context.Context) (Round, error) {
	var r Round
	n, b, err := p.Publish(ctx)
	r.Published, r.PublishedBytes = n, b
	if err != nil {
		return r, err
	}
	err = p.Pull(ctx, &r)
	return r, err
}

func (p *Peer) library(ctx context.Context) (uuid.UUID, error) {
	info, err := p.lib.Info(ctx)
	return info.UUID, err
}

// Publish sends this device's log after what the hub acknowledged last, and records the
// acknowledgement. Each message carries its device and seq as Nats-Msg-Id, so a republish
// after a crash between the publish and the record is deduplicated by the stream.
func (p *Peer) Publish(ctx context.Context) (int, int64, error) {
	lib, err := p.library(ctx)
	if err != nil {
		return 0, 0, err
	}
	prefix := subjectPrefix(lib, p.dev)
	cfg := jetstream.StreamConfig{
		Name:              streamName(p.dev),
		Subjects:          []string{prefix + ".>"},
		MaxMsgsPerSubject: 1,
		Storage:           jetstream.FileStorage,
		Compression:       jetstream.S2Compression,
		Discard:           jetstream.DiscardOld,
	}
	if p.o.NoCompression {
		cfg.Compression = jetstream.NoCompression
	}
	cctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	_, err = p.js.CreateOrUpdateStream(cctx, cfg)
	cancel()
	if err != nil {
		return 0, 0, fmt.Errorf("%w: stream %s: %w", ErrUnreachable, cfg.Name, err)
	}
	st, err := p.lib.SyncStatus(ctx)
	if err != nil {
		return 0, 0, err
	}
	since := st.Published
	sent, bytes := 0, int64(0)
	for {
		ex, err := p.lib.SyncExport(ctx, since, 500)
		if err != nil {
			return sent, bytes, err
		}
		if len(ex.Messages) == 0 {
			return sent, bytes, nil
		}
		var futures []jetstream.PubAckFuture
		for _, m := range ex.Messages {
			msg := nats.NewMsg(prefix + "." + m.Subject)
			msg.Data = m.Body
			if !p.o.NoCompression {
				msg.Data = s2.Encode(nil, m.Body)
				msg.Header.Set("Fdx-Enc", "s2")
			}
			msg.Header.Set("Fdx-Seq", strconv.FormatInt(m.Seq, 10))
			f, err := p.js.PublishMsgAsync(msg, jetstream.WithMsgID(m.Device.String()+":"+strconv.FormatInt(m.Seq, 10)))
			if err != nil {
				return sent, bytes, fmt.Errorf("%w: publish: %w", ErrUnreachable, err)
			}
			futures = append(futures, f)
			bytes += int64(len(m.Body))
		}
		select {
		case <-p.js.PublishAsyncComplete():
		case <-time.After(p.o.Timeout):
			return sent, bytes, fmt.Errorf("%w: publish: no acknowledgement within %s", ErrUnreachable, p.o.Timeout)
		case <-ctx.Done():
			return sent, bytes, ctx.Err()
		}
		for _, f := range futures {
			select {
			case err := <-f.Err():
				return sent, bytes, fmt.Errorf("%w: publish: %w", ErrUnreachable, err)
			case <-f.Ok():
			}
		}
		last := ex.Messages[len(ex.Messages)-1].Seq
		if err := p.lib.SyncPublished(ctx, last); err != nil {
			return sent, bytes, err
		}
		sent += len(ex.Messages)
		since = last
	}
}

// Pull applies every other device's stream from this library's cursor in it.
func (p *Peer) Pull(ctx context.Context, r *Round) error {
	cursors, err := p.lib.SyncCursors(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	names := p.js.StreamNames(cctx)
	var streams []string
	for n := range names.Name() {
		streams = append(streams, n)
	}
	err = names.Err()
	cancel()
	if err != nil {
		return fmt.Errorf("%w: streams: %w", ErrUnreachable, err)
	}
	own := streamName(p.dev)
	for _, s := range streams {
		if s == own || !strings.HasPrefix(s, "FDX_") {
			continue
		}
		raw, err := hex.DecodeString(strings.TrimPrefix(s, "FDX_"))
		if err != nil || len(raw) != 16 {
			continue
		}
		dev := uuid.UUID(raw)
		r.Streams++
		if err := p.pullStream(ctx, s, dev, cursors[dev].JSSeq, r); err != nil {
			return err
		}
	}
	return nil
}

func (p *Peer) pullStream(ctx context.Context, stream string, dev uuid.UUID, after int64, r *Round) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy, InactiveThreshold: time.Minute}
	if after > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, uint64(after)+1
	}
	cctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	info, err := p.js.Stream(cctx, stream)
	if err != nil {
		cancel()
		return fmt.Errorf("%w: stream %s: %w", ErrUnreachable, stream, err)
	}
	head := info.CachedInfo().State.LastSeq
	if head <= uint64(after) {
		cancel()
		return nil
	}
	cons, err := p.js.OrderedConsumer(cctx, stream, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("%w: consumer on %s: %w", ErrUnreachable, stream, err)
	}
	prefix := "fdx."
	// Ask for exactly what is pending: a fetch for more waits its whole timeout for messages
	// that will not come (compaction leaves gaps in the sequence).
	pending := cons.CachedInfo().NumPending
	for pending > 0 {
		batch, err := cons.Fetch(int(min(pending, 500)), jetstream.FetchMaxWait(p.o.Timeout))
		if err != nil {
			return fmt.Errorf("%w: fetch %s: %w", ErrUnreachable, stream, err)
		}
		var msgs []core.SyncMessage
		got := 0
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				return err
			}
			pending = md.NumPending
			seq, err := strconv.ParseInt(m.Headers().Get("Fdx-Seq"), 10, 64)
			if err != nil {
				continue // not a filedex message
			}
			// subject: fdx.<library>.<device>.<key>; the device is the stream's, whatever
			// the message says (the hub lets a device publish only to its own subjects).
			parts := strings.SplitN(strings.TrimPrefix(m.Subject(), prefix), ".", 3)
			if len(parts) != 3 {
				continue
			}
			body := m.Data()
			switch m.Headers().Get("Fdx-Enc") {
			case "":
			case "s2":
				if body, err = s2.Decode(nil, body); err != nil {
					return fmt.Errorf("stream %s seq %d: %w", stream, md.Sequence.Stream, err)
				}
			default:
				return fmt.Errorf("stream %s seq %d: unknown encoding %q", stream, md.Sequence.Stream, m.Headers().Get("Fdx-Enc"))
			}
			msgs = append(msgs, core.SyncMessage{Device: dev, Seq: seq, Subject: parts[2], Body: body, JSSeq: int64(md.Sequence.Stream)})
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("%w: fetch %s: %w", ErrUnreachable, stream, err)
		}
		if len(msgs) > 0 {
			res, err := p.lib.SyncApply(ctx, msgs)
			if err != nil {
				return err
			}
			r.Applied += res.Applied
			r.Skipped += res.Skipped
			r.Entries += res.Entries
		}
		if got == 0 {
			return fmt.Errorf("%w: fetch %s: no message within %s", ErrUnreachable, stream, p.o.Timeout)
		}
	}
	return nil
}
