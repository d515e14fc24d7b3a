package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

func init() {
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show the node's player's wallet, chips at each table and the banks it hosts",
		Long: `Show the wallet of the node's own player, the chips it holds at each table
(GET /api/v1/balance) and the bank of each table it hosts, in CRAP; closed
tables are left out (their chips and bank are back in the wallet). --json
prints the node's balance answer, in micro-CRAP (1 CRAP = 1,000,000).`,
		Example: `  bitcraps balance
  bitcraps balance --node http://127.0.0.1:8081 --json`,
		Args: cobra.NoArgs,
		RunE: runBalance,
	}
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

func runBalance(cmd *cobra.Command, _ []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var h ledger.Holdings
	raw, err := c.do(cmd.Context(), "GET", "/api/v1/balance", nil, &h)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	var me healthAnswer
	if _, err := c.do(cmd.Context(), "GET", "/health", nil, &me); err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	var tables []messages.TableView
	if _, err := c.do(cmd.Context(), "GET", "/api/v1/tables", nil, &tables); err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	return writeBalance(cmd.OutOrStdout(), h, tables, me.PeerID)
}

// writeBalance prints the wallet, the chips at each table that is not
// closed, and the bank of each open table the player hosts: together, all
// the player's money. A closed table's chips and bank are back in the
// wallet, so it is left out.
func writeBalance(out io.Writer, h ledger.Holdings, tables []messages.TableView, me string) error {
	closed := map[string]bool{}
	for _, t := range tables {
		closed[t.ID] = t.Status == "closed"
	}
	var chipTables []string
	total := h.Wallet
	for id, chips := range h.Chips {
		if closed[id] || (chips == 0 && !slices.ContainsFunc(tables, func(t messages.TableView) bool { return t.ID == id })) {
			continue
		}
		chipTables = append(chipTables, id)
		total += chips
	}
	sort.Strings(chipTables)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "wallet\t%s CRAP\t\n", config.FormatCRAP(h.Wallet))
	for _, id := range chipTables {
		fmt.Fprintf(w, "chips at %s\t%s CRAP\t\n", id, config.FormatCRAP(h.Chips[id]))
	}
	for _, t := range tables {
		if t.Host == me && t.Status != "closed" {
			fmt.Fprintf(w, "bank of %s (you host)\t%s CRAP\t\n", t.ID, config.FormatCRAP(t.Bank))
			total += t.Bank
		}
	}
	fmt.Fprintf(w, "total\t%s CRAP\t\n", config.FormatCRAP(total))
	return w.Flush()
}
