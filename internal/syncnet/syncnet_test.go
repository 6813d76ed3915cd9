//go:build !wasip1

package syncnet_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/internal/syncnet"
)

func open(t *testing.T, dir, name string) *core.Library {
	t.Helper()
	d := core.NamedDevice(name)
	l, err := core.Open(dir, core.Options{Device: &d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// hub starts a hub for lib on 127.0.0.1, a random port, its store in a temp dir.
func hub(t *testing.T, lib *core.Library, token string) *syncnet.Hub {
	t.Helper()
	info, err := lib.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h, err := syncnet.StartHub(syncnet.HubOptions{Listen: "127.0.0.1:0", Token: token, Library: info.UUID, Device: info.Device.UUID, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func dial(t *testing.T, l *core.Library, url string) *syncnet.Peer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := syncnet.Dial(ctx, l, url, syncnet.PeerOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func round(t *testing.T, p *syncnet.Peer) syncnet.Round {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := p.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// join makes a fresh library a device of the hub's library, as `filedex sync join` does.
func join(t *testing.T, dir, name, url string) (*core.Library, *syncnet.Peer) {
	t.Helper()
	l := open(t, dir, name)
	p := dial(t, l, url)
	ctx := context.Background()
	h, err := p.Hello(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SyncJoin(ctx, h.Library, h.Home); err != nil {
		t.Fatal(err)
	}
	return l, p
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func names(t *testing.T, l *core.Library, glob string) string {
	t.Helper()
	es, _, err := l.Entries().Find(context.Background(), core.FindQuery{Name: glob}, core.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		d := "local"
		if e.Device != nil {
			d = e.Device.Name
		}
		out = append(out, d+":"+e.Name)
	}
	return strings.Join(out, " ")
}

func TestSync_TwoDevicesOverNATS(t *testing.T) {
	ctx := context.Background()
	a := open(t, filepath.Join(t.TempDir(), "a"), "A")
	h := hub(t, a, "")
	pa := dial(t, a, h.URL())
	sub, err := syncnet.ServeHello(pa.Conn(), a)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	b, pb := join(t, filepath.Join(t.TempDir(), "b"), "B", h.URL())

	tree := filepath.Join(t.TempDir(), "photos")
	write(t, tree, map[string]string{"x/one.jpg": "1", "x/y/two.jpg": "22", "z.txt": "333"})
	if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	round(t, pa)
	r := round(t, pb)
	if got, want := names(t, b, "*.jpg"), "A:one.jpg A:two.jpg"; got != want {
		t.Fatalf("B finds %q, want %q (round %+v)", got, want, r)
	}

	parent := t
	t.Run("B offline while A changes, then catches up", func(t *testing.T) {
		pb.Close()
		os.RemoveAll(filepath.Join(tree, "x/y"))
		write(t, tree, map[string]string{"x/three.jpg": "4444"})
		if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
			t.Fatal(err)
		}
		round(t, pa)
		pb = dial(parent, b, h.URL())
		round(t, pb)
		if got, want := names(t, b, "*.jpg"), "A:one.jpg A:three.jpg"; got != want {
			t.Fatalf("B finds %q, want %q", got, want)
		}
		// A second round reads nothing again: the cursor remembers the stream position.
		if r := round(t, pb); r.Applied != 0 || r.Skipped != 0 {
			t.Fatalf("second round %+v", r)
		}
	})

	t.Run("unchanged rescan publishes next to nothing", func(t *testing.T) {
		if _, err := a.ScanPath(ctx, tree, core.ModeContent, nil, core.ScanOptions{}); err != nil {
			t.Fatal(err)
		}
		r := round(t, pa)
		if r.Published != 0 || r.PublishedBytes != 0 {
			t.Fatalf("unchanged rescan published %+v", r)
		}
	})

	t.Run("tags both ways", func(t *testing.T) {
		tg, err := b.Tags().Create(ctx, core.TagInput{Name: "fav"})
		if err != nil {
			t.Fatal(err)
		}
		es, _, _ := b.Entries().Find(ctx, core.FindQuery{Name: "one.jpg"}, core.Page{})
		if _, err := b.Tags().Apply(ctx, tg.ID, es[0].ID); err != nil {
			t.Fatal(err)
		}
		round(t, pb)
		round(t, pa)
		if got := names(t, a, "one.jpg"); got != "local:one.jpg" {
			t.Fatal(got)
		}
		tags, _, _ := a.Tags().List(ctx, core.Page{})
		if len(tags) != 1 || tags[0].Name != "fav" || tags[0].Usage != 1 {
			t.Fatalf("A's tags %+v", tags)
		}
	})

	t.Run("forged device rejected", func(t *testing.T) {
		// Another library claiming B's device UUID, with its own secret: refused.
		dir := filepath.Join(t.TempDir(), "forger")
		f := open(t, dir, "B")
		_, err := syncnet.Dial(ctx, f, h.URL(), syncnet.PeerOptions{Timeout: 5 * time.Second})
		if err == nil || errors.Is(err, syncnet.ErrUnreachable) {
			t.Fatalf("a forged device connected: %v", err)
		}
		// B itself may not publish on A's subjects: the hub refuses, nothing reaches A's stream.
		info, _ := a.Info(ctx)
		binfo, _ := b.Info(ctx)
		_ = binfo
		nc := pb.Conn()
		errs := make(chan error, 1)
		nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case errs <- err:
			default:
			}
		})
		subject := syncnet.SubjectPrefix(info.UUID, info.Device.UUID) + ".o.999999"
		m := nats.NewMsg(subject)
		m.Header.Set("Fdx-Seq", "999999")
		m.Data = []byte(`{"r":[{"i":"` + info.Device.UUID.String() + `","f":"tag.live","h":9007199254740991,"v":"true"}]}`)
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
		nc.Flush()
		select {
		case err := <-errs:
			if !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
				t.Fatalf("unexpected async error %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no permissions violation within 5 s")
		}
		round(t, pa)
		st, _ := a.SyncStatus(ctx)
		_ = st
		d, _ := a.SyncSharedDump(ctx)
		if strings.Contains(strings.ToLower(d), strings.ReplaceAll(strings.ToLower(info.Device.UUID.String()), "-", "")) {
			t.Fatalf("forged register reached A:\n%s", d)
		}
	})
}

func TestSync_NonLoopbackNeedsToken(t *testing.T) {
	// Never listens: StartHub refuses before creating the server.
	_, err := syncnet.StartHub(syncnet.HubOptions{Listen: "0.0.0.0:0", Dir: t.TempDir()})
	if !errors.Is(err, syncnet.ErrCredentials) {
		t.Fatalf("StartHub on 0.0.0.0 without a token: %v", err)
	}
}

func TestSync_Unreachable(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "a"), "A")
	// A port nothing listens on: start a hub, note its address, stop it.
	h := hub(t, l, "")
	url := h.URL()
	h.Close()
	_, err := syncnet.Dial(context.Background(), l, url, syncnet.PeerOptions{Timeout: 2 * time.Second})
	if !errors.Is(err, syncnet.ErrUnreachable) {
		t.Fatalf("dial of a stopped hub: %v", err)
	}
}

// TestSync_ThreeDevicesPartitions edits shared data on three devices while C is cut off
// from the hub, then heals: the shared tables are identical everywhere.
func TestSync_ThreeDevicesPartitions(t *testing.T) {
	ctx := context.Background()
	a := open(t, filepath.Join(t.TempDir(), "a"), "A")
	h := hub(t, a, "tok")
	pa, err := syncnet.Dial(ctx, a, h.URL(), syncnet.PeerOptions{Token: "tok", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pa.Close()
	sub, _ := syncnet.ServeHello(pa.Conn(), a)
	defer sub.Unsubscribe()
	joinTok := func(name string) (*core.Library, *syncnet.Peer) {
		l := open(t, filepath.Join(t.TempDir(), name), name)
		p, err := syncnet.Dial(ctx, l, h.URL(), syncnet.PeerOptions{Token: "tok", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		hl, err := p.Hello(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.SyncJoin(ctx, hl.Library, hl.Home); err != nil {
			t.Fatal(err)
		}
		return l, p
	}
	b, pb := joinTok("B")
	c, pc := joinTok("C")
	if _, err := syncnet.Dial(ctx, open(t, filepath.Join(t.TempDir(), "d"), "D"), h.URL(), syncnet.PeerOptions{Token: "wrong", Timeout: 5 * time.Second}); err == nil {
		t.Fatal("a wrong token connected")
	}
	tree := filepath.Join(t.TempDir(), "t")
	write(t, tree, map[string]string{"1.jpg": "1", "2.jpg": "22", "3.txt": "333"})
	if _, err := a.ScanPath(ctx, tree, core.ModeMetadata, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	peers := []*syncnet.Peer{pa, pb, pc}
	for i := 0; i < 2; i++ {
		for _, p := range peers {
			round(t, p)
		}
	}
	id := func(l *core.Library, name string) int64 {
		es, _, _ := l.Entries().Find(ctx, core.FindQuery{Name: name}, core.Page{})
		if len(es) != 1 {
			t.Fatalf("%s: %v", name, es)
		}
		return es[0].ID
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// C is partitioned: it edits, but does not sync.
	tc, err := c.Tags().Create(ctx, core.TagInput{Name: "x"})
	must(nil, err)
	must(c.Tags().Apply(ctx, tc.ID, id(c, "1.jpg")))
	n1, n2, n3 := "c's note", "a's note", "b's note"
	must(c.Metadata().Set(ctx, id(c, "3.txt"), core.MetadataUpdate{Notes: &n1}))
	lc, err := c.Labels().Create(ctx, core.LabelInput{Name: "L"})
	must(nil, err)
	must(c.Labels().Apply(ctx, lc.ID, id(c, "2.jpg")))
	// A and B edit and sync with each other.
	ta, err := a.Tags().Create(ctx, core.TagInput{Name: "x", Color: "#123456"})
	must(nil, err)
	must(a.Tags().Apply(ctx, ta.ID, id(a, "2.jpg")))
	must(a.Metadata().Set(ctx, id(a, "3.txt"), core.MetadataUpdate{Notes: &n2}))
	round(t, pa)
	round(t, pb)
	fav := true
	must(b.Metadata().Set(ctx, id(b, "3.txt"), core.MetadataUpdate{Notes: &n3, Favorite: &fav}))
	lb, err := b.Labels().Create(ctx, core.LabelInput{Name: "L"})
	must(nil, err)
	must(b.Labels().Apply(ctx, lb.ID, id(b, "1.jpg")))
	round(t, pb)
	// Heal.
	for i := 0; i < 3; i++ {
		for _, p := range peers {
			round(t, p)
		}
	}
	want, err := a.SyncSharedDump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*core.Library{b, c} {
		got, err := l.SyncSharedDump(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("shared tables differ:\nA:\n%s\nother:\n%s", want, got)
		}
	}
	tags, _, _ := c.Tags().List(ctx, core.Page{})
	labels, _ := c.Labels().List(ctx)
	if len(tags) != 1 || tags[0].Usage != 2 || len(labels) != 1 || labels[0].Usage != 2 {
		t.Fatalf("merged tags %+v labels %+v", tags, labels)
	}
}

// TestSync_FindByDevice: find's device filter selects one device's entries, or all.
func TestSync_FindByDevice(t *testing.T) {
	ctx := context.Background()
	a := open(t, filepath.Join(t.TempDir(), "a"), "A")
	h := hub(t, a, "")
	pa := dial(t, a, h.URL())
	sub, _ := syncnet.ServeHello(pa.Conn(), a)
	defer sub.Unsubscribe()
	b, pb := join(t, filepath.Join(t.TempDir(), "b"), "B", h.URL())
	ta, tb := filepath.Join(t.TempDir(), "ta"), filepath.Join(t.TempDir(), "tb")
	write(t, ta, map[string]string{"same.txt": "same", "a.txt": "a"})
	write(t, tb, map[string]string{"same.txt": "same", "b.txt": "b"})
	if _, err := a.ScanPath(ctx, ta, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ScanPath(ctx, tb, core.ModeContent, nil, core.ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	round(t, pa)
	round(t, pb)
	round(t, pa)
	for dev, want := range map[string]string{"": "A:a.txt local:b.txt A:same.txt local:same.txt", "all": "A:a.txt local:b.txt A:same.txt local:same.txt", "A": "A:a.txt A:same.txt", "B": "local:b.txt local:same.txt"} {
		es, _, err := b.Entries().Find(ctx, core.FindQuery{Name: "*.txt", Device: dev}, core.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			d := "local"
			if e.Device != nil {
				d = e.Device.Name
			}
			got = append(got, d+":"+e.Name)
		}
		sortS(got)
		w := strings.Fields(want)
		sortS(w)
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("device %q: %q, want %q", dev, got, w)
		}
	}
	if _, _, err := b.Entries().Find(ctx, core.FindQuery{Name: "*", Device: "nobody"}, core.Page{}); core.CodeOf(err) != core.CodeInvalid {
		t.Errorf("unknown device: %v", err)
	}
	// The same content on two devices is one duplicate group, on both.
	for _, l := range []*core.Library{a, b} {
		res, err := l.Duplicates().Groups(ctx, core.DupesQuery{}, core.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 1 || res.Groups[0].Count != 2 || res.Groups[0].WastedBytes != 4 {
			t.Errorf("groups %+v", res.Groups)
		}
	}
}

func sortS(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// TestSync_TLS: a hub given a certificate accepts TLS only; a device trusting the CA syncs,
// one that does not is refused.
func TestSync_TLS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, certFile, keyFile)
	a := open(t, filepath.Join(t.TempDir(), "a"), "A")
	info, _ := a.Info(ctx)
	h, err := syncnet.StartHub(syncnet.HubOptions{Listen: "127.0.0.1:0", Library: info.UUID, Device: info.Device.UUID, Dir: t.TempDir(), TLSCert: certFile, TLSKey: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	p, err := syncnet.Dial(ctx, a, h.URL(), syncnet.PeerOptions{Timeout: 5 * time.Second, TLSCA: certFile})
	if err != nil {
		t.Fatalf("TLS dial with the CA: %v", err)
	}
	defer p.Close()
	if !p.Conn().TLSRequired() {
		t.Fatal("connection is not TLS")
	}
	round(t, p)
	if _, err := syncnet.Dial(ctx, a, h.URL(), syncnet.PeerOptions{Timeout: 5 * time.Second}); err == nil {
		t.Fatal("a device without the CA connected")
	}
}

func writeSelfSigned(t *testing.T, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}
