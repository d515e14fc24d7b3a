package main

import (
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

func init() {
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show the node's player's wallet and chips at each table",
		Long: `Show the wallet of the node's own player and the chips it holds at each
table (GET /api/v1/balance), in CRAP. --json prints the node's answer, in
micro-CRAP (1 CRAP = 1,000,000).`,
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
	tables := make([]string, 0, len(h.Chips))
	total := h.Wallet
	for id, chips := range h.Chips {
		tables = append(tables, id)
		total += chips
	}
	sort.Strings(tables)
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "wallet\t%s CRAP\t\n", config.FormatCRAP(h.Wallet))
	for _, id := range tables {
		fmt.Fprintf(w, "chips at %s\t%s CRAP\t\n", id, config.FormatCRAP(h.Chips[id]))
	}
	fmt.Fprintf(w, "total\t%s CRAP\t\n", config.FormatCRAP(total))
	return w.Flush()
}
