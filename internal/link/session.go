package link

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/flynn/noise"
)

// MaxPlaintext is the most plaintext one Noise transport message carries
// (MaxMessageSize less the 16-byte Poly1305 tag). Larger writes are split.
const MaxPlaintext = MaxMessageSize - 16

// ErrDecrypt: a transport message failed authentication (tampered, replayed,
// reordered or from another session). The link is unusable afterwards.
var ErrDecrypt = errors.New("link message failed authentication")

// Session is an established link: a plaintext byte stream (io.ReadWriter)
// over encrypted Noise transport messages. Read and Write each belong to one
// goroutine; the two may run concurrently.
type Session struct {
	mc   MessageConn
	send *noise.CipherState
	recv *noise.CipherState
	peer Peer

	rback []byte // decrypted message
	rbuf  []byte // its unread part
	wbuf  []byte
}

func newSession(mc MessageConn, send, recv *noise.CipherState, peer Peer) *Session {
	return &Session{mc: mc, send: send, recv: recv, peer: peer}
}

// Peer is the authenticated identity at the other end.
func (s *Session) Peer() Peer { return s.peer }

// PeerID is the peer's ID (lowercase hex of its public key).
func (s *Session) PeerID() string { return hex.EncodeToString(s.peer.PublicKey) }

// Write encrypts p as one or more transport messages.
func (s *Session) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), MaxPlaintext)]
		var err error
		s.wbuf, err = s.send.Encrypt(s.wbuf[:0], nil, chunk)
		if err != nil {
			return written, fmt.Errorf("encrypt: %w", err)
		}
		if err := s.mc.WriteMessage(s.wbuf); err != nil {
			return written, err
		}
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

// Read returns decrypted bytes, reading the next transport message when
// the previous one is used up.
func (s *Session) Read(p []byte) (int, error) {
	for len(s.rbuf) == 0 {
		if err := s.readMessage(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.rbuf)
	s.rbuf = s.rbuf[n:]
	return n, nil
}

func (s *Session) readMessage() error {
	msg, err := s.mc.ReadMessage()
	if err != nil {
		return err
	}
	s.rback, err = s.recv.Decrypt(s.rback[:0], nil, msg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	s.rbuf = s.rback
	return nil
}

func (s *Session) sendAccept() error {
	_, err := s.Write([]byte(acceptMsg))
	return err
}

func (s *Session) awaitAccept() error {
	if err := s.readMessage(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotAccepted, err)
	}
	if string(s.rbuf) != acceptMsg {
		return fmt.Errorf("%w: unexpected first message", ErrNotAccepted)
	}
	s.rbuf = nil
	return nil
}
