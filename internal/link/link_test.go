package link

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/identity"
)

const testDifficulty = 8 // fast to find, still refuses a zero-work identity

// seeded returns a deterministic byte stream; the seed is printed on failure.
func seeded(t *testing.T, seed uint64) io.Reader {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed: %d", seed)
		}
	})
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	return rand.NewChaCha8(s)
}

func newIdentity(t *testing.T, r io.Reader, difficulty int) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(r, difficulty)
	if err != nil {
		t.Fatalf("identity.Generate: %v", err)
	}
	return id
}

func configFor(t *testing.T, r io.Reader, local Local) Config {
	t.Helper()
	static, err := NewStatic(r)
	if err != nil {
		t.Fatalf("NewStatic: %v", err)
	}
	return Config{Local: local, Static: static, Difficulty: testDifficulty}
}

// recordingConn keeps every byte written, to check nothing leaks in clear.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *recordingConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (dialer, acceptor net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	a, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range []net.Conn{d, a} {
		_ = c.SetDeadline(deadline) // bounds every test; never fires when the test passes
		t.Cleanup(func() { _ = c.Close() })
	}
	return d, a
}

type result struct {
	s   *Session
	err error
}

// handshake runs both sides concurrently; a failing side closes its socket
// so the other side's read ends instead of hanging.
func handshake(t *testing.T, ini, resp Config) (iniRes, respRes result, wire *recordingConn) {
	t.Helper()
	d, a := tcpPair(t)
	wire = &recordingConn{Conn: d}
	done := make(chan result, 1)
	go func() {
		s, err := Respond(NewStreamConn(a), resp)
		if err != nil {
			_ = a.Close()
		}
		done <- result{s, err}
	}()
	s, err := Initiate(NewStreamConn(wire), ini)
	if err != nil {
		_ = d.Close()
	}
	return result{s, err}, <-done, wire
}

func TestHandshakeAuthenticatesBothAndEncrypts(t *testing.T) {
	r := seeded(t, 1)
	alice, bob := newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty)
	ini := configFor(t, r, LocalFrom(alice))
	ini.Expect = bob.PublicKey
	i, s, wire := handshake(t, ini, configFor(t, r, LocalFrom(bob)))
	if i.err != nil || s.err != nil {
		t.Fatalf("handshake: initiator %v, responder %v", i.err, s.err)
	}
	if i.s.PeerID() != string(bob.PeerID()) || s.s.PeerID() != string(alice.PeerID()) {
		t.Fatalf("peers: initiator sees %s, responder sees %s", i.s.PeerID(), s.s.PeerID())
	}
	if s.s.Peer().Nonce != alice.Nonce {
		t.Fatalf("responder saw nonce %d, want %d", s.s.Peer().Nonce, alice.Nonce)
	}

	// Larger than one Noise message, so it is split and rejoined.
	secret := bytes.Repeat([]byte("the dice are fair "), 2*MaxPlaintext/18+7)
	go func() { _, _ = i.s.Write(secret) }()
	got := make([]byte, len(secret))
	if _, err := io.ReadFull(s.s, got); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("responder read: %v (equal=%v)", err, bytes.Equal(got, secret))
	}
	reply := []byte("and so is the ledger")
	go func() { _, _ = s.s.Write(reply) }()
	got = make([]byte, len(reply))
	if _, err := io.ReadFull(i.s, got); err != nil || !bytes.Equal(got, reply) {
		t.Fatalf("initiator read: %v %q", err, got)
	}
	onWire := wire.written()
	if len(onWire) < len(secret) {
		t.Fatalf("only %d bytes on the wire for a %d-byte message", len(onWire), len(secret))
	}
	for _, clear := range [][]byte{[]byte("the dice are fair"), alice.PublicKey} {
		if bytes.Contains(onWire, clear) {
			t.Fatalf("plaintext %q visible on the wire", clear)
		}
	}
}

