// Package table is the game manager (the "games" service) and, under it,
// one actor per table this node hosts or sits at. It is how the HTTP API
// and the CLI reach tables (the requests of messages/table.go), and how
// tables reach the rest of the node: the ledger for money, the consensus
// service for rounds, the mesh for other nodes.
//
// A table's host decides its seats and when play starts; its record
// (settings, seats, status, the signed ops that put money on the table) is
// sent to every player and announced to every node. A player joins from
// its own node by signing a buy-in, which every ledger applies. When enough
// players sit, every seated node starts the table's consensus instance from
// the same genesis. Before that, a player may leave (the host frees its
// seat, then it cashes out) and the host may sit, or cancel the table; a
// table that does not fill in time is cancelled (closing.go). Once play
// has started, bets, rolls and leaves go to the instance; each
// certified round comes back as a Settle op, applied to the local ledger
// strictly in round order. The manager signs the local player's ops one at
// a time (never two ops for one sequence number), gossips every op it
// signs, and applies the signed ops other nodes gossip. Settlements are
// never taken from gossip: a node that does not sit at a table follows it
// with a game.Chain from the announced genesis and derives each round's
// Settle op itself, after checking the certificate (follower.go). So all
// ledgers converge, and none moves money no quorum of the table certified.
// The same chain is what such a node shows of the table — API, CLI, web
// page and event stream — with how current it is (watch.go).
//
// Nothing here holds rules: craps lives in internal/craps and
// internal/game, agreement in internal/bft.
package table
