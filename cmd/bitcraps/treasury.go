package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/atomicfile"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// errTreasuryKey marks a treasury key file that cannot be used.
var errTreasuryKey = errors.New("treasury key file")

func init() {
	treasury := &cobra.Command{
		Use:   "treasury",
		Short: "Make the deployment's treasury key and sign grants with it",
		Long: `A deployment whose CRAP must mean something has a treasury: one Ed25519 key
whose signed grants alone create money. Start every node with
--treasury-key PUBKEY (env BITCRAPS_TREASURY_KEY); nodes then refuse any
grant the key did not sign, and carry the signed ones to every node.
Without a treasury, nodes run play money: every identity gets
--initial-balance for free, and status says so.`,
		Example: `  bitcraps treasury keygen --out treasury.key
  bitcraps node --treasury-key 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
  bitcraps treasury grant PEER_ID 500 --key treasury.key --node http://127.0.0.1:8080`,
	}
	keygen := &cobra.Command{
		Use:   "keygen",
		Short: "Write a new treasury key file (mode 0600) and print its public key",
		Example: `  bitcraps treasury keygen --out /secure/treasury.key
  BITCRAPS_TREASURY_KEY=$(bitcraps treasury keygen --out treasury.key 2>/dev/null) bitcraps node`,
		Args: cobra.NoArgs,
		RunE: runTreasuryKeygen,
	}
	keygen.Flags().String("out", "treasury.key", "the key file to write; an existing file is never overwritten")
	grant := &cobra.Command{
		Use:   "grant PEER AMOUNT",
		Short: "Sign a grant of AMOUNT CRAP to PEER and submit it to a node (or print it)",
		Long: `Sign a grant of AMOUNT CRAP (up to 6 decimals) to the identity PEER (its peer
ID) with the treasury key, and submit it to the node at --node, which checks
it and carries it to every node. With --print, print the signed grant as
JSON instead (POST it later to /api/v1/ledger/grants on any node).

Each grant has a serial (random unless --serial is given): a grant
submitted twice counts once, and a second grant to one identity needs
another serial.`,
		Example: `  bitcraps treasury grant 9f1c...e2 500 --key treasury.key
  bitcraps treasury grant 9f1c...e2 500 --key treasury.key --serial 1 --print > grant.json`,
		Args: cobra.ExactArgs(2),
		RunE: runTreasuryGrant,
	}
	grant.Flags().String("key", "treasury.key", "the treasury key file (`bitcraps treasury keygen`)")
	grant.Flags().Uint64("serial", 0, "the grant's serial, 1 or more (default: random)")
	grant.Flags().Bool("print", false, "print the signed grant instead of submitting it")
	addNodeFlag(grant)
	treasury.AddCommand(keygen, grant)
	rootCmd.AddCommand(treasury)
}

func runTreasuryKeygen(cmd *cobra.Command, _ []string) error {
	out, _ := cmd.Flags().GetString("out")
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("--out %s: %w exists; a treasury key is never overwritten (move it away first)", out, errTreasuryKey)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate the treasury key: %w", err)
	}
	if err := atomicfile.Write(out, []byte(hex.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
		return fmt.Errorf("--out %s: %w", out, err)
	}
	key := identity.PeerIDOf(pub)
	fmt.Fprintln(cmd.OutOrStdout(), key)
	fmt.Fprintf(cmd.ErrOrStderr(), "treasury key written to %s (mode 0600): keep it offline. Start every node with --treasury-key %s\n", out, key)
	return nil
}

// readTreasuryKey reads a key file `treasury keygen` wrote.
func readTreasuryKey(cmd *cobra.Command, path string) (ed25519.PrivateKey, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--key %s: %w not found (make one with `bitcraps treasury keygen`)", path, errTreasuryKey)
	}
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: --key %s has mode %04o; anyone who reads it can mint CRAP (chmod 600 %s)\n", path, info.Mode().Perm(), path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("--key %s: %w: want %d hex digits on one line", path, errTreasuryKey, 2*ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func runTreasuryGrant(cmd *cobra.Command, args []string) error {
	if _, err := identity.ParsePeerID(args[0]); err != nil {
		return fmt.Errorf("PEER: %w", err)
	}
	amount, err := config.ParseCRAP(args[1])
	if err == nil && (amount <= 0 || amount > ledger.MaxAmount) {
		err = fmt.Errorf("want more than 0 and at most %s CRAP", config.FormatCRAP(ledger.MaxAmount))
	}
	if err != nil {
		return fmt.Errorf("AMOUNT %s: %w", args[1], err)
	}
	path, _ := cmd.Flags().GetString("key")
	key, err := readTreasuryKey(cmd, path)
	if err != nil {
		return err
	}
	serial, _ := cmd.Flags().GetUint64("serial")
	if serial == 0 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("draw a serial: %w", err)
		}
		serial = binary.BigEndian.Uint64(b[:])>>1 | 1 // never 0
	}
	op := ledger.TreasuryGrant(key, identity.PeerID(args[0]), amount, serial)
	if only, _ := cmd.Flags().GetBool("print"); only {
		b, err := json.MarshalIndent(op, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), string(b))
		return nil
	}
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	var ans struct {
		ID        string `json:"id"`
		Duplicate bool   `json:"duplicate"`
	}
	raw, err := c.do(cmd.Context(), "POST", "/api/v1/ledger/grants", op, &ans)
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	if printJSON(cmd, raw) {
		return nil
	}
	verb := "granted"
	if ans.Duplicate {
		verb = "already granted (nothing changed)"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s %s CRAP to %s: grant %s, serial %d\n", verb, config.FormatCRAP(amount), args[0], ans.ID, serial)
	return nil
}
