package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/backup"
)

// errBackupFailed makes `backup create` exit 1 after printing which
// destinations failed.
var errBackupFailed = errors.New("backup not stored everywhere")

func init() {
	backupCmd := &cobra.Command{
		Use:   "backup",
		Short: "Back a node up off the machine, list backups, restore one",
		Long: `A backup is one archive of a node: checkpoints of its ledger and consensus
store, its keystore, its audit log and a manifest (format, node version,
peer id, ledger state hash and totals, each table's highest certified
round). It is compressed with zstd and encrypted with age to the
recipients' public keys, so Debian's age command opens it too:
  age -d -i key.txt NAME | zstd -d | tar -t

A destination is a directory, or s3://BUCKET/PREFIX on S3-compatible
storage, reached with these environment variables:
  BITCRAPS_BACKUP_S3_ENDPOINT    host[:port] (default s3.amazonaws.com)
  BITCRAPS_BACKUP_S3_ACCESS_KEY  (or AWS_ACCESS_KEY_ID)
  BITCRAPS_BACKUP_S3_SECRET_KEY  (or AWS_SECRET_ACCESS_KEY)
  BITCRAPS_BACKUP_S3_REGION      optional
  BITCRAPS_BACKUP_S3_TLS         true by default; false only for a local test server`,
	}
	create := &cobra.Command{
		Use:   "create",
		Short: "Back a node up now, to every --to destination",
		Long: `Back a node up now. Online (the default) the running node at --node takes
the backup with its own --backup-recipient keys and S3 settings, to --to
or else its --backup-to. Offline (--data DIR) backs up a stopped node's
data dir, encrypted to --backup-recipient (or BITCRAPS_BACKUP_RECIPIENTS).
The backup is done only when every destination confirmed it; otherwise
the failed ones are named and the command exits 1.`,
		Example: `  bitcraps backup create --to /mnt/backups --to s3://craps-backups/node-a
  bitcraps backup create --data ./data --to /mnt/backups --backup-recipient age1...`,
		Args: cobra.NoArgs,
		RunE: runBackupCreate,
	}
	addNodeFlag(create)
	create.Flags().StringArray("to", nil, "destination: a directory or s3://bucket/prefix (repeatable)")
	create.Flags().String("data", defaultDataDir(), "back up offline: a stopped node's data dir (env BITCRAPS_DB_PATH)")
	create.Flags().StringArray("backup-recipient", nil, "offline: an age public key to encrypt to (repeatable; env BITCRAPS_BACKUP_RECIPIENTS)")
	create.MarkFlagsMutuallyExclusive("node", "data")

	list := &cobra.Command{
		Use:     "list DEST",
		Short:   "List the backups at a destination, oldest first",
		Example: "  bitcraps backup list /mnt/backups\n  bitcraps backup list s3://craps-backups/node-a --json",
		Args:    cobra.ExactArgs(1),
		RunE:    runBackupList,
	}
	list.Flags().Bool("json", false, "print JSON instead of a table")

	restore := &cobra.Command{
		Use:   "restore NAME",
		Short: "Replace a stopped node's data dir with a backup",
		Long: `Replace DIR with the backup NAME from --from: decrypt it with --identity,
check its manifest, run the full ledger verification (replay of the op
log) and the audit chain check on the restored copy, then swap it in for
DIR in one rename; DIR's old content moves to DIR.replaced-TIME. Refused
while a node runs on DIR, and for another peer's backup. A wrong key, a
tampered or truncated archive: an error, and DIR is left as it was. Start
the node afterwards: it catches its tables up from its peers.`,
		Example: "  bitcraps backup restore bitcraps-3b6a27bcceb6a42d-20261203T180000.000Z.tar.zst.age --from /mnt/backups --identity key.txt --data ./data",
		Args:    cobra.ExactArgs(1),
		RunE:    runBackupRestore,
	}
	restore.Flags().String("from", "", "destination holding the backup: a directory or s3://bucket/prefix")
	restore.Flags().String("identity", "", "age identity file (as age-keygen writes it)")
	restore.Flags().String("data", defaultDataDir(), "the data dir to replace (env BITCRAPS_DB_PATH)")
	restore.Flags().Bool("json", false, "print JSON instead of text")
	for _, f := range []string{"from", "identity"} {
		_ = restore.MarkFlagRequired(f)
	}
	backupCmd.AddCommand(create, list, restore)
	rootCmd.AddCommand(backupCmd)
}

func runBackupCreate(cmd *cobra.Command, _ []string) error {
	to, _ := cmd.Flags().GetStringArray("to")
	var (
		res backup.Result
		err error
	)
	if dir, offline := offlineDir(cmd); offline {
		res, err = backupOffline(cmd, dir, to)
	} else {
		res, err = backupOnline(cmd, to)
	}
	if res.Name == "" && err != nil {
		return err
	}
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(res); jerr != nil {
			return jerr
		}
	} else {
		writeBackupResult(cmd.OutOrStdout(), res)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errBackupFailed, err)
	}
	return nil
}

func backupOffline(cmd *cobra.Command, dataDir string, to []string) (backup.Result, error) {
	recipients, _ := cmd.Flags().GetStringArray("backup-recipient")
	if len(recipients) == 0 {
		for _, r := range strings.Split(os.Getenv("BITCRAPS_BACKUP_RECIPIENTS"), ",") {
			if r = strings.TrimSpace(r); r != "" {
				recipients = append(recipients, r)
			}
		}
	}
	dests, err := backup.ParseDestinations(to, os.Getenv)
	if err != nil {
		return backup.Result{}, err
	}
	stores, closeStores, err := backup.OpenOffline(dataDir)
	if err != nil {
		return backup.Result{}, err
	}
	res, err := backup.Create(cmd.Context(), backup.CreateOptions{
		DataDir: dataDir, Stores: stores, Recipients: recipients, Destinations: dests,
		NodeVersion: version, Progress: progressPrinter(cmd.ErrOrStderr()),
	})
	return res, errors.Join(err, closeStores())
}

