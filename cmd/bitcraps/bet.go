package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/craps"
)

func init() {
	cmd := &cobra.Command{
		Use:   "bet TABLE TYPE AMOUNT",
		Short: "Place a bet for the next roll",
		Long: `Place a bet of AMOUNT CRAP (up to 6 decimals) at a table you sit at. TYPE
is a bet id from ` + "`bitcraps rules`" + `: pass, dont_pass, come, dont_come, pass_odds,
field, place_6, buy_4, lay_10, hard_8, any_7, any_craps, yo, hop_2_5, ...
Bets on a number take it in the id (place_6) or as --number (place --number 6).
The bet waits for the next roll.`,
		Example: `  bitcraps bet 3f2a9c0d1e2b4a5f pass 5
  bitcraps bet 3f2a9c0d1e2b4a5f place 12 --number 6
  bitcraps bet 3f2a9c0d1e2b4a5f hard_8 2.5 --json`,
		Args: betArgs,
		RunE: runBet,
	}
	cmd.Flags().Int("number", 0, "the number the bet is on (place 6, hard 8, hop 25, ...)")
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

// betArgs checks the count and, when TYPE is a bet on a number given
// without one, says how to give it: `bet T place 5` most likely means
// place_5, with the amount still to come.
func betArgs(cmd *cobra.Command, args []string) error {
	number, _ := cmd.Flags().GetInt("number")
	switch {
	case len(args) == 4 && number == 0 && needsNumber(args[1]):
		if n, err := strconv.Atoi(args[2]); err == nil {
			if b, err := craps.ParseBet(args[1], n); err == nil {
				return &argHint{fmt.Sprintf("%s needs its number in the id or as --number: bitcraps bet %s %s %s (or: bitcraps bet %s %s %s --number %d)",
					args[1], args[0], b.ID(), args[3], args[0], args[1], args[3], n)}
			}
		}
	case len(args) == 3 && number == 0 && needsNumber(args[1]):
		return &argHint{fmt.Sprintf("%s needs the number it is on: %s", args[1], numberHint(args))}
	}
	return cobra.ExactArgs(3)(cmd, args)
}

// needsNumber: typ is a bet kind that is on a number, named without one.
func needsNumber(typ string) bool {
	if _, err := craps.ParseBet(typ, 0); err == nil {
		return false
	}
	for n := 1; n <= 66; n++ {
		if _, err := craps.ParseBet(typ, n); err == nil {
			return true
		}
	}
	return false
}

// numberHint shows both ways to give the number. When AMOUNT is itself one
// of the bet's numbers, the person most likely meant it as the number.
func numberHint(args []string) string {
	table, typ, amount := args[0], args[1], args[2]
	if n, err := strconv.Atoi(amount); err == nil {
		if b, err := craps.ParseBet(typ, n); err == nil {
			return fmt.Sprintf("bitcraps bet %s %s AMOUNT, or bitcraps bet %s %s AMOUNT --number %d", table, b.ID(), table, typ, n)
		}
	}
	var ids []string
	for n := 1; n <= 66; n++ {
		if b, err := craps.ParseBet(typ, n); err == nil {
			ids = append(ids, b.ID())
		}
	}
	return fmt.Sprintf("one of %s (bitcraps bet %s %s %s), or --number", strings.Join(ids, ", "), table, ids[0], amount)
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
