package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// The byte formats are hand-written and fixed-order so that an op has
// exactly one encoding: ids and signatures depend on it, and replicas on
// different versions must agree.

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendString(b []byte, v string) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendU64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// appendBody encodes the signed content of a (normalized) op.
func appendBody(b []byte, op Op) []byte {
	b = append(b, byte(op.Kind))
	b = appendString(b, string(op.Owner))
	b = appendString(b, op.Table)
	b = appendU64(b, uint64(op.Amount))
	b = appendU64(b, op.Seq)
	b = appendU64(b, op.Round)
	b = binary.AppendUvarint(b, uint64(len(op.Outcomes)))
	for _, o := range op.Outcomes {
		b = appendString(b, string(o.Player))
		b = appendU64(b, uint64(o.Delta))
	}
	if op.Treasury != "" {
		// Last and only when set: every other op keeps the encoding
		// (and the id) it always had.
		b = appendString(b, string(op.Treasury))
	}
	return b
}

// encodeRecord is the stored form of an applied op: body, signature and
// certificate.
func encodeRecord(op Op) []byte {
	b := appendBytes(nil, appendBody(nil, op.normalized()))
	b = appendBytes(b, op.Signature)
	return appendBytes(b, op.Certificate)
}

// decoder reads the formats above and remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or malformed %s", ErrCorrupt, what)
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(what string, max int) []byte {
	n := d.uvarint(what)
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) || n > uint64(max) {
		d.fail(what)
		return nil
	}
	v := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64(what string) uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail(what)
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) byte1(what string) byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail(what)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) end(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes after %s", ErrCorrupt, len(d.b), what)
	}
	return d.err
}

// maxField bounds any string read back (peer ids, table ids).
const maxField = 256

func decodeBody(b []byte) (Op, error) {
	d := decoder{b: b}
	var op Op
	op.Kind = Kind(d.byte1("kind"))
	op.Owner = identity.PeerID(d.bytes("owner", maxField))
	op.Table = string(d.bytes("table", maxField))
	op.Amount = int64(d.u64("amount"))
	op.Seq = d.u64("seq")
	op.Round = d.u64("round")
	n := d.uvarint("outcome count")
	if n > MaxOutcomes {
		d.fail("outcome count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		p := identity.PeerID(d.bytes("outcome player", maxField))
		op.Outcomes = append(op.Outcomes, Outcome{Player: p, Delta: int64(d.u64("outcome delta"))})
	}
	if d.err == nil && len(d.b) > 0 {
		op.Treasury = identity.PeerID(d.bytes("treasury", maxField))
	}
	return op, d.end("op body")
}

func decodeRecord(b []byte) (Op, error) {
	d := decoder{b: b}
	body := d.bytes("record body", 1<<20)
	sig := d.bytes("record signature", 1<<10)
	cert := d.bytes("record certificate", MaxCertificateBytes)
	if err := d.end("op record"); err != nil {
		return Op{}, err
	}
	op, err := decodeBody(body)
	if err != nil {
		return Op{}, err
	}
	if len(sig) > 0 {
		op.Signature = sig
	}
	if len(cert) > 0 {
		op.Certificate = cert
	}
	return op, nil
}

// Log entries: one byte of type, then the payload.
const (
	entryOp       byte = 1
	entryEvidence byte = 2
)

func encodeOpEntry(op Op) []byte { return append([]byte{entryOp}, encodeRecord(op)...) }

func encodeEvidenceEntry(first, second Op) []byte {
	b := appendBytes([]byte{entryEvidence}, encodeRecord(first))
	return appendBytes(b, encodeRecord(second))
}

// logEntry is a decoded log entry: an applied op, or equivocation evidence.
type logEntry struct {
	kind          byte
	op            Op
	first, second Op
}

func decodeEntry(b []byte) (logEntry, error) {
	if len(b) == 0 {
		return logEntry{}, fmt.Errorf("%w: empty log entry", ErrCorrupt)
	}
	e := logEntry{kind: b[0]}
	var err error
	switch e.kind {
	case entryOp:
		e.op, err = decodeRecord(b[1:])
	case entryEvidence:
		d := decoder{b: b[1:]}
		r1 := d.bytes("evidence first", 1<<20)
		r2 := d.bytes("evidence second", 1<<20)
		if err = d.end("evidence"); err != nil {
			return e, err
		}
		if e.first, err = decodeRecord(r1); err == nil {
			e.second, err = decodeRecord(r2)
		}
	default:
		err = fmt.Errorf("%w: log entry type %d", ErrCorrupt, e.kind)
	}
	return e, err
}

func encodeI64(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

func decodeI64(b []byte, what string) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: %s: %d bytes, want 8", ErrCorrupt, what, len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
