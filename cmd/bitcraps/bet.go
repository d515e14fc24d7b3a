package main

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
)

func init() {
	cmd := &cobra.Command{
		Use:   "bet TABLE TYPE AMOUNT",
		Short: "Place a bet for the next roll",
		Long: `Place a bet of AMOUNT CRAP (up to 6 decimals) at a table you sit at. TYPE
is a bet name from ` + "`bitcraps rules`" + ` (pass, dont_pass, come, dont_come,
field, place, hard, any_seven, ...); bets on a number take --number, or the
number in the name (place_6). The bet waits for the next roll.`,
		Example: `  bitcraps bet 3f2a9c0d1e2b4a5f pass 5
  bitcraps bet 3f2a9c0d1e2b4a5f place 12 --number 6
  bitcraps bet 3f2a9c0d1e2b4a5f hard_8 2.5 --json`,
		Args: cobra.ExactArgs(3),
		RunE: runBet,
	}
	cmd.Flags().Int("number", 0, "the number the bet is on (place 6, hard 8, hop 25, ...)")
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

// betBody is POST /api/v1/tables/{id}/bets.
type betBody struct {
	Type   string `json:"type"`
	Number int    `json:"number,omitempty"`
	Amount int64  `json:"amount"`
}

func runBet(cmd *cobra.Command, args []string) error {
	amount, err := config.ParseCRAP(args[2])
	if err != nil {
		return fmt.Errorf("AMOUNT: %w", err)
	}
	number, _ := cmd.Flags().GetInt("number")
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var ans struct {
		BetID string `json:"bet_id"`
	}
	body := betBody{Type: args[1], Number: number, Amount: amount}
	raw, err := c.do(cmd.Context(), "POST", tablePath(args[0], "bets"), body, &ans)
	if err != nil {
		return fmt.Errorf("bet: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "bet %s at table %s: %s, waiting for the roll (see it with `bitcraps table show %s`)\n",
		ans.BetID, args[0], betText(body.Type, body.Number, amount), args[0])
	return nil
}

// pathEscape keeps an argument inside one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