func TestHandshakeRefusesWrongIdentity(t *testing.T) {
	r := seeded(t, 2)
	alice, bob, mallory := newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty)
	// Claims to be alice but can only sign as mallory.
	liar := Local{PublicKey: alice.PublicKey, Nonce: alice.Nonce, Sign: mallory.Sign}

	i, s, _ := handshake(t, configFor(t, r, liar), configFor(t, r, LocalFrom(bob)))
	if !errors.Is(s.err, ErrBadSignature) || Reason(s.err) != "bad_signature" {
		t.Fatalf("responder facing a liar: %v (reason %q), want ErrBadSignature", s.err, Reason(s.err))
	}
	if !errors.Is(i.err, ErrNotAccepted) {
		t.Fatalf("lying initiator: %v, want ErrNotAccepted", i.err)
	}

	i, _, _ = handshake(t, configFor(t, r, LocalFrom(bob)), configFor(t, r, liar))
	if !errors.Is(i.err, ErrBadSignature) {
		t.Fatalf("initiator facing a liar: %v, want ErrBadSignature", i.err)
	}
}

func TestHandshakeRefusesBelowDifficulty(t *testing.T) {
	r := seeded(t, 3)
	weak := newIdentity(t, r, 0)
	if err := identity.VerifyPoW(weak.PublicKey, weak.Nonce, testDifficulty); err == nil {
		t.Fatal("precondition: the zero-work identity happens to meet the difficulty; pick another seed")
	}
	bob := newIdentity(t, r, testDifficulty)
	i, s, _ := handshake(t, configFor(t, r, LocalFrom(weak)), configFor(t, r, LocalFrom(bob)))
	if !errors.Is(s.err, ErrPoW) || Reason(s.err) != "pow" {
		t.Fatalf("responder: %v, want ErrPoW", s.err)
	}
	if i.err == nil {
		t.Fatal("weak initiator was accepted")
	}
}

func TestHandshakeRefusesUnexpectedPeerAndSelf(t *testing.T) {
	r := seeded(t, 4)
	alice, bob, carol := newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty)
	ini := configFor(t, r, LocalFrom(alice))
	ini.Expect = carol.PublicKey
	i, _, _ := handshake(t, ini, configFor(t, r, LocalFrom(bob)))
	if !errors.Is(i.err, ErrUnexpectedPeer) {
		t.Fatalf("dialing carol, reaching bob: %v, want ErrUnexpectedPeer", i.err)
	}
	i, _, _ = handshake(t, configFor(t, r, LocalFrom(alice)), configFor(t, r, LocalFrom(alice)))
	if !errors.Is(i.err, ErrSelf) {
		t.Fatalf("self connection: %v, want ErrSelf", i.err)
	}
}

func TestTamperedMessageFailsAuthentication(t *testing.T) {
	r := seeded(t, 5)
	alice, bob := newIdentity(t, r, testDifficulty), newIdentity(t, r, testDifficulty)
	i, s, _ := handshake(t, configFor(t, r, LocalFrom(alice)), configFor(t, r, LocalFrom(bob)))
	if i.err != nil || s.err != nil {
		t.Fatalf("handshake: %v / %v", i.err, s.err)
	}
	// Forge a transport message: right framing, wrong key stream.
	forged := &tamperConn{MessageConn: i.s.mc}
	i.s.mc = forged
	go func() { _, _ = i.s.Write([]byte("bet 100 on pass")) }()
	_, err := s.s.Read(make([]byte, 64))
	if !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered message: %v, want ErrDecrypt", err)
	}
}

type tamperConn struct{ MessageConn }

func (c *tamperConn) WriteMessage(msg []byte) error {
	b := bytes.Clone(msg)
	b[0] ^= 0x80
	return c.MessageConn.WriteMessage(b)
}

func TestStreamConnRefusesOversizeMessage(t *testing.T) {
	var buf bytes.Buffer
	err := NewStreamConn(&buf).WriteMessage(make([]byte, MaxMessageSize+1))
	if !errors.Is(err, ErrMessageTooLarge) || buf.Len() != 0 {
		t.Fatalf("oversize write: %v, %d bytes written", err, buf.Len())
	}
}

func TestMetricsRegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewMetrics(reg), NewMetrics(reg)
	a.Drops.WithLabelValues("tcp", "queue_full").Inc()
	b.Drops.WithLabelValues("ble", "queue_full").Inc()
	if a.Drops != b.Drops {
		t.Fatal("second NewMetrics on one registry built a new family")
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	counted := 0
	for _, f := range fams {
		if f.GetName() != "bitcraps_transport_drops_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			counted += int(m.GetCounter().GetValue())
		}
	}
	if counted != 2 {
		t.Fatalf("drops family counts %d drops, want the 2 of both handles", counted)
	}
}
