// Package bft is the consensus core of a bitcraps table: the pure state
// machine that turns signed bets and the players' secrets into certified
// rounds, so that no single player (nor f = ⌊(n−1)/3⌋ lying ones) controls
// the dice or the result.
//
// It exists apart from the consensus actor for the reason etcd's raft does:
// a core with no clock, no goroutines, no I/O and no randomness but what it
// is handed can be driven by a simulator that drops, delays, reorders,
// duplicates and forges messages, crashes and restarts players, and checks
// after every step that no two honest players certify different results.
//
// # A table round (DESIGN.md), as implemented
//
// n seated players, f = ⌊(n−1)/3⌋, q = n − f (Quorum). The leader of
// (round, view) is seat (round + view) mod n (Leader).
//
//  1. Bets. A player signs a Bet (SubmitBet) and sends it to every seated
//     player, since any of them may lead a later view.
//  2. Proposal. When the round opens each player draws a secret and sends a
//     signed Commitment = H(secret ‖ round ‖ player). The leader waits for q
//     commitments and the bet window (or Propose), then signs a Proposal of
//     a Body: seats, previous state hash, bets (the application validates
//     them), and the commitments it holds — these are the committed players.
//  3. Commit. Each player checks the body (signatures, seats, previous
//     state, Application.ValidateBets) and signs a commit vote for its hash.
//     q commits in one view lock the body (LockCert); players resend the
//     lock on its own (Message.Lock) to committed players they have no
//     reveal from.
//  4. Reveal. A committed player that sees a lock on a body holding its
//     commitment reveals its secret. The seed is SeedOf(reveals in seat
//     order) and the Application draws the dice from it. A reveal that does
//     not open its commitment is evidence. If a committed player's reveal is
//     still missing when the view times out, the next leader proposes the
//     void of the locked body naming the withholders (see step 6); once
//     certified, their bets in the round are lost, everyone else's are
//     refunded (Application.Void), and they are unseated (NextSeats).
//  5. Confirm. With the body locked in its current view (and for a roll,
//     every reveal), a player applies the round (Application.Apply or Void)
//     and signs a confirm of (body hash, state hash). q matching confirms in
//     one view certify the round: the Certificate goes out in Ready.
//  6. View change. A player whose view runs out of ticks (the timeout
//     doubles per view) or who holds two proposals signed by the leader for
//     one view signs a ViewChange to the next view, carrying its highest lock
//     and the reveals it holds. The new leader proposes with q of them as
//     justification, and the body is forced: the highest lock unchanged, or
//     (for a roll lock with reveals missing from all of them) its void; with
//     no lock, any fresh body. f+1 view changes for higher views pull a
//     lagging player along.
//
// One deviation from the round as first written: the commitment to the
// secret is sent when the round opens, and the proposal carries the
// commitments, instead of each commit vote carrying one. Had the commits
// carried them, the committed set would be whichever q commits someone
// gathered, and a Byzantine leader could choose among subsets after seeing
// secrets. Inside the proposal, the committed set is fixed by the one body
// that q players lock, before any secret of the round is revealed.
//
// # Why it is safe
//
// Two certificates for one round in one view would need two sets of q
// confirms, which share an honest player, who never signs two confirms for
// one view (the double-sign guard). Across views: a certificate in view v
// means at least q−f honest players hold the lock of v and every reveal, and
// persisted both before confirming. Any q view changes include one of them,
// so every later view re-proposes that body and none can void it. Locks are
// unique per view for the same reason as certificates.
//
// The dice: an honest player reveals only after a lock, and the seed depends
// only on the committed set, fixed in the locked body. When the last secret
// of a locked body becomes known, q−f honest players hold that lock, so no
// other body can be locked in the round any more; what remains to a
// withholder is to void the round, losing its bets and its seat. An honest
// player votes for a void only of players whose reveal it does not hold, and
// only after it has known the lock for a full view; and every player resends
// its lock to the committed players it holds no reveal from, so one who
// missed the commits still reveals in time. Under a partition longer than a
// view, an honest player can still be voided: the price of not waiting
// forever. (A committed player the caller judges absent — Config.MayVoid —
// is waited for up to the seat grace instead: it may be restarting.)
//
// The last revealer's veto, and why it is bounded. A player who sees every
// other reveal before sending its own knows the dice first, and may withhold
// to void a round it dislikes. It cannot choose the dice: the void refunds
// everyone else's bets and no roll happens, so the most it can do is cancel
// one roll. The price is every bet it made in the round (lost to the bank)
// and its seat (unseated by the void), so it can do this once per seat it
// holds, and each seat costs a proof-of-work identity and a buy-in. Removing
// the option would need reveals nobody can read before all are in (a
// threshold or time-lock scheme); until then every use is counted
// (bitcraps_consensus_withheld_reveals_total) and kept in the certified
// void round, which names the withholders.
//
// With n = 2 or 3 (f = 0) every step needs everyone: a silent player stalls
// the table safely, and nothing can be certified — not even its unseating —
// until it returns. The table layer must dissolve such a table at its last
// certified round (no later round can be certified without the silent
// player, so that is consistent for everyone).
//
// # Driving the core
//
// The consensus actor owns a Node per table and a ticker (10 ms per tick
// suits the defaults: a 1 s view timeout, 0.5 s bet window, 200 ms resend).
// On every Step, Tick, SubmitBet and Propose it then loops while HasReady:
// rd := Ready(); write rd.Persist in one synced batch; send rd.Messages
// (To zero = every other seated player); hand rd.Certified to the ledger
// and the table and rd.Evidence to the history; Advance(rd). Persisting
// before sending is what makes the double-sign guard survive a crash. After a
// restart: bring the application to the latest certificate's state, then
// Restore(cfg, records). Records of rounds at or below the latest
// certificate's round may be deleted, except that certificate.
//
// Certificates prove themselves: VerifyCertificate checks one against its
// round's seats, VerifyChain a table's whole sequence from its first seats
// and genesis state; only the state hashes need the game to re-derive.
//
// # Encoding
//
// Everything signed, hashed, sent or stored uses one canonical encoding
// (encoding.go): fixed field order, big-endian integers, raw 32-byte keys and
// hashes, u32 length prefixes for byte strings and lists. Signed bytes start
// with the domain tag "bitcraps/bft/v1", the message kind, the table ID, the
// round, the view and the signer (signing.go lists each kind's fields).
//
// # Plugging in craps
//
// Application is craps seen through hashes: ValidateBets decodes each bet
// payload and places it with craps.PlaceBet on the state named by prev;
// Apply does the same and then craps.Apply(state, craps.DiceFromSeed(seed)),
// returning State.Hash(); Void removes the round's bets, charging the
// withholders'. The adapter keeps states by hash and drops candidates when a
// certificate names the winner.
package bft
