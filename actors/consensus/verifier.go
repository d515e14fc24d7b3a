package consensus

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// CertificateVerifier checks the certificate of a ledger Settle op
// (ledger.CertificateVerifier): it is a valid bft certificate of the op's
// table and round, proved by a quorum of the seats it names. That is all a
// ledger can check on its own, op by op. That those seats are the table's
// and the outcomes are the game's settlement is established before an op
// reaches the ledger: players derive it from the round they certified,
// other nodes from a game.Chain that checked every round from the table's
// genesis (actors/table/follower.go), and no node applies a Settle op it
// merely received; an auditor re-derives both with `bitcraps verify`. It
// does not ask that every player paid or charged sat in the round: a
// player unseated for silence keeps its open wagers, which settle as the
// dice fall. Safe for concurrent use (it has no state).
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
	return bft.VerifyCertificate(cert.Body.Seats, &cert)
}
