package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a node's state, identity, uptime and services",
		Example: `  bitcraps status
  bitcraps status --node http://127.0.0.1:8081 --json`,
		Args: cobra.NoArgs,
		RunE: runStatus,
	}
	addNodeFlag(cmd)
	rootCmd.AddCommand(cmd)
}

type healthAnswer struct {
	State         string  `json:"state"`
	PeerID        string  `json:"peer_id"`
	UptimeSeconds float64 `json:"uptime_seconds"`
	Version       string  `json:"version"`
	Money         *struct {
		Mode   string `json:"mode"`
		Notice string `json:"notice"`
	} `json:"money"`
	Services []struct {
		Name     string `json:"name"`
		Status   string `json:"status"`
		Restarts int    `json:"restarts"`
		Reason   string `json:"reason"`
	} `json:"services"`
}

func runStatus(cmd *cobra.Command, _ []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var h healthAnswer
	raw, err := c.do(cmd.Context(), "GET", "/health", nil, &h)
	if err != nil {
		return err
	}
	if printJSON(cmd, raw) {
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "state\t%s\npeer id\t%s\nuptime\t%s\nversion\t%s\n", h.State, h.PeerID,
		(time.Duration(h.UptimeSeconds) * time.Second).String(), h.Version)
	if h.Money != nil {
		fmt.Fprintf(w, "money\t%s\n", h.Money.Notice)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "SERVICE\tSTATUS\tRESTARTS\tREASON")
	for _, s := range h.Services {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", s.Name, s.Status, s.Restarts, s.Reason)
	}
	return w.Flush()
}
