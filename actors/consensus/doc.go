// Package consensus is the "consensus" service: it runs one BFT instance
// (internal/bft driving the craps application of internal/game) per table
// this node sits at, and owns what the pure core cannot do itself — time,
// disk and network.
//
// Each instance is a child actor named by its table. It ticks the core
// every TickInterval (config --tick), steps it with the frames the mesh
// delivers, and for every Ready persists the records in one synced pebble
// batch (StoreDir: DATA/consensus) in a goroutine, and only then hands the
// messages to the mesh, one signed CONSENSUS envelope per recipient, then
// calls Advance. What became certified is settled with the game
// (per-player deltas, leavers, events) and delivered to the table actor as
// messages.CertifiedRound; evidence as messages.ConsensusEvidence.
//
// After a crash an instance rebuilds from the store: it replays every
// certificate from the table's genesis through the game, then restores the
// core from the records of the round in progress (bft.Restore), so it
// resends what it signed and never signs anything else for those slots.
//
// The table's life around the rounds — who is absent, when the table
// pauses, unseats a player or dissolves, when this node catches up — is
// internal/lifecycle's; lifecycle.go translates (presence frames, requests
// for certified rounds that the service answers from its store in
// rounds.go, the dissolution persisted before anything else), and only a
// Playing table ticks, votes and bets. When a round rolls is pacing.go's:
// a round nobody bets in is idle and its core does not tick (nothing
// times out, nothing rolls), the bet window runs from the round's first
// bet, and the shooter's roll request (a payload only the game's shooter
// may sign) has the leader roll at once once every present seat has bet.
// metrics.go times each round's phases on this node (from the records of
// its Readys) for the phase histograms and the round's spans
// (internal/tracing). health.go makes the service Degraded
// while an instance failed or cannot catch up. CertificateVerifier is what
// the ledger uses to check Settle ops.
package consensus
