package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/messages"
)

func init() {
	cmd := &cobra.Command{
		Use:   "peers",
		Short: "List the peers a node knows, with their state and addresses",
		Long: `List the node's peer table (GET /api/v1/peers): every peer it learned from
gossip or Bluetooth, its state (alive, suspect, dead, left), how data reaches
it now (tcp, ble, or gossip when no connection is open yet), its addresses
and the last probe's round trip.`,
		Example: `  bitcraps peers
  bitcraps peers --node http://127.0.0.1:8081
  BITCRAPS_NODE=http://127.0.0.1:8081 bitcraps peers --json`,
		Args: cobra.NoArgs,
		RunE: runPeers,
	}
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

func runPeers(cmd *cobra.Command, _ []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var peers []messages.PeerInfo
	raw, err := c.do(cmd.Context(), "GET", "/api/v1/peers", nil, &peers)
	if err != nil {
		return fmt.Errorf("peers: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	if len(peers) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no peers known (is --join set on the node?)")
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PEER ID\tSTATE\tTRANSPORT\tRTT\tLAST SEEN\tADDRESSES")
	for _, p := range peers {
		rtt := "-"
		if p.RTTMillis > 0 {
			rtt = fmt.Sprintf("%.1fms", p.RTTMillis)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.PeerID, p.State, p.Transport, rtt,
			ago(p.LastSeen), strings.Join(p.Addresses, ","))
	}
	return w.Flush()
}

// ago says how long ago t was, rounded for reading.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(time.Second).String() + " ago"
}
