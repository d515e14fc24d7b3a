package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

func init() {
	tableCmd := &cobra.Command{
		Use:   "table",
		Short: "Host, join, show, roll at, leave, cancel and export a craps table",
		Long: `Play at a table through your node. A table's ID is 16 hex digits
(see ` + "`bitcraps tables`" + `). Amounts are CRAP with up to 6 decimals.`,
		Example: `  bitcraps table create --bankroll 500 --min-bet 1 --max-bet 50
  bitcraps table join 3f2a9c0d1e2b4a5f 100
  bitcraps table show 3f2a9c0d1e2b4a5f
  bitcraps table roll 3f2a9c0d1e2b4a5f           # waits for the dice and prints them
  bitcraps table leave 3f2a9c0d1e2b4a5f
  bitcraps table cancel 3f2a9c0d1e2b4a5f
  bitcraps table export 3f2a9c0d1e2b4a5f --out t.json && bitcraps verify t.json`,
	}
	tableCmd.AddCommand(tableCreateCmd(), tableJoinCmd(), tableShowCmd(), tableRollCmd(), tableLeaveCmd(), tableCancelCmd(), tableExportCmd())
	rootCmd.AddCommand(tableCmd)
}

// createBody is POST /api/v1/tables.
type createBody struct {
	MinPlayers   int    `json:"min_players"`
	MaxPlayers   int    `json:"max_players"`
	Bankroll     int64  `json:"bankroll"`
	MinBet       int64  `json:"min_bet"`
	MaxBet       int64  `json:"max_bet"`
	OddsMultiple string `json:"odds_multiple,omitempty"`
	Field12Pays  int    `json:"field_12_pays,omitempty"`
	BetWindow    string `json:"bet_window,omitempty"`
	BuyIn        int64  `json:"buy_in,omitempty"`
}

func tableCreateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Host a new table; its bank is funded from your wallet",
		Long: `Host a new table on your node. The bankroll moves from your wallet to the
table's bank, which pays the players' wins; the node refuses bets the bank
could not cover. Peers see the table in ` + "`bitcraps tables`" + ` and join it.
With --buy-in you also sit at it as its first player.`,
		Example: `  bitcraps table create
  bitcraps table create --min-players 2 --max-players 4 --bankroll 500 --min-bet 1 --max-bet 50
  bitcraps table create --bankroll 200 --buy-in 50 --odds 2 --field-12 2 --bet-window 3s --json`,
		Args: cobra.NoArgs,
		RunE: runTableCreate,
	}
	f := cmd.Flags()
	f.Int("min-players", 1, "players needed before the first roll")
	f.Int("max-players", 4, "seats at the table")
	f.String("bankroll", "500", "CRAP moved from your wallet to the table's bank")
	f.String("min-bet", "1", "smallest bet, in CRAP")
	f.String("max-bet", "50", "largest bet on one spot, in CRAP")
	f.String("odds", "", `odds multiple: "3-4-5" (the node's default) or a flat multiple such as "2"`)
	f.Int("field-12", 0, "what the field pays on a 12, to 1: 2 or 3 (0: the node's default, 3)")
	f.String("bet-window", "", `how long a round takes bets, from its first bet, before the dice roll without the shooter, e.g. "20s" (empty: the node's --bet-window); a round nobody bets in never rolls`)
	f.String("buy-in", "0", "when above 0, sit at the table with these chips (CRAP)")
	addNodeFlag(cmd)
	return cmd
}

func runTableCreate(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	var body createBody
	body.MinPlayers, _ = f.GetInt("min-players")
	body.MaxPlayers, _ = f.GetInt("max-players")
	body.OddsMultiple, _ = f.GetString("odds")
	body.Field12Pays, _ = f.GetInt("field-12")
	body.BetWindow, _ = f.GetString("bet-window")
	for _, a := range []struct {
		flag string
		to   *int64
	}{{"bankroll", &body.Bankroll}, {"min-bet", &body.MinBet}, {"max-bet", &body.MaxBet}, {"buy-in", &body.BuyIn}} {
		s, _ := f.GetString(a.flag)
		v, err := config.ParseCRAP(s)
		if err != nil {
			return fmt.Errorf("--%s: %w", a.flag, err)
		}
		*a.to = v
	}
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var t messages.TableView
	raw, err := c.do(cmd.Context(), "POST", "/api/v1/tables", body, &t)
	if err != nil {
		return fmt.Errorf("table create: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "created table %s\n\n", t.ID)
	return writeTable(cmd.OutOrStdout(), t)
}

func tableJoinCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "join TABLE AMOUNT",
		Short: "Sit at a table, buying AMOUNT CRAP of chips from your wallet",
		Long: `Sit at a table before its play starts. AMOUNT CRAP move from your wallet to
chips at the table; they come back to the wallet when you leave. The host
seats you over the mesh, so this waits for its answer.`,
		Example: `  bitcraps table join 3f2a9c0d1e2b4a5f 100
  bitcraps table join 3f2a9c0d1e2b4a5f 25.5 --node http://127.0.0.1:8081 --json`,
		Args: cobra.ExactArgs(2),
		RunE: runTableJoin,
	}
	addNodeFlag(cmd)
	return cmd
}

