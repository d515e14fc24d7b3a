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
//     EncodeLeave): what a player signs into bft.Bet.Payload.
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
//     certificate, JSON) and its offline check.
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
// round. The consensus seats of the next round are Seats(cert.StateHash):
// bft.NextSeats(cert) without the round's leavers.
//
// A take-down ("takedown" payload naming a bet) returns every open wager of
// the player on that bet (a numbered bet matches its number; a bet named
// without a number, such as pass_odds, matches every number), in the order
// they were placed; contract wagers are refused (craps.ErrContractBet).
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
//	  "certificates": [ <bft.Certificate as JSON>, ... ]   // rounds 1, 2, 3, ... in order
//	}
//
// bft.Certificate marshals with its own JSON tags: keys and hashes as
// lowercase hex, signatures and bet payloads as base64. Verify checks, for
// each certificate in order: the table ID; the round number (consecutive
// from 1); that its previous state hash is the state hash the replay reached
// (chaining); bft.VerifyCertificate against the seats of that round (the
// genesis seats, then Seats after each round); and finally it re-derives the
// dice from the reveals (bft.SeedOf, craps.DiceFromSeed) and the new state
// hash by replaying the round with App, which must equal the certified one.
// The first round that fails is named in Report.FirstBad.
//
// # Concurrency
//
// An App is not safe for concurrent use: one table actor owns it. Everything
// else is a pure function.
package game
