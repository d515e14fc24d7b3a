// Command bitcraps is the one binary: the node daemon and every client,
// rules, verification and demo command.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// rootCmd is the top of the command tree. Each subcommand lives in its own
// file and adds itself in an init function, so commands stay independent.
var rootCmd = &cobra.Command{
	Use:           "bitcraps",
	Short:         "Peer-to-peer, provably fair craps with no trusted house",
	SilenceUsage:  true,
	SilenceErrors: true,
	Version:       version,
}

func main() {
	withUsageOnArgErrors(rootCmd)
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bitcraps:", err)
		os.Exit(1)
	}
}