func runTableJoin(cmd *cobra.Command, args []string) error {
	buyIn, err := config.ParseCRAP(args[1])
	if err != nil {
		return fmt.Errorf("AMOUNT: %w", err)
	}
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	if err := notSeatedYet(cmd, c, args[0]); err != nil {
		return err
	}
	if asJSON, _ := cmd.Flags().GetBool("json"); !asJSON {
		// The host seats the player over the mesh: say what the wait is.
		fmt.Fprintf(cmd.ErrOrStderr(), "asking the host of table %s to seat you...\n", args[0])
	}
	var t messages.TableView
	raw, err := c.do(cmd.Context(), "POST", tablePath(args[0], "join"), map[string]int64{"buy_in": buyIn}, &t)
	if err != nil {
		return fmt.Errorf("table join: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "joined table %s with %s CRAP\n\n", t.ID, config.FormatCRAP(buyIn))
	return writeTable(cmd.OutOrStdout(), t)
}

// notSeatedYet refuses a join of a table the node's player already sits at:
// the node would answer with the table and buy nothing, which reads as if
// the buy-in went through. A table the node cannot show is left to the
// join to explain.
func notSeatedYet(cmd *cobra.Command, c *apiClient, table string) error {
	var t messages.TableView
	if _, err := c.do(cmd.Context(), "GET", tablePath(table, ""), nil, &t); err != nil || !t.Seated {
		return nil
	}
	var h ledger.Holdings
	if _, err := c.do(cmd.Context(), "GET", "/api/v1/balance", nil, &h); err != nil {
		return fmt.Errorf("table join: you already sit at table %s; nothing was bought", t.ID)
	}
	return fmt.Errorf("table join: you already sit at table %s with %s CRAP in chips; nothing was bought",
		t.ID, config.FormatCRAP(h.Chips[t.ID]))
}

func tableShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show TABLE",
		Short: "Show a table: settings, phase and point, bank, players, chips and bets",
		Example: `  bitcraps table show 3f2a9c0d1e2b4a5f
  bitcraps table show 3f2a9c0d1e2b4a5f --json`,
		Args: cobra.ExactArgs(1),
		RunE: runTableShow,
	}
	addNodeFlag(cmd)
	return cmd
}

func runTableShow(cmd *cobra.Command, args []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var t messages.TableView
	raw, err := c.do(cmd.Context(), "GET", tablePath(args[0], ""), nil, &t)
	if err != nil {
		return fmt.Errorf("table show: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	return writeTable(cmd.OutOrStdout(), t)
}

func tableLeaveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "leave TABLE",
		Short: "Leave a table, cashing out your chips",
		Long: `Leave a table. Before play starts the host frees your seat at once and your
buy-in goes back to your wallet; once the table plays, you leave at the next
round boundary with the chips you hold then.`,
		Example: `  bitcraps table leave 3f2a9c0d1e2b4a5f
  bitcraps table leave 3f2a9c0d1e2b4a5f --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTableAction(cmd, args[0], "leave", "leaving table %s (at once if it waits for players, else at the next round boundary); your chips go back to your wallet\n")
		},
	}
	addNodeFlag(cmd)
	return cmd
}

func tableCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel TABLE",
		Short: "Cancel a table you host: its bank and every buy-in go back",
		Long: `Cancel a table you host that waits for players, or close one that no player
is left at. The bank goes back to your wallet and every buy-in still at the
table to its owner's wallet. Only the host may; a table that still has
players at play is refused. A table that does not fill within the node's
--table-wait-timeout is cancelled the same way.`,
		Example: `  bitcraps table cancel 3f2a9c0d1e2b4a5f
  bitcraps table cancel 3f2a9c0d1e2b4a5f --json`,
		Args: cobra.ExactArgs(1),
		RunE: runTableCancel,
	}
	addNodeFlag(cmd)
	return cmd
}

func runTableCancel(cmd *cobra.Command, args []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var t messages.TableView
	raw, err := c.do(cmd.Context(), "POST", tablePath(args[0], "cancel"), nil, &t)
	if err != nil {
		return fmt.Errorf("table cancel: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "table %s is closed (%s): the bank is back in your wallet, every buy-in in its owner's\n\n", t.ID, t.ClosedReason)
	return writeTable(cmd.OutOrStdout(), t)
}

// runTableAction posts an action with no body and says it was accepted.
func runTableAction(cmd *cobra.Command, table, action, done string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	raw, err := c.do(cmd.Context(), "POST", tablePath(table, action), nil, nil)
	if err != nil {
		return fmt.Errorf("table %s: %w", action, err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), done, table)
	return nil
}

// tablePath is /api/v1/tables/{id}[/action]. The ID is escaped, not
// checked: the node says what is wrong with it.
func tablePath(id, action string) string {
	p := "/api/v1/tables/" + pathEscape(id)
	if action != "" {
		p += "/" + action
	}
	return p
}
