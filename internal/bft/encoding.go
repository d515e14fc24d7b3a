package bft

import (
	"encoding/binary"
	"fmt"
)

// The canonical encoding is fixed-order binary: integers big-endian (u8, u32,
// u64), keys and hashes as their raw 32 bytes, byte strings and lists with a
// u32 length prefix. The same encoder builds the bytes that are signed, the
// bytes that are hashed and the bytes that go on the wire or to disk, so there
// is exactly one way to write any value.

// Decoding limits: hostile input must not make us allocate without bound.
const (
	maxSeats        = 64      // far above any real table; bounds every per-seat list
	maxWireBets     = 4096    // bounds a decoded bet list before Config.MaxBetsPerRound applies
	maxPayloadBytes = 1 << 16 // a bet payload; Config.MaxBetPayloadBytes is the real limit
	maxTableIDBytes = 256     // table IDs are short names or UUIDs
	maxSigBytes     = 64      // Ed25519 signatures are exactly 64 bytes
	maxViewChanges  = maxSeats
)

type encoder struct{ buf []byte }

func (e *encoder) u8(v uint8)      { e.buf = append(e.buf, v) }
func (e *encoder) u32(v uint32)    { e.buf = binary.BigEndian.AppendUint32(e.buf, v) }
func (e *encoder) u64(v uint64)    { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }
func (e *encoder) key(k PublicKey) { e.buf = append(e.buf, k[:]...) }
func (e *encoder) hash(h Hash)     { e.buf = append(e.buf, h[:]...) }
func (e *encoder) count(n int)     { e.u32(uint32(n)) }
func (e *encoder) str(s string)    { e.count(len(s)); e.buf = append(e.buf, s...) }
func (e *encoder) bytes(p []byte)  { e.count(len(p)); e.buf = append(e.buf, p...) }
func (e *encoder) flag(b bool)     { e.u8(boolByte(b)) }
func (e *encoder) keys(ks []PublicKey) {
	e.count(len(ks))
	for _, k := range ks {
		e.key(k)
	}
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// decoder reads what encoder wrote. The first error sticks; later reads return
// zero values, so decode functions check d.err once at the end.
type decoder struct {
	buf  []byte
	what string
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("decode %s: %s: %w", d.what, fmt.Sprintf(format, args...), ErrMalformed)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.buf) < n {
		d.fail("need %d bytes, have %d", n, len(d.buf))
		return nil
	}
	p := d.buf[:n]
	d.buf = d.buf[n:]
	return p
}

func (d *decoder) u8() uint8 {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (d *decoder) u32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint32(p)
}

func (d *decoder) u64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

func (d *decoder) key() (k PublicKey) { copy(k[:], d.take(len(k))); return k }
func (d *decoder) hash() (h Hash)     { copy(h[:], d.take(len(h))); return h }

// count reads a list length and refuses one above max.
func (d *decoder) count(max int) int {
	n := d.u32()
	if uint64(n) > uint64(max) {
		d.fail("list of %d over the limit %d", n, max)
		return 0
	}
	return int(n)
}

// bytes reads a length-prefixed byte string (copied: the input buffer may be
// reused by the caller).
func (d *decoder) bytes(max int) []byte {
	n := d.count(max)
	p := d.take(n)
	if p == nil {
		return nil
	}
	return append([]byte(nil), p...)
}

func (d *decoder) str(max int) string { return string(d.bytes(max)) }

func (d *decoder) flag() bool {
	switch d.u8() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("flag is neither 0 nor 1")
	return false
}

func (d *decoder) keys(max int) []PublicKey {
	n := d.count(max)
	if n == 0 {
		return nil
	}
	ks := make([]PublicKey, n)
	for i := range ks {
		ks[i] = d.key()
	}
	return ks
}

// finish reports leftover bytes: a canonical encoding has exactly one form.
func (d *decoder) finish() error {
	if d.err == nil && len(d.buf) != 0 {
		d.fail("%d trailing bytes", len(d.buf))
	}
	return d.err
}
