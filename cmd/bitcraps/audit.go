package main

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

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
	addNodeFlag(verify)
	verify.Flags().String("data", auditDefaultData(), "verify offline: a stopped node's data dir (env BITCRAPS_DB_PATH)")
	verify.Flags().String("peer-id", "", "expected signer (64 hex digits); default: the node's own key")
	verify.MarkFlagsMutuallyExclusive("node", "data")
	auditCmd.AddCommand(verify)
	rootCmd.AddCommand(auditCmd)
}

// auditDefaultData is --data's default; only giving --data on the command
// line selects offline mode, so an exported BITCRAPS_DB_PATH never turns
// a client command offline by surprise.
func auditDefaultData() string {
	if v, ok := os.LookupEnv("BITCRAPS_DB_PATH"); ok && v != "" {
		return v
	}
	return "./data"
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
	if cmd.Flags().Changed("data") {
		dir, _ := cmd.Flags().GetString("data")
		rep, err = auditVerifyOffline(dir, want)
	} else {
		rep, err = auditVerifyOnline(cmd)
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

func auditVerifyOnline(cmd *cobra.Command) (audit.Report, error) {
	c, err := newAPIClient(cmd)
	if err != nil {
		return audit.Report{}, err
	}
	var rep audit.Report
	if _, err := c.do(cmd.Context(), "GET", "/api/v1/audit/verify", nil, &rep); err != nil {
		return audit.Report{}, fmt.Errorf("audit verify: %w", err)
	}
	return rep, nil
}

func printAuditReport(cmd *cobra.Command, rep audit.Report) error {
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		writeAuditText(out, rep)
	}
	if !rep.OK {
		return errAuditFailed
	}
	return nil
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
