// Package lifecycle is the pure core of a table's life on one node: who of
// the seated players is present or absent, when the table pauses, when an
// absent player is unseated, when a paused table is dissolved, and when the
// node must catch up on certified rounds before it may vote again.
//
// It exists because these rules decide who may sit, vote and be paid, so
// they must run in the seeded simulator and read as transcripts (testdata/),
// not hide in actors behind the wall clock. Like internal/bft it has no
// clock, no goroutines and no I/O: time is Tick, the network is Heard and
// Certified, and what the node must do comes out of Ready (the shape of
// bft.Node). The consensus actor owns one Table per table it sits at.
//
// # The rules (DESIGN.md, "Table lifecycle")
//
//   - Absent. A seat not heard from for AbsentTicks is absent: the node
//     does not wait for it to bet. Absence is not exit: nothing about the
//     seat changes, and the first message heard makes it present again.
//   - Paused. A table may not play (this node neither ticks nor votes in
//     consensus) while fewer than MinPlayers are present, while any seat is
//     absent at 2–3 seats (unanimity: no round could certify anyway, and
//     the dice must never come from a lone revealer), while fewer than a
//     quorum are present, while the host, whose bank pays, is seated and
//     absent, or while this node holds the only seat and is not the host
//     (whatever MinPlayers says, nobody rolls alone against someone else's
//     bank). A paused table still sends presence, so that two nodes which
//     each saw the other absent find each other again after a partition.
//   - Unseated. At 4+ seats, a player absent past GraceTicks while the
//     table plays is unseated by a certified round: Ready.Unseat asks the
//     actor to submit the unseat payload (once per player and round), and
//     MayUnseat is this node's own judgement when it commits to someone
//     else's proposal, with AbsentTicks of slack for the other nodes' clocks.
//     The grace is longer than a rolling restart: SIGTERM and restarts make a
//     player absent, never unseated.
//   - Dissolved. A table paused past GraceTicks is dissolved. At 2–3
//     seats every round needs every player, so a node ends the table on
//     its own at its last certified round: Ready.Dissolve names the round;
//     the actor persists it and never signs for the table again. At 4+
//     seats a quorum can play on without any one node, so a node's own
//     clock must not end the table (its view of presence differs from the
//     others' by timing): it is Dissolving instead, voting again but only
//     for a round of dissolve payloads (Ready.SubmitDissolve, MayDissolve),
//     and the table ends when that round certifies (CertifiedEnd), on every
//     replica at the same state. The grace runs only while this node sees
//     a quorum present: a node that sees fewer may be a cut-off minority
//     while a quorum plays on (and unseats it), so it stays paused. A
//     dissolved table keeps sending presence, which says where it
//     dissolved (the actor marks it; the receiver calls HeardDissolved): a
//     certificate of a later round (its confirms were already out) is then
//     fetched and moves the dissolution to that round, and a node that was
//     away learns from f+1 seats (one at 2–3 seats) that the table ended,
//     catches up to their round and dissolves too. So both sides of a
//     partition, and a node that restarts after the end, converge on one
//     dissolution round.
//   - Catching up. When f+1 seated players (one at 2–3 seats) name a round
//     past the next one this node can play, certified rounds exist that it
//     does not hold: it stops voting, asks the players ahead, in turn, for
//     the rounds from its next one (Ready.AskRounds, at most once per
//     AskEveryTicks) and plays again once a certified round reaches them.
//     f+1 claims: a lone Byzantine player cannot keep honest nodes from
//     voting by claiming rounds that do not exist; taking turns: nor can it
//     be the only one asked. A node whose player is not among the seats it
//     knows joined mid-game by a round it has not seen: it catches up the
//     same way, asking the host when nobody has named a round yet.
//
// The seeded simulator that runs these rules with bft and game under
// crashes, pauses, partitions, leaves and Byzantine players is
// internal/game's TestLifecycleSimulator (lifesim_test.go).
package lifecycle
