package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

func init() {
	cmd := &cobra.Command{
		Use:   "tables",
		Short: "List the tables a node knows: hosted, joined, or announced by peers",
		Long: `List every table the node knows (GET /api/v1/tables): the ones it hosts,
the ones its player sits at, and the open tables peers announce. Amounts are
CRAP; --json prints the node's answer in micro-CRAP.`,
		Example: `  bitcraps tables
  bitcraps tables --node http://127.0.0.1:8081
  bitcraps tables --json | jq -r '.[] | select(.status == "waiting") | .id'`,
		Args: cobra.NoArgs,
		RunE: runTables,
	}
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

func runTables(cmd *cobra.Command, _ []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var tables []messages.TableView
	raw, err := c.do(cmd.Context(), "GET", "/api/v1/tables", nil, &tables)
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	if len(tables) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no tables yet: host one with `bitcraps table create`")
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TABLE\tSTATUS\tSEATS\tBANK\tBETS\tPHASE\tROUND\tHOST\tYOU")
	for _, t := range tables {
		you := ""
		switch {
		case t.Seated:
			you = "seated"
		case t.Sync != "":
			you = "watching, " + syncText(t)
		}
		fmt.Fprintf(w, "%s\t%s\t%d/%d\t%s\t%s-%s\t%s\t%d\t%s\t%s\n", t.ID, t.Status, len(t.Players), t.MaxPlayers,
			config.FormatCRAP(t.Bank), config.FormatCRAP(t.MinBet), config.FormatCRAP(t.MaxBet),
			phaseText(t), t.Round, identity.PeerID(t.Host).Short(), you)
	}
	return w.Flush()
}

// phaseText is "come out" or "point 6".
func phaseText(t messages.TableView) string {
	if t.Phase == "point" && t.Point != 0 {
		return fmt.Sprintf("point %d", t.Point)
	}
	return strings.ReplaceAll(t.Phase, "_", " ")
}

// writeTable prints one table: its settings and state, then each seat with
// its chips and open bets.
func writeTable(out io.Writer, t messages.TableView) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "table\t%s\n", t.ID)
	if t.ClosedReason != "" {
		fmt.Fprintf(w, "status\t%s (%s)\n", t.Status, t.ClosedReason)
	} else {
		fmt.Fprintf(w, "status\t%s\n", t.Status)
	}
	if t.Problem != "" {
		fmt.Fprintf(w, "problem\t%s\n", t.Problem)
	}
	if line := lifecycleText(t); line != "" {
		fmt.Fprintf(w, "play\t%s\n", line)
	}
	fmt.Fprintf(w, "host\t%s\n", t.Host)
	fmt.Fprintf(w, "seats\t%d (min %d, max %d)\n", len(t.Players), t.MinPlayers, t.MaxPlayers)
	fmt.Fprintf(w, "bets\t%s to %s CRAP\n", config.FormatCRAP(t.MinBet), config.FormatCRAP(t.MaxBet))
	fmt.Fprintf(w, "bank\t%s CRAP\n", config.FormatCRAP(t.Bank))
	fmt.Fprintf(w, "phase\t%s\n", phaseText(t))
	fmt.Fprintf(w, "round\t%d\n", t.Round)
	if t.LastDice != [2]int{} {
		fmt.Fprintf(w, "last roll\t%d + %d = %d\n", t.LastDice[0], t.LastDice[1], t.LastDice[0]+t.LastDice[1])
	}
	if t.Shooter != "" {
		fmt.Fprintf(w, "shooter\t%s\n", t.Shooter)
		if t.NextShooter != "" {
			fmt.Fprintf(w, "next shooter\t%s\n", t.NextShooter)
		}
	}
	if t.StateHash != "" {
		fmt.Fprintf(w, "state hash\t%s\n", t.StateHash)
	}
	switch {
	case t.Seated:
		fmt.Fprintf(w, "you\tseated, %d bets waiting for the roll\n", t.PendingBets)
	case t.Sync != "":
		fmt.Fprintf(w, "you\twatching, %s\n", syncText(t))
	case t.Joinable:
		fmt.Fprintf(w, "you\twatching; a seat is free: bitcraps table join %s AMOUNT\n", t.ID)
	default:
		fmt.Fprintf(w, "you\twatching\n")
	}
	writeOwnBets(w, t)
	if err := w.Flush(); err != nil {
		return err
	}
	if len(t.Players) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PLAYER\tCHIPS\tBETS")
	for _, p := range t.Players {
		bets := make([]string, 0, len(p.Bets))
		for _, b := range p.Bets {
			bets = append(bets, betText(b.Type, b.Number, b.Amount))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.PeerID, config.FormatCRAP(p.Chips), strings.Join(bets, ", "))
	}
	return w.Flush()
}

// syncText says how current a watched table's state is.
func syncText(t messages.TableView) string {
	switch t.Sync {
	case messages.SyncLive:
		return "live"
	case messages.SyncCatchingUp:
		if t.Behind > 0 {
			return fmt.Sprintf("catching up (%d rounds behind)", t.Behind)
		}
		return "catching up"
	case messages.SyncStale:
		return "stale: no player of the table answered for a while"
	}
	return t.Sync
}

// lifecycleText says whether the table plays here and why not: "paused:
// 1 of 2 seats present ... (absent: 2489efd2)".
func lifecycleText(t messages.TableView) string {
	line := strings.ReplaceAll(t.Lifecycle, "_", " ")
	switch t.Lifecycle {
	case "paused", "dissolving":
		line += ": " + t.PausedReason
	case "catching_up":
		line += fmt.Sprintf(": %d certified rounds to fetch before this node plays", t.Behind)
	}
	if len(t.Absent) > 0 {
		short := make([]string, len(t.Absent))
		for i, p := range t.Absent {
			short[i] = p[:min(8, len(p))]
		}
		line += fmt.Sprintf(" (absent: %s)", strings.Join(short, ", "))
	}
	return line
}

// betText is "place 6: 12 CRAP".
func betText(kind string, number int, amount int64) string {
	name := kind
	if number != 0 {
		name = fmt.Sprintf("%s %d", kind, number)
	}
	return name + ": " + config.FormatCRAP(amount) + " CRAP"
}