// backupOnline asks the node and prints its progress lines as they come.
func backupOnline(cmd *cobra.Command, to []string) (backup.Result, error) {
	c, err := newAPIClient(cmd)
	if err != nil {
		return backup.Result{}, err
	}
	body, _ := json.Marshal(map[string][]string{"to": to})
	req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPost, c.base+"/api/v1/backups", bytes.NewReader(body))
	if err != nil {
		return backup.Result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	// No overall timeout: a backup of a big node takes its time; the
	// node's stream says it is alive.
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return backup.Result{}, fmt.Errorf("reach node at %s (is `bitcraps node` running? --node / BITCRAPS_NODE): %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		var wrap struct{ Error *apiError }
		if json.Unmarshal(raw, &wrap) == nil && wrap.Error != nil {
			wrap.Error.Status = resp.StatusCode
			return backup.Result{}, wrap.Error
		}
		return backup.Result{}, &apiError{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(raw))}
	}
	show := progressPrinter(cmd.ErrOrStderr())
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var line struct {
			Progress *backup.Progress
			Result   *backup.Result
			Error    *apiError
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return backup.Result{}, fmt.Errorf("read the node's progress: %w", err)
		}
		switch {
		case line.Progress != nil:
			show(*line.Progress)
		case line.Result != nil:
			if line.Error != nil {
				return *line.Result, errors.New(line.Error.Message)
			}
			return *line.Result, nil
		}
	}
	return backup.Result{}, fmt.Errorf("the node's answer ended before the result: %v", sc.Err())
}

func progressPrinter(w io.Writer) func(backup.Progress) {
	return func(p backup.Progress) {
		switch {
		case p.Error != "":
			fmt.Fprintf(w, "%s %s: %s\n", p.Step, p.Destination, p.Error)
		case p.Destination != "":
			fmt.Fprintf(w, "%s %s (%d bytes)\n", p.Step, p.Destination, p.Bytes)
		case p.Bytes > 0:
			fmt.Fprintf(w, "%s: %d bytes\n", p.Step, p.Bytes)
		default:
			fmt.Fprintf(w, "%s\n", p.Step)
		}
	}
}

func writeBackupResult(w io.Writer, res backup.Result) {
	m := res.Manifest
	fmt.Fprintf(w, "backup %s: %d bytes in %s\n", res.Name, res.Size, res.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "  peer %s, ledger state hash %s, %d ops, audit head %s (%d entries)\n",
		m.PeerID, m.Ledger.StateHash, m.Ledger.Ops, m.Audit.HeadHash, m.Audit.Entries)
	for _, d := range res.Destinations {
		if d.Error != "" {
			fmt.Fprintf(w, "  FAILED %s: %s\n", d.Destination, d.Error)
		} else {
			fmt.Fprintf(w, "  stored %s\n", d.Destination)
		}
	}
}

func runBackupList(cmd *cobra.Command, args []string) error {
	d, err := backup.ParseDestination(args[0], os.Getenv)
	if err != nil {
		return err
	}
	objs, err := d.List(cmd.Context())
	if err != nil {
		return fmt.Errorf("list %s: %w", d, err)
	}
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		if objs == nil {
			objs = []backup.Object{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(objs)
	}
	if len(objs) == 0 {
		fmt.Fprintf(out, "no backups in %s\n", d)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tSIZE")
	for _, o := range objs {
		created := "-"
		if _, t, err := backup.ParseName(o.Name); err == nil {
			created = t.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", o.Name, created, o.Size)
	}
	return tw.Flush()
}

func runBackupRestore(cmd *cobra.Command, args []string) error {
	from, _ := cmd.Flags().GetString("from")
	idFile, _ := cmd.Flags().GetString("identity")
	dataDir, _ := cmd.Flags().GetString("data")
	d, err := backup.ParseDestination(from, os.Getenv)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	ids, err := backup.ReadIdentities(idFile)
	if err != nil {
		return err
	}
	res, err := backup.Restore(cmd.Context(), backup.RestoreOptions{
		From: d, Name: args[0], Identities: ids, DataDir: dataDir, Progress: progressPrinter(cmd.ErrOrStderr()),
	})
	if err != nil {
		return fmt.Errorf("restore %s into --data %s (left unchanged): %w", args[0], dataDir, err)
	}
	out := cmd.OutOrStdout()
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	m := res.Manifest
	fmt.Fprintf(out, "restored %s into %s: peer %s, taken %s\n", args[0], dataDir, m.PeerID, m.CreatedAt.Format(time.RFC3339))
	fmt.Fprintf(out, "  ledger verified: state hash %s, %d ops; audit trail verified: %d entries\n", m.Ledger.StateHash, m.Ledger.Ops, m.Audit.Entries)
	for table, round := range m.HighestCertified {
		fmt.Fprintf(out, "  table %s: certified up to round %d in the backup; the node catches up the rest from its peers\n", table, round)
	}
	if res.Replaced != "" {
		fmt.Fprintf(out, "the replaced data dir is in %s; delete it once the node looks right\n", res.Replaced)
	}
	return nil
}
