package audit

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
)

// Report is the JSON answer of GET /api/v1/audit/verify and of
// `bitcraps audit verify --json`, online or offline:
//
//	{"ok":true,"entries":42,"head_hash":"…","signer":"<peer id>","first_bad":null}
//	{"ok":false,"entries":6,"head_hash":"…","signer":"…",
//	 "first_bad":{"line":7,"seq":8,"reason":"seq 8 where 7 was expected: …"},
//	 "error":"audit: entry at line 7 (seq 8): …"}
//
// A log that cannot be read at all has ok false, first_bad null and error
// set. The HTTP handler answers 200 with the report either way: the check
// ran, and its result is in "ok".
type Report struct {
	OK bool `json:"ok"`
	// Entries verified (before first_bad when there is one).
	Entries  uint64 `json:"entries"`
	HeadHash string `json:"head_hash,omitempty"`
	// Signer is the peer ID (hex public key) the log was checked against.
	Signer string `json:"signer"`
	// TornBytes of an unfinished final line were ignored (see Summary).
	TornBytes int64     `json:"torn_bytes,omitempty"`
	FirstBad  *BadEntry `json:"first_bad"`
	Error     string    `json:"error,omitempty"`
}

// BadEntry locates the first entry that does not verify.
type BadEntry struct {
	Line   int    `json:"line"`
	Seq    uint64 `json:"seq"`
	Reason string `json:"reason"`
}

// VerifyReport verifies the log at path against signer and reports the
// outcome as data, for the HTTP handler and the CLI.
func VerifyReport(path string, signer ed25519.PublicKey) Report {
	sum, err := VerifyFile(path, signer)
	r := Report{
		OK:        err == nil,
		Entries:   sum.Entries,
		HeadHash:  sum.HeadHash,
		Signer:    hex.EncodeToString(signer),
		TornBytes: sum.TornBytes,
	}
	if err != nil {
		r.Error = err.Error()
	}
	var verr *VerifyError
	if errors.As(err, &verr) {
		r.FirstBad = &BadEntry{Line: verr.Line, Seq: verr.Seq, Reason: verr.Reason}
	}
	return r
}
