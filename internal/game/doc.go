// Package game is the craps table as consensus sees it: the glue between the
// pure rule book (internal/craps) and the pure consensus core (internal/bft).
//
// It exists so that every seated node and every offline auditor turn one
// certified round into the very same table state, the very same money
// movements and the very same verdict. It is a pure core like the two it
// joins: no actors, sockets, clocks, disks or goroutines (a test fails if it
// imports one). The table actor drives it; `bitcraps verify` replays it.
//
// # What it provides
//
//   - Payload, EncodePayload / DecodePayload (and EncodeBet, EncodeTakeDown,
//     EncodeLeave, EncodeRoll): what a player signs into bft.Bet.Payload.
//   - The shooter (shooter.go): who holds the dice at a state and who takes
//     them at the next seven-out (App.Shooter, View.Shooter/NextShooter), a
//     rule of the certified state, not of bft's rotating leader; the roll
//     request only the shooter may sign; ToBet, the seats the shooter's
//     request waits for.
//   - Genesis and GenesisHash: the table at its start (rules, seats with their
//     bought-in chips, the funded bank). GenesisHash is the bft
//     Config.GenesisStateHash.
//   - App: bft.Application for one table. It keeps the table states it
//     computed, keyed by state hash, for the last KeepRounds rounds.
//     Settlement turns a certified round into per-player chip deltas (the
//     ledger's Settle op), Seats gives the seat order of the next round, View
//     the table for the API, Replay re-applies a certified round (restart,
//     audit).
//   - Export, DecodeExport and Verify: the audit file (genesis + every
//     certificate + the unseatings, JSON) and its offline check.
//   - Chain: a table's history followed from genesis, every certificate
//     and unseating checked before its settlement is handed out (what a
//     node not seated at a table applies to its ledger, and what Verify
//     runs). UnseatVote and Unseating: silent players unseated by the
//     signed votes of all the others (unseat.go).
//   - Dissolution (App.Dissolution at a state hash, Chain.Dissolution at
//     the chain's state): what a dissolved table pays (dissolution.go).
//
// # Dissolving a table
//
// A table that cannot play on (DESIGN.md "Table lifecycle", Dissolved) is
// ended at a certified state by one pure rule of that state. At 2–3 seats
// every node does it on its own at its last certified state (every round
// needs every player, so the table cannot play on without it). At 4+ seats
// a quorum can play on without a node, so a node's own judgement could end
// the table while the others play: there the table is dissolved by a
// certified round that carries a dissolve payload (KindDissolve): its
// other payloads are refunded, it rolls no dice, moves nothing, and
// leaves the state ended (its hash
// says so, and nothing more applies to it); the dissolution is that of the
// state it ends. The rule: each player receives its chips in hand plus the
// exact value of each of its open wagers (craps.ExpectedReturn: what the
// wager returns on average if played out, rounded down to a micro-unit),
// and the host receives the bank plus every stake minus every value.
// Settling at the expected value gives nobody a reason to cause a
// dissolution (a refund would let a player drop a losing contract bet by
// going quiet; a forfeit would let a host drop a winning one), and the
// rounding goes to the bank, so Σ payouts + the bank's payout is exactly
// the money at the table (checked: a breach is ErrInvariant). Payouts are
// in seat order, then any other player with open wagers, sorted, so every
// node derives the same Dissolution, byte for byte in JSON; the ledger's
// Dissolve op applies it.
//
// # The round, in money terms
//
// The ledger holds, per table, each player's chips and the bank. The ledger's
// chips of a player are the game's chips in hand plus the player's stakes on
// the layout: placing a bet moves nothing in the ledger. A certified round
// moves chips ⇄ bank by the net result only: a win adds the win, a loss
// subtracts the stake, a push, a take-down, a return or a refund moves
// nothing. So Σ Settlement.Outcomes[i].Delta + Settlement.BankDelta = 0 in
// every round, and Σ (chips + stakes) + bank is constant from genesis on.
//
// A roll round (bft.BodyRoll): the round's payloads are applied in the bft
// order (seat, then sequence) to the previous state, then the dice
// craps.DiceFromSeed(cert.Seed) are rolled and settled (craps.Apply).
//
// A void round (bft.BodyVoid, DESIGN.md "A table round" step 4): no dice.
// The withholders' bets of the round are lost to the bank; everyone else's
// payloads are refunded, that is, never applied. The withholders are then
// unseated from the table exactly as if they had left, except that their
// contract wagers (a Pass or Come bet on its point, a bonus bet that has
// seen a roll) are forfeited to the bank (craps.Unseat): withholding never
// pays, and an unseated player cannot act on its wagers any more.
//
// Leaving: a "leave" payload takes effect in the round that carries it,
// before its dice. It is refused while the player has a contract wager (the
// error says which one, and the player leaves once it resolves). Every other
// open wager of the player is returned to its chips, the player is unseated
// from the game state, and Settlement lists it in Leavers with the chips to
// cash out. A player who leaves in a round has no other payload in that
// round but its roll request. The consensus seats of the next round are Seats(cert.StateHash):
// bft.NextSeats(cert) without the round's leavers.
//
// Unseating a silent player: at a table of 4 or more seats the rounds go on
// without a player whose node died (a quorum does not need it), so the
// others unseat it by a certified round: an "unseat" payload names the
// player; it takes effect before the dice, exactly as if the player had
// been unseated for withholding (craps.Unseat: contract wagers forfeited,
// the rest returned), and Settlement lists it in Leavers with reason
// "silent". The unseated player has no other payload in that round, and is
// unseated once. Whether the player really is silent is each committing
// player's own judgement (actors/consensus refuses to commit to the
// unseating of a player it still hears from); the payload itself is
// ordinary table state, so an audit replays it like any other. Tables of 2
// or 3 seats cannot certify anything without the silent player and use
// the unanimous votes of unseat.go instead.
//
// Joining mid-game: a "join" payload, submitted by a seated player (the
// host, which received the joiner's signed BuyIn op), names the joiner and
// the chips it bought in. It takes effect before the dice: the joiner is
// seated (craps.Seat) and plays from the next round, whose seats are
// Seats(cert.StateHash) with the joiner last; Settlement lists it in
// Joiners and gives it no outcome (its BuyIn op already moved the money,
// and it sat no roll of the round). A joiner appears once per round and
// never while seated.
//
// A take-down ("takedown" payload naming a bet) returns every open wager of
// the player on that bet (a numbered bet matches its number; a bet named
// without a number, such as pass_odds, matches every number), in the order
// they were placed; contract wagers are refused (craps.ErrContractBet).
//
// # Driving it from the table actor
//
// What the simulator in sim_test.go does, and the table actor must do:
//
//  1. Start: app, _ := NewApp(genesis); bft.Config{Players: genesis.Players(),
//     App: app, GenesisStateHash: app.GenesisHash(), ...}.
//  2. A player's bet: payload, err := EncodeBet(type, number, amount), then
//     node.SubmitBet(payload) (it calls ValidateBets: a refusal wraps the
//     reason). Leave: node.SubmitBet(EncodeLeave()).
//  3. For each Ready.Certified cert, in order: s, err := app.Settlement(&cert)
//     gives the Settle op (see Settlement) and the leavers' cash-outs.
//  4. If s.Leavers has a LeftTable entry, re-seat: the core has already
//     opened round cert.Round+1 with the old seats and sent its commitment
//     (and maybe bets) for it, so start the new core with
//     bft.Restore(cfg, carried), where cfg has FirstRound cert.Round+1,
//     GenesisStateHash cert.StateHash, Players app.Seats(cert.StateHash),
//     and carried are the persisted records of round cert.Round+1 of kind
//     RecordSecret and RecordSigned holding a Commitment or a Bet. A fresh
//     core would commit to a second secret, the proposal would carry the
//     first, and the table would void an honest player. (Voids need nothing:
//     bft.NextSeats already equals Seats.) Do not pass certificates to
//     Restore here: it would take bft.NextSeats, which keeps the leaver.
//  5. A re-seated core holds no certificates, so it cannot help a player
//     still in an older round: when a message of a certified round r comes
//     in from a player, answer it with the certificate of r from the
//     certified log (rate-limited per player), as bft does for its own.
//  6. Restart: NewApp(genesis), then Replay every certificate of the log in
//     order; the last StateHash is the core's previous state.
//
// # Errors a player sees
//
// ValidateBets, and so bft's SubmitBet, wrap the craps sentinels (match them
// with errors.Is): craps.ErrNotAllowedInPhase (the message names the phase),
// craps.ErrBankCannotCover, craps.ErrInsufficientChips, craps.ErrBelowMinimum,
// craps.ErrAboveMaximum, craps.ErrOddsTooHigh, craps.ErrOddsWithoutLineBet,
// craps.ErrContractBet, craps.ErrUnknownBet, and this package's ErrBadPayload,
// ErrNotSeated, ErrCannotLeave, ErrLeaving, ErrNothingToTakeDown.
//
// # Export format (version 1)
//
// A JSON object:
//
//	{
//	  "version": 1,
//	  "info": {...},            // optional, free-form table info; not checked
//	  "genesis": {
//	    "table_id": "...",
//	    "rules": {"MinBet":..., "MaxBet":..., "MaxOdds":{"FourTen":3,"FiveNine":4,"SixEight":5},
//	              "FieldTwelvePays":3, "WorkingOnComeOut":false, "MaxPlayers":16, "MaxWagersPerPlayer":64},
//	    "seats": [{"player": "<peer id hex>", "chips": <micro-CRAP>}, ...],   // seat order
//	    "bank": <micro-CRAP>
//	  },
//	  "certificates": [ <bft.Certificate as JSON>, ... ],  // rounds 1, 2, 3, ... in order
//	  "unseatings": [ {"round", "prev", "excluded": [keys], "votes": [...]}, ... ]  // optional
//	}
//
// bft.Certificate marshals with its own JSON tags: keys and hashes as
// lowercase hex, signatures and bet payloads as base64. Verify checks, for
// each certificate in order: the table ID; the round number (consecutive
// from 1); that its previous state hash is the state hash the replay reached
// (chaining); bft.VerifyCertificate against the seats of that round (the
// genesis seats, then Seats after each round, without every player an
// unseating removed: an unseating of round r, proved by the signed votes of
// every remaining seat, applies before the certificate of round r); and
// finally it re-derives the
// dice from the reveals (bft.SeedOf, craps.DiceFromSeed) and the new state
// hash by replaying the round with App, which must equal the certified one.
// The first round that fails is named in Report.FirstBad.
//
// # Concurrency
//
// An App is not safe for concurrent use: one table actor owns it. Everything
// else is a pure function.
package game
