package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/logging"
	"github.com/bitcraps/bitcraps/internal/node"
)

// stopGrace bounds the stop sequence after SIGINT/SIGTERM; Kubernetes
// allows 30 s by default before it kills, so finish well inside that.
const stopGrace = 20 * time.Second

func init() {
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run a bitcraps node (the daemon)",
		Long: `Run a bitcraps node: the supervision tree of services (ledger, transport,
mesh, consensus, games), and the HTTP API with health probes and /metrics.

Every setting has a flag and a BITCRAPS_* environment variable; the flag wins.
Bad values stop the node at once with a message naming the setting.
SIGINT or SIGTERM stops the services in reverse order and exits 0.`,
		Example: `  bitcraps node                                  # embedded defaults, data in ./data
  bitcraps node --data /var/lib/bitcraps --http 127.0.0.1:8081
  BITCRAPS_PROFILE=testing bitcraps node --port 9100 --gossip-port 7947 --join 127.0.0.1:7946`,
		Args: cobra.NoArgs,
		RunE: runNode,
	}
	config.RegisterFlags(cmd.Flags())
	rootCmd.AddCommand(cmd)
}

func runNode(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Resolve(cmd.Flags(), os.LookupEnv)
	if err != nil {
		return err
	}
	logger := newLogger(cmd.ErrOrStderr(), cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	n, err := node.Start(ctx, node.Options{
		Config:   cfg,
		Version:  version,
		Logger:   logger,
		Progress: func(msg string) { logger.Info(msg) },
	})
	var startErr *node.StartError
	if errors.As(err, &startErr) {
		return startErr // one line naming the setting: nothing to add
	}
	if err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	logger.Info("node starting", "peer_id", n.PeerID(), "http", "http://"+n.HTTPAddr(), "data", cfg.DataDir)
	go func() {
		if err := n.WaitReady(ctx); err != nil {
			logger.Error("node not ready", "err", err)
			return
		}
		logger.Info("node ready", "state", n.Root().State().String())
	}()

	var served error
	select {
	case <-ctx.Done():
		logger.Info("signal received, stopping")
	case <-n.Served():
		served = n.ServeErr()
		logger.Error("http server ended", "err", served)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	if err := n.Stop(stopCtx); err != nil {
		return fmt.Errorf("stop node: %w", err)
	}
	logger.Info("node stopped")
	return served
}

// newLogger builds the node's slog logger: text by default, JSON with
// --log-format json, debug level with --debug / BITCRAPS_DEBUG.
func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	return logging.New(w, cfg.LogFormat == config.LogJSON, cfg.Debug)
}
