package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/ledger"
)

func init() {
	snapshotCmd := &cobra.Command{
		Use:   "snapshot",
		Short: "List and restore ledger snapshots (offline)",
		Long: `A running node checkpoints its ledger every BITCRAPS_SNAPSHOT_INTERVAL
(default 1m) into DIR/snapshots, keeping the newest BITCRAPS_SNAPSHOT_KEEP
(default 24). Each snapshot was verified when it was taken.`,
		Example: `  bitcraps snapshot list --data ./data
  bitcraps snapshot restore 20250102T030405.000Z --data ./data`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List a data dir's snapshots, oldest first",
		Example: `  bitcraps snapshot list
  bitcraps snapshot list --data /var/lib/bitcraps --json`,
		Args: cobra.NoArgs,
		RunE: runSnapshotList,
	}
	list.Flags().Bool("json", false, "print JSON instead of a table")
	restore := &cobra.Command{
		Use:   "restore NAME",
		Short: "Replace a stopped node's ledger with a snapshot",
		Long: `Replace DIR/ledger with the snapshot NAME. Refused while a node runs on
DIR (stop it first). The snapshot is copied and verified before anything
is replaced; the replaced store is moved to DIR/ledger.replaced-TIME, not
deleted. If a restore is interrupted the node refuses to start until the
restore is run again. Ops applied after the snapshot are gone from this
node's ledger (peers that hold them can replay them).`,
		Example: `  bitcraps snapshot restore 20250102T030405.000Z --data ./data`,
		Args:    cobra.ExactArgs(1),
		RunE:    runSnapshotRestore,
	}
	for _, c := range []*cobra.Command{list, restore} {
		c.Flags().String("data", defaultDataDir(), "the node's data dir (env BITCRAPS_DB_PATH)")
		snapshotCmd.AddCommand(c)
	}
	rootCmd.AddCommand(snapshotCmd)
}

func runSnapshotList(cmd *cobra.Command, _ []string) error {
	dir, _ := cmd.Flags().GetString("data")
	snaps, err := ledger.ListSnapshots(nil, ledger.SnapshotsDir(dir))
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if snaps == nil {
			snaps = []ledger.SnapshotInfo{}
		}
		return enc.Encode(snaps)
	}
	if len(snaps) == 0 {
		fmt.Fprintf(out, "no snapshots in %s\n", ledger.SnapshotsDir(dir))
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTAKEN\tOPS\tACCOUNTS\tSTATE HASH")
	for _, s := range snaps {
		if s.Problem != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t%s\n", s.Name, s.Problem)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", s.Name, s.CreatedAt.Format(time.RFC3339), s.Ops, s.Accounts, s.StateHash)
	}
	return tw.Flush()
}

func runSnapshotRestore(cmd *cobra.Command, args []string) error {
	dir, _ := cmd.Flags().GetString("data")
	res, err := ledger.RestoreSnapshot(dir, args[0], ledger.RestoreOptions{})
	switch {
	case errors.Is(err, ledger.ErrDataDirInUse):
		return fmt.Errorf("a node is running on --data %s; stop it first: %w", dir, err)
	case errors.Is(err, ledger.ErrSnapshotNotFound):
		return fmt.Errorf("%w (see `bitcraps snapshot list --data %s`)", err, dir)
	case err != nil:
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "restored %s: state hash %s, %d ops, %d accounts\n", res.Snapshot.Name, res.Snapshot.StateHash, res.Snapshot.Ops, res.Snapshot.Accounts)
	if res.Backup != "" {
		fmt.Fprintf(out, "the replaced ledger is in %s; delete it once the node looks right\n", res.Backup)
	}
	return nil
}
