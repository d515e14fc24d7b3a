package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// errAuditFailed makes the command exit non-zero after printing the report.
var errAuditFailed = errors.New("audit trail does not verify")

func init() {
	auditCmd := &cobra.Command{
		Use:   "audit",
		Short: "Inspect the node's signed audit trail",
		Example: `  bitcraps audit verify
  bitcraps audit verify --data ./data`,
	}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain and signatures",
		Long: `Check every entry of the audit trail: each must follow the previous one
(seq, prev_hash), match its hash, and carry the node key's signature.
The first changed, removed, inserted or reordered entry is named by line
and seq, and the command exits 1.

Online (the default) asks a running node: GET /api/v1/audit/verify.
Offline (--data DIR) reads a stopped node's DIR/audit/audit.log and takes
the public key from DIR/identity.json, which keeps it in clear: no
passphrase is needed. Give --peer-id to pin the expected signer, so that a
replaced keystore cannot vouch for a rewritten log.

The chain cannot show entries cut from the end; compare the printed head
hash with one you kept.`,
		Example: `  # ask the node at BITCRAPS_NODE (default http://127.0.0.1:8080)
  bitcraps audit verify
  bitcraps audit verify --node http://10.0.0.5:8080 --json
  # check a stopped node's data dir
  bitcraps audit verify --data ./data
  bitcraps audit verify --data /var/lib/bitcraps --peer-id 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29`,
		Args: cobra.NoArgs,
		RunE: runAuditVerify,
	}
	addVerifyFlags(verify)
	verify.Flags().String("peer-id", "", "expected signer (64 hex digits); default: the node's own key")
	auditCmd.AddCommand(verify)
	rootCmd.AddCommand(auditCmd)
}

func runAuditVerify(cmd *cobra.Command, _ []string) error {
	var want ed25519.PublicKey
	if s, _ := cmd.Flags().GetString("peer-id"); s != "" {
		pub, err := identity.ParsePeerID(s)
		if err != nil {
			return fmt.Errorf("--peer-id: %w", err)
		}
		want = pub
	}
	var (
		rep audit.Report
		err error
	)
	if dir, offline := offlineDir(cmd); offline {
		rep, err = auditVerifyOffline(dir, want)
	} else {
		rep, err = getReport[audit.Report](cmd, "/api/v1/audit/verify", "audit verify")
	}
	if err != nil {
		return err
	}
	if want != nil && rep.Signer != string(identity.PeerIDOf(want)) {
		return fmt.Errorf("log is signed for %s, not the expected --peer-id %s", rep.Signer, identity.PeerIDOf(want))
	}
	return printAuditReport(cmd, rep)
}

// auditVerifyOffline checks a data dir against its keystore's public key,
// or against want when the keystore is gone or disagrees.
func auditVerifyOffline(dir string, want ed25519.PublicKey) (audit.Report, error) {
	signer, err := identity.ReadPublicKey(dir)
	switch {
	case err != nil && want == nil:
		return audit.Report{}, fmt.Errorf("--data %s: read the node's public key: %w (or give --peer-id)", dir, err)
	case err != nil || (want != nil && !signer.Equal(want)):
		signer = want
	}
	return audit.VerifyReport(audit.Path(dir), signer), nil
}

func printAuditReport(cmd *cobra.Command, rep audit.Report) error {
	return printVerdict(cmd, rep, rep.OK, func(w io.Writer) { writeAuditText(w, rep) }, errAuditFailed)
}

func writeAuditText(w io.Writer, rep audit.Report) {
	switch {
	case rep.OK:
		fmt.Fprintf(w, "audit trail OK: %d entries, signed by %s\n", rep.Entries, rep.Signer)
		if rep.HeadHash != "" {
			fmt.Fprintf(w, "head: seq %d hash %s\n", rep.Entries, rep.HeadHash)
		}
		if rep.TornBytes > 0 {
			fmt.Fprintf(w, "ignored an unfinished final line of %d bytes (a crash mid-append; cut when the node next starts)\n", rep.TornBytes)
		}
	case rep.FirstBad != nil:
		fmt.Fprintf(w, "audit trail BROKEN at line %d (seq %d): %s\n", rep.FirstBad.Line, rep.FirstBad.Seq, rep.FirstBad.Reason)
		fmt.Fprintf(w, "%d entries before it verify (signer %s)\n", rep.Entries, rep.Signer)
	default:
		fmt.Fprintf(w, "audit trail not verified: %s\n", rep.Error)
	}
}
