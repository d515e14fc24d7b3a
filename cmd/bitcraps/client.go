package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultNode is where client commands look for a node: the address
// `bitcraps node` serves on by default.
const defaultNode = "http://127.0.0.1:8080"

// clientTimeout bounds one API call; the node answers from memory or a
// local disk, so anything slower is a wedged node.
const clientTimeout = 30 * time.Second

// addNodeFlag gives a client command --node (env BITCRAPS_NODE) and --json.
func addNodeFlag(cmd *cobra.Command) {
	def := defaultNode
	if v, ok := os.LookupEnv("BITCRAPS_NODE"); ok && v != "" {
		def = v
	}
	cmd.Flags().String("node", def, "URL of the node's HTTP API (env BITCRAPS_NODE)")
	cmd.Flags().Bool("json", false, "print the node's JSON answer instead of a table")
}

// apiClient talks to one node's HTTP API.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

func newAPIClient(cmd *cobra.Command) (*apiClient, error) {
	base, err := cmd.Flags().GetString("node")
	if err != nil {
		return nil, err
	}
	base, err = nodeURL(base)
	if err != nil {
		return nil, err
	}
	return &apiClient{base: base, token: os.Getenv("BITCRAPS_API_TOKEN"),
		http: &http.Client{Timeout: clientTimeout}}, nil
}

// nodeURL is --node as a base URL: a bare host:port (what `bitcraps node`
// prints as its --http) means http://host:port.
func nodeURL(s string) (string, error) {
	base := strings.TrimSpace(s)
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--node %q: want host:port or a URL such as %s", s, defaultNode)
	}
	return strings.TrimRight(base, "/"), nil
}

// apiError is the node's {"error":{"code","message"}} answer.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error puts the node's message first, as it is written for people; the
// status and code follow for scripts and bug reports.
func (e *apiError) Error() string {
	return fmt.Sprintf("%s (node answered %d %s)", e.Message, e.Status, e.Code)
}

// do sends body (JSON, unless nil) and decodes a 2xx answer into out (when
// not nil). The raw answer is returned for --json output.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("request %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach node at %s (is `bitcraps node` running? --node / BITCRAPS_NODE): %w", c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var wrap struct{ Error *apiError }
		if json.Unmarshal(raw, &wrap) == nil && wrap.Error != nil {
			wrap.Error.Status = resp.StatusCode
			return raw, wrap.Error
		}
		return raw, &apiError{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(raw))}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("decode answer of %s %s: %w", method, path, err)
		}
	}
	return raw, nil
}

// printJSON writes the node's raw answer when --json is set and reports
// whether it did, so commands print a table otherwise.
func printJSON(cmd *cobra.Command, raw []byte) bool {
	asJSON, _ := cmd.Flags().GetBool("json")
	if asJSON {
		fmt.Fprintln(cmd.OutOrStdout(), strings.TrimSpace(string(raw)))
	}
	return asJSON
}

// addVerifyFlags gives a verify command --node/--json and --data: online
// by default, offline on a stopped node's data dir when --data is given.
func addVerifyFlags(cmd *cobra.Command) {
	addNodeFlag(cmd)
	cmd.Flags().String("data", defaultDataDir(), "verify offline: a stopped node's data dir (env BITCRAPS_DB_PATH)")
	cmd.MarkFlagsMutuallyExclusive("node", "data")
}

// defaultDataDir is --data's default for offline commands.
func defaultDataDir() string {
	if v, ok := os.LookupEnv("BITCRAPS_DB_PATH"); ok && v != "" {
		return v
	}
	return "./data"
}

// offlineDir is the --data dir when it was given on the command line: only
// that selects offline mode, so an exported BITCRAPS_DB_PATH never turns a
// client command offline by surprise.
func offlineDir(cmd *cobra.Command) (string, bool) {
	if !cmd.Flags().Changed("data") {
		return "", false
	}
	dir, _ := cmd.Flags().GetString("data")
	return dir, true
}

// getReport fetches a verification report from the node at --node.
func getReport[T any](cmd *cobra.Command, path, what string) (T, error) {
	var rep T
	c, err := newAPIClient(cmd)
	if err != nil {
		return rep, err
	}
	if _, err := c.do(cmd.Context(), "GET", path, nil, &rep); err != nil {
		return rep, fmt.Errorf("%s: %w", what, err)
	}
	return rep, nil
}
