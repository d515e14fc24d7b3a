// Package consensus is the consensus service: the parent of one BFT
// instance (internal/bft) per active table. It owns timers and persistence
// for its instances and nothing clever: the protocol lives in internal/bft.
package consensus
