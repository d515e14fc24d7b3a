package node

import (
	"context"
	"fmt"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// loadIdentity reuses the keystore in the data dir or, on first start,
// generates a proof-of-work identity, telling Progress as the search goes.
func loadIdentity(ctx context.Context, opts Options, m *metrics) (*identity.Identity, error) {
	cfg := opts.Config
	gen := identity.GenerateOptions{Context: ctx}
	if opts.Progress != nil {
		gen.Progress = func(attempts uint64) {
			opts.Progress(fmt.Sprintf("generating identity (proof of work, difficulty %d): %d nonces tried",
				cfg.PoWDifficulty, attempts))
		}
	}
	began := time.Now()
	id, created, err := identity.LoadOrCreateWithOptions(cfg.DataDir, cfg.KeystorePassphrase,
		cfg.PoWDifficulty, opts.Rand, gen)
	if err != nil {
		return nil, identityError(cfg.DataDir, err)
	}
	if created {
		m.powSeconds.Observe(time.Since(began).Seconds())
		opts.Logger.Info("identity created", "peer_id", id.PeerID(), "difficulty", cfg.PoWDifficulty,
			"took", time.Since(began).Round(time.Millisecond))
	} else {
		opts.Logger.Info("identity loaded", "peer_id", id.PeerID())
	}
	return id, nil
}
