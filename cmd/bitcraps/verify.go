package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/spf13/cobra"
)

// maxExportBytes bounds the file `bitcraps verify` reads: a certified
// round is a few kilobytes at a full table, so 512 MiB is far beyond any
// real game and still fits in memory on a laptop.
const maxExportBytes = 512 << 20

// errVerifyFailed makes `bitcraps verify` exit 1 after it printed why.
var errVerifyFailed = errors.New("verification failed")

func init() {
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Re-check a table export: every signature, certificate, roll and state hash",
		Long: `Re-check a table's export file (its genesis and every certified round, as
JSON; the format is documented in internal/game) without trusting any node.
` + "`bitcraps table export TABLE --out FILE`" + ` downloads it from any node that sat
at the table.
From the genesis in the file it checks every certified round in order: its
signatures and quorum of confirms against the seats of that round, the
commitments and reveals, the dice seed, the chaining of previous state hashes,
and it replays the craps rules to re-derive each roll and each state hash. It prints one line per round and a
verdict, and exits 1 naming the first round that does not check out.
FILE "-" reads standard input.`,
		Example: `  bitcraps table export 3f2a9c0d1e2b4a5f --out t.json && bitcraps verify t.json
  bitcraps verify table-3f2a9c1e.json
  bitcraps verify --json table-3f2a9c1e.json
  bitcraps verify --quiet table-3f2a9c1e.json && echo fair
  gunzip -c table-3f2a9c1e.json.gz | bitcraps verify -`,
		Args: cobra.ExactArgs(1),
		RunE: runVerify,
	}
	cmd.Flags().Bool("json", false, "print the report as JSON (ok, rounds, state_hash, first_bad, rounds_checked)")
	cmd.Flags().Bool("quiet", false, "print only the verdict, not one line per round")
	rootCmd.AddCommand(cmd)
}

func runVerify(cmd *cobra.Command, args []string) error {
	data, err := readExport(cmd, args[0])
	if err != nil {
		return err
	}
	exp, err := game.DecodeExport(data)
	if err != nil {
		return fmt.Errorf("verify %s: %w", args[0], err)
	}
	rep := game.Verify(exp)
	quiet, _ := cmd.Flags().GetBool("quiet")
	failed := errVerifyFailed
	if !rep.OK {
		failed = fmt.Errorf("%s: round %d: %w", args[0], rep.FirstBad.Round, errVerifyFailed)
	}
	return printVerdict(cmd, rep, rep.OK, func(w io.Writer) { writeVerifyText(w, exp, rep, quiet) }, failed)
}

func readExport(cmd *cobra.Command, name string) ([]byte, error) {
	var r io.Reader = cmd.InOrStdin()
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("verify: read %s: %w", name, err)
	}
	if len(data) > maxExportBytes {
		return nil, fmt.Errorf("verify: %s is larger than %d bytes", name, maxExportBytes)
	}
	return data, nil
}

func writeVerifyText(w io.Writer, exp game.Export, rep game.Report, quiet bool) {
	fmt.Fprintf(w, "table %s: %s, bank %s, %s in the file\n", exp.Genesis.TableID,
		plural(len(exp.Genesis.Seats), "seat"), formatCRAP(exp.Genesis.Bank), plural(len(exp.Certificates), "certified round"))
	if !quiet {
		for _, c := range rep.Checks {
			what := fmt.Sprintf("dice %d-%d", c.Dice[0], c.Dice[1])
			if c.Void {
				what = "void (no dice)"
			}
			fmt.Fprintf(w, "round %d ok: %s, view %d, %s, %d of %s confirmed, state %s", c.Round, what, c.View,
				plural(c.Bets, "bet"), c.Confirms, plural(c.Seats, "seat"), c.StateHash.String()[:16])
			for _, l := range c.Leavers {
				fmt.Fprintf(w, ", %s… unseated (%s, cashes out %s)", l.Player[:8], l.Reason, formatCRAP(l.Chips))
			}
			fmt.Fprintln(w)
		}
	}
	if rep.OK {
		fmt.Fprintf(w, "OK: %s verified; final state hash %s\n", plural(rep.Rounds, "round"), rep.StateHash)
		return
	}
	fmt.Fprintf(w, "FAILED at round %d: %s\n", rep.FirstBad.Round, rep.FirstBad.Reason)
	fmt.Fprintf(w, "%d rounds before it verified; state hash after them %s\n", rep.Rounds, rep.StateHash)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// formatCRAP renders micro-CRAP as CRAP with up to 6 decimals.
func formatCRAP(micros int64) string {
	sign := ""
	if micros < 0 {
		sign, micros = "-", -micros
	}
	whole, frac := micros/1_000_000, micros%1_000_000
	if frac == 0 {
		return fmt.Sprintf("%s%d CRAP", sign, whole)
	}
	s := fmt.Sprintf("%06d", frac)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return fmt.Sprintf("%s%d.%s CRAP", sign, whole, s)
}
