package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Kind names what an entry records.
type Kind string

// The state changes the node records.
const (
	KindServiceStart  Kind = "service.start"
	KindServiceStop   Kind = "service.stop"
	KindConfigLoaded  Kind = "config.loaded"
	KindStateChange   Kind = "app.state"
	KindTableCreated  Kind = "table.created"
	KindTableClosed   Kind = "table.closed"
	KindMoneyOp       Kind = "money.op"
	KindEmergencyStop Kind = "emergency.stop"
	// KindBackupRestored: the node starts on a data dir restored from a
	// backup (what it was restored from, how old it was).
	KindBackupRestored Kind = "backup.restored"
)

// Limits: an entry records an event, not a payload; bounded lines also let
// Open find the last entry by reading only the file's tail.
const (
	MaxDetailBytes = 16 << 10
	maxKindBytes   = 64
	maxLineBytes   = MaxDetailBytes + 1024
)

// Domain tags keep audit hashes and signatures from being mistaken for any
// other thing the node key signs (bets, commits, envelopes).
const (
	hashDomain = "BITCRAPS_AUDIT_ENTRY_V1"
	sigDomain  = "BITCRAPS_AUDIT_SIG_V1"
)

// ErrBadEntry means Append was given a kind or detail it cannot record.
var ErrBadEntry = errors.New("audit: bad entry")

// Entry is one line of the log. Hashes and the signature are lowercase hex.
type Entry struct {
	Seq  uint64 `json:"seq"`
	Time string `json:"time"` // RFC 3339 with nanoseconds, UTC
	Kind Kind   `json:"kind"`
	// Detail is a JSON object, compact, exactly as hashed.
	Detail    json.RawMessage `json:"detail"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
	Signature string          `json:"signature"`
}

// contentHash covers everything but the hash and signature: the previous
// hash chains entries, the seq orders them. Fields are length-prefixed so
// no two different entries encode alike.
func contentHash(e *Entry, prev [32]byte) [32]byte {
	var b bytes.Buffer
	b.WriteString(hashDomain)
	b.Write(binary.BigEndian.AppendUint64(nil, e.Seq))
	b.Write(prev[:])
	for _, field := range [][]byte{[]byte(e.Time), []byte(e.Kind), e.Detail} {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(field))))
		b.Write(field)
	}
	return sha256.Sum256(b.Bytes())
}

func sigMessage(hash [32]byte) []byte {
	return append([]byte(sigDomain), hash[:]...)
}

// seal fills in the hash and signature of e, which follows prev.
func seal(e *Entry, prev [32]byte, key ed25519.PrivateKey) [32]byte {
	h := contentHash(e, prev)
	e.PrevHash = hex.EncodeToString(prev[:])
	e.Hash = hex.EncodeToString(h[:])
	e.Signature = hex.EncodeToString(ed25519.Sign(key, sigMessage(h)))
	return h
}

// encodeLine is the one canonical text of an entry, without the newline.
func encodeLine(e *Entry) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("audit: encode entry %d: %w", e.Seq, err)
	}
	return b, nil
}

// canonicalDetail turns detail into the compact JSON object that is both
// hashed and written (json.Marshal compacts and escapes raw JSON the same
// way every time).
func canonicalDetail(detail any) (json.RawMessage, error) {
	if detail == nil {
		return json.RawMessage("{}"), nil
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return nil, fmt.Errorf("%w: detail: %w", ErrBadEntry, err)
	}
	raw, err = json.Marshal(json.RawMessage(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: detail: %w", ErrBadEntry, err)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: detail must be a JSON object, got %.40s", ErrBadEntry, raw)
	}
	if len(raw) > MaxDetailBytes {
		return nil, fmt.Errorf("%w: detail is %d bytes, limit %d", ErrBadEntry, len(raw), MaxDetailBytes)
	}
	return raw, nil
}

// checkEntry validates what a caller asks to record.
func checkEntry(kind Kind, detail any) (json.RawMessage, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	return canonicalDetail(detail)
}

func checkKind(k Kind) error {
	if k == "" || len(k) > maxKindBytes {
		return fmt.Errorf("%w: kind %q must be 1..%d bytes", ErrBadEntry, k, maxKindBytes)
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%w: kind %q: only a-z, 0-9, '.', '_' and '-'", ErrBadEntry, k)
		}
	}
	return nil
}
