package backup

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// FormatVersion is the archive format this node writes and reads. A reader
// refuses any other: a newer archive may hold parts it would drop.
const FormatVersion = 1

// ManifestFile is the archive's first entry.
const ManifestFile = "manifest.json"

// The parts every archive holds, as paths inside it (and in a data dir).
const (
	LedgerDir    = "ledger"
	ConsensusDir = "consensus"
	KeystoreFile = "identity.json"
	AuditFile    = "audit/audit.log"
)

// Manifest describes an archive: what node it is from, what state it
// holds, and each file's size and hash, so a restore can check that what
// it unpacked is what was packed.
type Manifest struct {
	Format      int       `json:"format"`
	NodeVersion string    `json:"node_version"`
	PeerID      string    `json:"peer_id"`
	CreatedAt   time.Time `json:"created_at"`
	Ledger      Ledger    `json:"ledger"`
	Audit       Audit     `json:"audit"`
	// HighestCertified is each table's highest certified round in the
	// consensus store: a restored node catches up from there.
	HighestCertified map[string]uint64 `json:"highest_certified_rounds"`
	// Recipients are the age public keys that can open the archive.
	Recipients []string `json:"recipients"`
	Files      []File   `json:"files"`
}

// Ledger is the ledger's state in the archive, amounts in micro-CRAP.
type Ledger struct {
	StateHash    string `json:"state_hash"`
	TotalGrants  int64  `json:"total_grants"`
	TotalWallets int64  `json:"total_wallets"`
	TotalChips   int64  `json:"total_chips"`
	TotalBanks   int64  `json:"total_banks"`
	Accounts     int    `json:"accounts"`
	Ops          uint64 `json:"ops"`
}

// Audit is the audit trail's head in the archive.
type Audit struct {
	Entries  uint64 `json:"entries"`
	HeadHash string `json:"head_hash"`
}

// File is one archived file: a slash path inside the archive.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Check says whether a restore may go ahead with m: a format this node
// reads, a peer id, every part present, file paths that stay inside the
// data dir. targetPeer is the peer id of the keystore already in the data
// dir being replaced ("" when there is none): a backup of another node is
// refused, since restoring it would replace one node's identity and ledger
// with another's. Pure.
func (m *Manifest) Check(targetPeer string) error {
	if m.Format != FormatVersion {
		return fmt.Errorf("%w: format %d, this node reads %d", ErrFormat, m.Format, FormatVersion)
	}
	if m.PeerID == "" {
		return fmt.Errorf("%w: manifest names no peer id", ErrCorrupt)
	}
	if targetPeer != "" && targetPeer != m.PeerID {
		return fmt.Errorf("%w: the archive is peer %s's, the data dir holds peer %s", ErrForeignPeer, m.PeerID, targetPeer)
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if !safePath(f.Path) {
			return fmt.Errorf("%w: manifest names the path %q, outside the data dir", ErrCorrupt, f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("%w: manifest names %q twice", ErrCorrupt, f.Path)
		}
		seen[f.Path] = true
	}
	for _, part := range []string{KeystoreFile, AuditFile} {
		if !seen[part] {
			return fmt.Errorf("%w: manifest lists no %s", ErrCorrupt, part)
		}
	}
	for _, dir := range []string{LedgerDir, ConsensusDir} {
		if !slices.ContainsFunc(m.Files, func(f File) bool { return strings.HasPrefix(f.Path, dir+"/") }) {
			return fmt.Errorf("%w: manifest lists no file of the %s store", ErrCorrupt, dir)
		}
	}
	return nil
}

// CheckRestored compares what a restore verified in its copy with what
// the manifest says was backed up. Pure.
func (m *Manifest) CheckRestored(peer string, ledger Ledger, audit Audit, certified map[string]uint64) error {
	switch {
	case peer != m.PeerID:
		return fmt.Errorf("%w: the keystore is peer %s's, the manifest says %s", ErrCorrupt, peer, m.PeerID)
	case ledger != m.Ledger:
		return fmt.Errorf("%w: the restored ledger is %+v, the manifest says %+v", ErrVerify, ledger, m.Ledger)
	case audit != m.Audit:
		return fmt.Errorf("%w: the restored audit trail has %d entries (head %s), the manifest says %d (head %s)",
			ErrVerify, audit.Entries, audit.HeadHash, m.Audit.Entries, m.Audit.HeadHash)
	case !maps.Equal(certified, m.HighestCertified) && (len(certified) > 0 || len(m.HighestCertified) > 0):
		return fmt.Errorf("%w: the restored consensus store certifies %v, the manifest says %v", ErrVerify, certified, m.HighestCertified)
	}
	return nil
}

// safePath: a relative slash path without "..", so unpacking stays inside
// the staging dir whatever the archive says.
func safePath(p string) bool {
	return p != "" && !strings.HasPrefix(p, "/") && path.Clean(p) == p && p != "." &&
		!strings.HasPrefix(p, "../") && p != ".." && !strings.Contains(p, "\\")
}
