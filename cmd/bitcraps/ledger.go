package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// errLedgerFailed makes `ledger verify` exit non-zero after printing the
// report.
var errLedgerFailed = errors.New("ledger does not verify")

func init() {
	ledgerCmd := &cobra.Command{
		Use:   "ledger",
		Short: "Inspect the node's ledger",
		Example: `  bitcraps ledger verify
  bitcraps ledger verify --data ./data`,
	}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the ledger invariant and replay its op log",
		Long: `Check the ledger: Σ wallets + Σ chips + Σ banks must equal Σ grants
exactly, no balance may be negative, and replaying the op log from empty
(signatures and certificates included) must rebuild exactly the stored
state. Prints the sums, the ledger state hash (equal on two replicas that
applied the same ops) and any problem found; exits 1 if there is one.

Online (the default) asks a running node: GET /api/v1/ledger/verify.
Offline (--data DIR) opens a stopped node's DIR/ledger read-only; it is
refused while a node holds the store.`,
		Example: `  # ask the node at BITCRAPS_NODE (default http://127.0.0.1:8080)
  bitcraps ledger verify
  bitcraps ledger verify --node http://10.0.0.5:8080 --json
  # check a stopped node's data dir
  bitcraps ledger verify --data ./data`,
		Args: cobra.NoArgs,
		RunE: runLedgerVerify,
	}
	addVerifyFlags(verify)
	ledgerCmd.AddCommand(verify)
	rootCmd.AddCommand(ledgerCmd)
}

func runLedgerVerify(cmd *cobra.Command, _ []string) error {
	var (
		rep ledger.Report
		err error
	)
	if dir, offline := offlineDir(cmd); offline {
		rep, err = ledgerVerifyOffline(dir)
	} else {
		rep, err = getReport[ledger.Report](cmd, "/api/v1/ledger/verify", "ledger verify")
	}
	if err != nil {
		return err
	}
	return printLedgerReport(cmd, rep)
}

func ledgerVerifyOffline(dataDir string) (ledger.Report, error) {
	l, err := ledger.Open(ledger.Options{Dir: ledger.StoreDir(dataDir), ReadOnly: true})
	if errors.Is(err, ledger.ErrDataDirInUse) {
		return ledger.Report{}, fmt.Errorf("--data %s: a running node holds the ledger; ask it instead (--node URL): %w", dataDir, err)
	}
	if err != nil {
		return ledger.Report{}, fmt.Errorf("--data %s: %w", dataDir, err)
	}
	rep, err := l.Verify()
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ledger.Report{}, fmt.Errorf("--data %s: verify: %w", dataDir, err)
	}
	return rep, nil
}

func printLedgerReport(cmd *cobra.Command, rep ledger.Report) error {
	return printVerdict(cmd, rep, rep.OK, func(w io.Writer) { writeLedgerText(w, rep) }, errLedgerFailed)
}

// printVerdict prints a verification report (indented JSON with --json,
// else text) and returns failed unless ok, so the command exits 1 on a
// failed check after printing it.
func printVerdict(cmd *cobra.Command, rep any, ok bool, text func(io.Writer), failed error) error {
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		text(out)
	}
	if !ok {
		return failed
	}
	return nil
}

func writeLedgerText(w io.Writer, rep ledger.Report) {
	verdict := "OK"
	if !rep.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "ledger %s\n", verdict)
	fmt.Fprintf(w, "  state hash   %s\n", rep.StateHash)
	if rep.ReplayStateHash != rep.StateHash {
		fmt.Fprintf(w, "  replayed to  %s\n", rep.ReplayStateHash)
	}
	for _, row := range []struct {
		name   string
		micros int64
	}{{"grants", rep.TotalGrants}, {"wallets", rep.TotalWallets}, {"chips", rep.TotalChips}, {"banks", rep.TotalBanks}} {
		fmt.Fprintf(w, "  %-12s %s CRAP\n", row.name, config.FormatCRAP(row.micros))
	}
	fmt.Fprintf(w, "  accounts     %d\n  ops          %d\n  evidence     %d\n", rep.Accounts, rep.Ops, rep.Evidence)
	writeGrantKinds(w, rep)
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "problems:\n  %s\n", strings.Join(rep.Problems, "\n  "))
	}
}

// writeGrantKinds says where the money came from: play-money grants, and
// treasury grants by key (issue 12).
func writeGrantKinds(w io.Writer, rep ledger.Report) {
	mode := rep.Money
	if mode == "" {
		mode = "unknown (offline)"
	}
	fmt.Fprintf(w, "  money        %s: %d play-money grants", mode, rep.PlayMoneyGrants)
	for _, key := range slices.Sorted(maps.Keys(rep.TreasuryGrants)) {
		fmt.Fprintf(w, ", %d signed by treasury %s", rep.TreasuryGrants[key], key)
	}
	fmt.Fprintln(w)
}
