package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/actors/plugins"
)

func init() {
	list := &cobra.Command{
		Use:   "list",
		Short: "List the node's plugins: version, state, restarts and dropped events",
		Long: `List the plugins the node runs (GET /api/v1/plugins), as its plugins file
(--plugins / BITCRAPS_PLUGINS) names them: each one's version, its state
(starting, running, restarting, refused: its binary does not match the pinned
sha256, failed: it crashed past its restart budget, stopped), how often it was
restarted, and how many events it lost to a full queue.`,
		Example: `  bitcraps plugins list
  bitcraps plugins list --node http://127.0.0.1:8081 --json`,
		Args: cobra.NoArgs,
		RunE: runPluginsList,
	}
	addNodeFlag(list)
	cmd := &cobra.Command{Use: "plugins", Short: "Plugins of a node (README: Plugins)"}
	cmd.AddCommand(list)
	rootCmd.AddCommand(cmd)
}

func runPluginsList(cmd *cobra.Command, _ []string) error {
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var list []plugins.Status
	raw, err := c.do(cmd.Context(), "GET", "/api/v1/plugins", nil, &list)
	if err != nil {
		return fmt.Errorf("plugins list: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no plugins (the node's plugins file, --plugins / BITCRAPS_PLUGINS, names none)")
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tVERSION\tSTATE\tRESTARTS\tDROPPED\tREASON")
	for _, p := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", p.Name, orDash(p.Version), p.State, p.Restarts, p.EventsDropped, p.Reason)
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
