package backup

import (
	"errors"
	"testing"
)

func validManifest() Manifest {
	return Manifest{
		Format: FormatVersion, PeerID: testPeer,
		Ledger:           Ledger{StateHash: "aa", TotalGrants: 5, TotalWallets: 5, Accounts: 1, Ops: 1},
		Audit:            Audit{Entries: 3, HeadHash: "bb"},
		HighestCertified: map[string]uint64{"t1": 7},
		Files: []File{{Path: "ledger/000001.sst"}, {Path: "consensus/MANIFEST-000001"},
			{Path: KeystoreFile}, {Path: AuditFile}},
	}
}

// What a restore refuses before touching anything, each with its reason.
func TestManifestCheck(t *testing.T) {
	if err := (&Manifest{}).Check(""); !errors.Is(err, ErrFormat) {
		t.Fatalf("format 0: %v", err)
	}
	ok := validManifest()
	if err := ok.Check(""); err != nil {
		t.Fatalf("valid manifest into an empty dir: %v", err)
	}
	if err := ok.Check(testPeer); err != nil {
		t.Fatalf("valid manifest into its own node's dir: %v", err)
	}
	for name, tc := range map[string]struct {
		edit   func(*Manifest)
		target string
		want   error
	}{
		"newer format":    {func(m *Manifest) { m.Format = FormatVersion + 1 }, "", ErrFormat},
		"no peer":         {func(m *Manifest) { m.PeerID = "" }, "", ErrCorrupt},
		"foreign peer":    {func(m *Manifest) {}, "ffee" + testPeer[4:], ErrForeignPeer},
		"escaping path":   {func(m *Manifest) { m.Files[0].Path = "../ledger/x" }, "", ErrCorrupt},
		"absolute path":   {func(m *Manifest) { m.Files[0].Path = "/etc/passwd" }, "", ErrCorrupt},
		"unclean path":    {func(m *Manifest) { m.Files[0].Path = "ledger/./x" }, "", ErrCorrupt},
		"duplicate path":  {func(m *Manifest) { m.Files[1].Path = m.Files[0].Path }, "", ErrCorrupt},
		"no keystore":     {func(m *Manifest) { m.Files = m.Files[:2] }, "", ErrCorrupt},
		"no ledger store": {func(m *Manifest) { m.Files = m.Files[1:] }, "", ErrCorrupt},
	} {
		m := validManifest()
		tc.edit(&m)
		if err := m.Check(tc.target); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// The restored copy must be what the manifest describes.
func TestManifestCheckRestored(t *testing.T) {
	m := validManifest()
	if err := m.CheckRestored(testPeer, m.Ledger, m.Audit, map[string]uint64{"t1": 7}); err != nil {
		t.Fatalf("matching copy: %v", err)
	}
	other := m.Ledger
	other.StateHash = "cc"
	for name, err := range map[string]error{
		"keystore of another peer": m.CheckRestored("ffee", m.Ledger, m.Audit, m.HighestCertified),
		"another ledger":           m.CheckRestored(testPeer, other, m.Audit, m.HighestCertified),
		"shorter audit trail":      m.CheckRestored(testPeer, m.Ledger, Audit{Entries: 2, HeadHash: "bb"}, m.HighestCertified),
		"fewer rounds":             m.CheckRestored(testPeer, m.Ledger, m.Audit, map[string]uint64{"t1": 6}),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
