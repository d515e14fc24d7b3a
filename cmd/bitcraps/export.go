package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/atomicfile"
	"github.com/bitcraps/bitcraps/internal/game"
)

// exportTimeout bounds one export download: a certified round is a few
// kilobytes, so even an export near maxExportBytes moves in well under
// this on any link a node is reachable over, while a wedged node still
// ends the command.
const exportTimeout = 5 * time.Minute

// errBadExport: the node answered something that is not an export of
// the table asked for, so nothing is written.
var errBadExport = errors.New("not an export of the table")

func tableExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export TABLE",
		Short: "Download a table's audit file (genesis and every certified round) for `bitcraps verify`",
		Long: `Download a table's audit file from your node: the table's genesis and every
certified round, with the players' signatures, as JSON in the format
` + "`bitcraps verify FILE`" + ` reads. Verifying the file needs no node and trusts
none: the certificates are signed by the seated players. Only a node that sat
at the table holds them; ask any of the players' nodes, and compare.

Without --out the file goes to standard output as the node sent it. With
--out it is written atomically (a crash leaves the old file or the new one,
never half of one) with mode 0644, and the command says where it went and how
many rounds it holds (--json: as JSON).`,
		Example: `  bitcraps table export 3f2a9c0d1e2b4a5f --out t.json && bitcraps verify t.json
  bitcraps table export 3f2a9c0d1e2b4a5f > table-3f2a9c0d1e2b4a5f.json
  bitcraps table export 3f2a9c0d1e2b4a5f | bitcraps verify --quiet -
  bitcraps table export 3f2a9c0d1e2b4a5f --out t.json --node http://127.0.0.1:8081 --json`,
		Args: cobra.ExactArgs(1),
		RunE: runTableExport,
	}
	cmd.Flags().StringP("out", "o", "", "write the export to this file (atomically, mode 0644) instead of standard output")
	addNodeFlag(cmd)
	// The export is JSON already; --json shapes the --out report instead.
	cmd.Flags().Lookup("json").Usage = "with --out, report as JSON: table, file, rounds, bytes"
	return cmd
}

// exportSummary is what `table export --out` reports.
type exportSummary struct {
	Table  string `json:"table"`
	File   string `json:"file"`
	Rounds int    `json:"rounds"`
	Bytes  int    `json:"bytes"`
}

func runTableExport(cmd *cobra.Command, args []string) error {
	id := args[0]
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	raw, err := fetchExport(cmd, c, id)
	if err != nil {
		return fmt.Errorf("table export: %w", err)
	}
	rounds, err := checkExport(raw, id)
	if err != nil {
		return fmt.Errorf("table export: %w", err)
	}
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		if _, err := cmd.OutOrStdout().Write(raw); err != nil {
			return fmt.Errorf("table export: write standard output: %w", err)
		}
		return nil
	}
	if err := atomicfile.Write(out, raw, 0o644); err != nil {
		return fmt.Errorf("table export: --out %s: %w", out, err)
	}
	sum := exportSummary{Table: id, File: out, Rounds: rounds, Bytes: len(raw)}
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		b, _ := json.Marshal(sum)
		fmt.Fprintln(cmd.OutOrStdout(), string(b))
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "exported table %s: %s (%d bytes) to %s\ncheck it with: bitcraps verify %s\n",
		id, plural(rounds, "certified round"), len(raw), out, out)
	return nil
}

// fetchExport downloads GET /api/v1/tables/{id}/export, bounded by the
// size `bitcraps verify` accepts, so whatever this writes verify reads.
func fetchExport(cmd *cobra.Command, c *apiClient, id string) ([]byte, error) {
	path := tablePath(id, "export")
	req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("request GET %s: %w", path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	hc := *c.http
	hc.Timeout = exportTimeout
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach node at %s (is `bitcraps node` running? --node / BITCRAPS_NODE): %w", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read answer of GET %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, answerError(resp.StatusCode, raw)
	}
	if len(raw) > maxExportBytes {
		return nil, fmt.Errorf("the export is larger than %d bytes, the most `bitcraps verify` reads", maxExportBytes)
	}
	return raw, nil
}

// answerError is the node's error answer as the other client commands
// report it.
func answerError(status int, raw []byte) error {
	var wrap struct{ Error *apiError }
	if json.Unmarshal(raw, &wrap) == nil && wrap.Error != nil {
		wrap.Error.Status = status
		return wrap.Error
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return &apiError{Status: status, Code: "http", Message: msg}
}

// checkExport makes sure the answer is an export of table id in the
// version verify reads, and counts its rounds. It checks no signature:
// that is `bitcraps verify`'s job, and an auditor runs it, not the node.
func checkExport(raw []byte, id string) (int, error) {
	var e struct {
		Version int `json:"version"`
		Genesis struct {
			TableID string `json:"table_id"`
		} `json:"genesis"`
		Certificates []json.RawMessage `json:"certificates"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return 0, fmt.Errorf("decode the node's answer: %w: %w", errBadExport, err)
	}
	if e.Version != game.ExportVersion {
		return 0, fmt.Errorf("export version %d, want %d: %w", e.Version, game.ExportVersion, errBadExport)
	}
	if e.Genesis.TableID != id {
		return 0, fmt.Errorf("the node sent the genesis of table %q for table %q: %w", e.Genesis.TableID, id, errBadExport)
	}
	return len(e.Certificates), nil
}
