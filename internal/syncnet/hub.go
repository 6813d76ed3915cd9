//go:build !wasip1

package syncnet

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
)

// HubOptions configure [StartHub].
type HubOptions struct {
	// Listen is HOST:PORT; "" is 127.0.0.1:4222. Port 0 (or -1) picks a free one.
	Listen string
	// Token must be presented by every device. Required unless Listen is a loopback address.
	Token string
	// Library is the library the hub serves: subjects carry it, and only its devices'
	// streams exist here.
	Library uuid.UUID
	// Dir holds the JetStream store (Dir/jetstream) and the devices' secrets
	// (Dir/sync-peers.json). Usually the library directory.
	Dir string
	// TLSCert and TLSKey, both set, make the hub accept TLS connections only.
	TLSCert, TLSKey string
	// Device is the hub's own device: the one that answers joining devices.
	Device uuid.UUID
}

// Hub is a running embedded JetStream server.
type Hub struct {
	srv  *server.Server
	opts HubOptions
	auth *peerAuth
}

// ErrCredentials reports a non-loopback listen address without a token.
var ErrCredentials = errors.New("a hub listening on a non-loopback address requires a token (--token or FILEDEX_SYNC_TOKEN)")

// StartHub starts an embedded nats-server with JetStream and waits until it accepts clients.
func StartHub(o HubOptions) (*Hub, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:4222"
	}
	host, portS, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", o.Listen, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: bad port", o.Listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if host == "" {
		host = "127.0.0.1" // never all interfaces by default
	}
	if !isLoopback(host) && o.Token == "" {
		return nil, ErrCredentials
	}
	auth, err := loadPeerAuth(filepath.Join(o.Dir, "sync-peers.json"), o.Token, o.Library)
	if err != nil {
		return nil, err
	}
	auth.hubDevice = o.Device
	so := &server.Options{
		ServerName:                 "filedex-" + o.Library.String()[:8],
		Host:                       host,
		Port:                       port,
		JetStream:                  true,
		StoreDir:                   filepath.Join(o.Dir, "jetstream"),
		NoSigs:                     true,
		NoLog:                      true,
		HTTPPort:                   0,
		CustomClientAuthentication: auth,
		MaxPayload:                 8 << 20,
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		so.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		so.TLS = true
	}
	srv, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("nats server did not start within 10 s")
	}
	return &Hub{srv: srv, opts: o, auth: auth}, nil
}

// URL is the nats:// address clients connect to.
func (h *Hub) URL() string { return h.srv.ClientURL() }

// Server is the embedded server (for in-process connections).
func (h *Hub) Server() *server.Server { return h.srv }

// Close stops the server and waits for it.
func (h *Hub) Close() {
	h.srv.Shutdown()
	h.srv.WaitForShutdown()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// streamName is a device's stream; subjectPrefix the subjects it captures.
func streamName(dev uuid.UUID) string { return "FDX_" + hex.EncodeToString(dev[:]) }

func subjectPrefix(lib, dev uuid.UUID) string {
	return "fdx." + hex.EncodeToString(lib[:]) + "." + hex.EncodeToString(dev[:])
}

const helloSubject = "fdx.hello"

// peerAuth checks logins: user = device UUID, password = token "." device secret.
type peerAuth struct {
	mu    sync.Mutex
	path  string
	token string
	lib   uuid.UUID
	peers map[string]string // device UUID → hex SHA-256 of its secret
	// hubDevice may also answer hello requests.
	hubDevice uuid.UUID
}

func loadPeerAuth(path, token string, lib uuid.UUID) (*peerAuth, error) {
	a := &peerAuth{path: path, token: token, lib: lib, peers: map[string]string{}}
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &a.peers); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return a, nil
}

// Check implements server.Authentication.
func (a *peerAuth) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	dev, err := uuid.Parse(o.Username)
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(o.Password, '.')
	if i < 0 {
		return false
	}
	token, secret := o.Password[:i], o.Password[i+1:]
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.token)) != 1 || len(secret) < 32 {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	h := hex.EncodeToString(sum[:])
	a.mu.Lock()
	known, ok := a.peers[dev.String()]
	if !ok {
		// Trust on first use: the first login of a device fixes its secret.
		a.peers[dev.String()] = h
		b, _ := json.MarshalIndent(a.peers, "", "  ")
		if err := os.WriteFile(a.path, b, 0o600); err != nil {
			delete(a.peers, dev.String())
			a.mu.Unlock()
			return false
		}
	}
	a.mu.Unlock()
	if ok && subtle.ConstantTimeCompare([]byte(known), []byte(h)) != 1 {
		return false // a known device with another secret: forged
	}
	own := subjectPrefix(a.lib, dev)
	stream := streamName(dev)
	sub := []string{"_INBOX.>"}
	var resp *server.ResponsePermission
	if dev == a.hubDevice {
		// The hub's device answers hello requests (replies only, one each).
		sub = append(sub, helloSubject)
		resp = &server.ResponsePermission{MaxMsgs: 1, Expires: time.Minute}
	}
	c.RegisterUser(&server.User{
		Username: dev.String(),
		Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{
				own + ".>", helloSubject,
				"$JS.API.INFO", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST", "$JS.API.STREAM.INFO.*",
				"$JS.API.STREAM.CREATE." + stream, "$JS.API.STREAM.UPDATE." + stream,
				"$JS.API.CONSUMER.CREATE.>", "$JS.API.CONSUMER.DELETE.>", "$JS.API.CONSUMER.INFO.>",
				"$JS.API.CONSUMER.MSG.NEXT.>", "$JS.ACK.>", "$JS.FC.>",
			}},
			Subscribe: &server.SubjectPermission{Allow: sub},
			Response:  resp,
		},
	})
	return true
}

// SubjectPrefix is the subject prefix of a device's messages in a library.
func SubjectPrefix(lib, dev uuid.UUID) string { return subjectPrefix(lib, dev) }
