package tcp

import (
	"errors"
	"net"

	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// Messages from a connection's goroutines to the actor.
type (
	frameIn struct {
		c    *conn
		env  *messages.Envelope
		size int
	}
	// frameBad: a frame failed checks. fatal means the stream cannot be
	// trusted to stay in sync, so the connection goes too.
	frameBad struct {
		c      *conn
		reason string
		fatal  bool
	}
	// readerDone: the reader ended (err is io.EOF when the peer half-closed).
	readerDone struct {
		c   *conn
		err error
	}
	// writerDone: the writer ended; err is nil when it half-closed cleanly.
	writerDone struct {
		c   *conn
		err error
	}
)

// readLoop reads, decodes and verifies frames (signature checks run here,
// in parallel across connections, not in the actor), pacing itself by the
// inbound bandwidth budget so a fast sender is slowed by TCP backpressure.
func (a *Actor) readLoop(c *conn) {
	for {
		env, n, err := messages.ReadFrame(c.sess)
		if err != nil {
			if errors.Is(err, messages.ErrMalformed) || errors.Is(err, messages.ErrFrameTooLarge) {
				a.sendSelf(&frameBad{c: c, reason: "malformed", fatal: true})
			}
			a.sendSelf(&readerDone{c: c, err: err})
			return
		}
		c.bytesIn.Add(uint64(n))
		if !a.pace(a.in, n, "in", c.done) {
			a.sendSelf(&readerDone{c: c, err: net.ErrClosed})
			return
		}
		if err := env.Verify(); err != nil {
			a.sendSelf(&frameBad{c: c, reason: verifyReason(err)})
			continue
		}
		a.sendSelf(&frameIn{c: c, env: env, size: n})
	}
}

// writeLoop drains the queue onto the socket within the outbound budget.
// Once done closes it finishes the frame in hand, half-closes the socket
// (the peer reads everything written, then EOF) and reports.
func (a *Actor) writeLoop(c *conn) {
	err := a.writeFrames(c)
	if err == nil {
		if tc, ok := c.nc.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}
	a.sendSelf(&writerDone{c: c, err: err})
}

func (a *Actor) writeFrames(c *conn) error {
	var buf []byte
	for {
		select { // done first: a closed conn takes nothing more from the queue
		case <-c.done:
			return nil
		default:
		}
		var env *messages.Envelope
		select {
		case <-c.done:
			return nil
		case env = <-c.queue:
		}
		buf = a.appendFrame(buf[:0], env)
		buf = a.coalesce(c, buf)
		if len(buf) == 0 {
			continue
		}
		if !a.pace(a.out, len(buf), "out", c.done) {
			a.drop("closed")
			return nil
		}
		if _, err := c.sess.Write(buf); err != nil {
			return err
		}
		c.bytesOut.Add(uint64(len(buf)))
	}
}

// coalesceLimit: frames already queued are written together up to one
// Noise message's worth, so a burst costs one encryption and one syscall
// per 64 KiB rather than per frame. Never waits for more to arrive.
const coalesceLimit = link.MaxPlaintext

func (a *Actor) coalesce(c *conn, buf []byte) []byte {
	for len(buf) < coalesceLimit {
		select {
		case env := <-c.queue:
			buf = a.appendFrame(buf, env)
		default:
			return buf
		}
	}
	return buf
}

// appendFrame encodes env onto buf and counts it as sent (a write error
// afterwards closes the connection, which is counted there).
func (a *Actor) appendFrame(buf []byte, env *messages.Envelope) []byte {
	frame, err := messages.Encode(env)
	if err != nil {
		a.drop("malformed")
		return buf
	}
	label := env.GetType().Label()
	a.opts.Metrics.BytesSent.WithLabelValues(messages.TransportTCP, label).Add(float64(len(frame)))
	a.opts.Metrics.MessagesSent.WithLabelValues(messages.TransportTCP, label).Inc()
	return append(buf, frame...)
}

func verifyReason(err error) string {
	if errors.Is(err, messages.ErrBadID) {
		return "bad_id"
	}
	if errors.Is(err, messages.ErrBadSignature) {
		return "bad_signature"
	}
	return "malformed"
}
