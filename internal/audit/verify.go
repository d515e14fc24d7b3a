package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Sentinel errors of verification.
var (
	// ErrTampered is wrapped by every *VerifyError.
	ErrTampered = errors.New("audit: log does not verify")
	// ErrNoLog means there is no audit log at the path.
	ErrNoLog = errors.New("audit: no audit log")
	// ErrBadSigner means the expected signer is not an Ed25519 public key.
	ErrBadSigner = errors.New("audit: bad signer key")
)

// VerifyError names the first entry that breaks the log.
type VerifyError struct {
	Line int    // 1-based line number in the file
	Seq  uint64 // the entry's seq, or the expected seq when the line is unreadable
	// Reason says which check failed.
	Reason string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit: entry at line %d (seq %d): %s", e.Line, e.Seq, e.Reason)
}

// Unwrap lets errors.Is match ErrTampered.
func (e *VerifyError) Unwrap() error { return ErrTampered }

// Summary describes a verified log.
type Summary struct {
	// Entries is the number of entries that verified (all of them when the
	// error is nil; those before the bad one otherwise).
	Entries uint64
	// HeadHash is the hex hash of the last verified entry, "" when none.
	HeadHash string
	// TornBytes counts bytes after the last newline: an append that a crash
	// (or a concurrent writer) left unfinished. They are ignored: such an
	// append was never acknowledged, and Open cuts it.
	TornBytes int64
}

// VerifyFile verifies the log at path; see Verify.
func VerifyFile(path string, signer ed25519.PublicKey) (Summary, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Summary{}, fmt.Errorf("%w at %s", ErrNoLog, path)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("audit: open log: %w", err)
	}
	defer f.Close()
	return Verify(f, signer)
}

// Verify reads a whole log and checks, entry by entry: canonical encoding,
// seq = previous + 1 starting at 1, prev_hash = previous hash, hash =
// content, and signature by signer. It returns a *VerifyError (wrapping
// ErrTampered) for the first entry that fails, or another error for I/O.
func Verify(r io.Reader, signer ed25519.PublicKey) (Summary, error) {
	if len(signer) != ed25519.PublicKeySize {
		return Summary{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadSigner, len(signer), ed25519.PublicKeySize)
	}
	br := bufio.NewReaderSize(r, maxLineBytes+1)
	var (
		sum  Summary
		prev [32]byte
	)
	for line := 1; ; line++ {
		text, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, io.EOF):
			sum.TornBytes = int64(len(text))
			return sum, nil
		case errors.Is(err, bufio.ErrBufferFull):
			return sum, &VerifyError{Line: line, Seq: sum.Entries + 1, Reason: fmt.Sprintf("line longer than %d bytes", maxLineBytes)}
		case err != nil:
			return sum, fmt.Errorf("audit: read log line %d: %w", line, err)
		}
		e, h, verr := checkLine(text[:len(text)-1], sum.Entries+1, prev, signer)
		if verr != nil {
			verr.Line = line
			return sum, verr
		}
		prev = h
		sum.Entries = e.Seq
		sum.HeadHash = e.Hash
	}
}

// checkLine verifies one line (without its newline) as entry number want
// after prev, and returns it with its hash.
func checkLine(text []byte, want uint64, prev [32]byte, signer ed25519.PublicKey) (*Entry, [32]byte, *VerifyError) {
	bad := func(seq uint64, format string, args ...any) (*Entry, [32]byte, *VerifyError) {
		return nil, [32]byte{}, &VerifyError{Seq: seq, Reason: fmt.Sprintf(format, args...)}
	}
	e, err := decodeLine(text)
	if err != nil {
		return bad(want, "not a valid entry: %v", err)
	}
	if canon, err := encodeLine(e); err != nil || !bytes.Equal(canon, text) {
		return bad(e.Seq, "not in canonical form: the line was edited")
	}
	if e.Seq != want {
		return bad(e.Seq, "seq %d where %d was expected: an entry was removed, inserted or reordered", e.Seq, want)
	}
	if e.PrevHash != hex.EncodeToString(prev[:]) {
		return bad(e.Seq, "prev_hash does not match the previous entry's hash")
	}
	h := contentHash(e, prev)
	if e.Hash != hex.EncodeToString(h[:]) {
		return bad(e.Seq, "hash does not match the entry's content: the entry was changed")
	}
	sig, err := hex.DecodeString(e.Signature)
	if err != nil || !ed25519.Verify(signer, sigMessage(h), sig) {
		return bad(e.Seq, "signature does not verify with signer %x", signer[:4])
	}
	return e, h, nil
}

// decodeLine parses strictly: unknown fields and trailing data are errors.
func decodeLine(text []byte) (*Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var e Entry
	if err := dec.Decode(&e); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the entry")
	}
	return &e, nil
}
