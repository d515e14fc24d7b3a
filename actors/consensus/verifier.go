package consensus

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// CertificateVerifier checks the certificate of a ledger Settle op
// (ledger.CertificateVerifier): it is a valid bft certificate of the op's
// table and round, proved by a quorum of the seats it names, and every
// player the op pays or charges sat in that round. That the seats are the
// table's and the deltas are the game's is checked by the players who
// replayed the round; an auditor re-derives both with `bitcraps verify`.
// Safe for concurrent use (it has no state).
type CertificateVerifier struct{}

var _ ledger.CertificateVerifier = CertificateVerifier{}

// VerifyCertificate implements ledger.CertificateVerifier.
func (CertificateVerifier) VerifyCertificate(op ledger.Op) error {
	cert, err := bft.UnmarshalCertificate(op.Certificate)
	if err != nil {
		return fmt.Errorf("settle certificate: %w", err)
	}
	if cert.TableID != op.Table || cert.Round != op.Round {
		return fmt.Errorf("settle of table %q round %d carries the certificate of table %q round %d: %w",
			op.Table, op.Round, cert.TableID, cert.Round, bft.ErrInvalidCertificate)
	}
	if err := bft.VerifyCertificate(cert.Body.Seats, &cert); err != nil {
		return err
	}
	for _, o := range op.Outcomes {
		if !seated(cert.Body.Seats, o.Player) {
			return fmt.Errorf("settle pays %s, who did not sit in round %d: %w", o.Player, op.Round, bft.ErrNotSeated)
		}
	}
	return nil
}

func seated(seats []bft.PublicKey, p identity.PeerID) bool {
	for _, k := range seats {
		if k.String() == string(p) {
			return true
		}
	}
	return false
}
