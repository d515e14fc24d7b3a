package link

import (
	"encoding/binary"
	"fmt"
	"io"
)

// MaxMessageSize is the Noise protocol's limit on one handshake or transport
// message, ciphertext included.
const MaxMessageSize = 65535

// MessageConn carries whole Noise messages in order. TCP uses StreamConn;
// a transport with its own message boundaries (BLE, after reassembly) can
// implement it directly. ReadMessage and WriteMessage may run concurrently
// with each other (one reader goroutine, one writer goroutine), never with
// themselves.
type MessageConn interface {
	// ReadMessage returns the next message; the slice is valid until the
	// next call.
	ReadMessage() ([]byte, error)
	WriteMessage(msg []byte) error
}

// StreamConn frames messages over a byte stream with a 2-byte big-endian
// length, as the Noise specification suggests for TCP.
type StreamConn struct {
	r    io.Reader
	w    io.Writer
	rbuf []byte
	wbuf []byte
}

// NewStreamConn frames messages over rw (a net.Conn, for instance).
func NewStreamConn(rw io.ReadWriter) *StreamConn {
	return &StreamConn{r: rw, w: rw}
}

// ReadMessage reads one length-prefixed message.
func (c *StreamConn) ReadMessage() ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
		return nil, fmt.Errorf("read message header: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if cap(c.rbuf) < n {
		c.rbuf = make([]byte, n, MaxMessageSize)
	}
	c.rbuf = c.rbuf[:n]
	if _, err := io.ReadFull(c.r, c.rbuf); err != nil {
		return nil, fmt.Errorf("read message body (%d bytes): %w", n, err)
	}
	return c.rbuf, nil
}

// WriteMessage writes header and message with one Write, so each Noise
// message leaves in as few packets as the kernel allows.
func (c *StreamConn) WriteMessage(msg []byte) error {
	if len(msg) > MaxMessageSize {
		return fmt.Errorf("write message: %d bytes > %d: %w", len(msg), MaxMessageSize, ErrMessageTooLarge)
	}
	c.wbuf = binary.BigEndian.AppendUint16(c.wbuf[:0], uint16(len(msg)))
	c.wbuf = append(c.wbuf, msg...)
	if _, err := c.w.Write(c.wbuf); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}
