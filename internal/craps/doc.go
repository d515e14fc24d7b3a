// Package craps is the rule book of bitcraps: every bet, its payout and its
// exact house edge, as a pure function of the dice.
//
// It exists so that the table actor, which settles real money, and an
// independent verifier, which re-checks every certified round, run the very
// same rules and reach byte-identical states. It is a pure core: no actors,
// network, clock, disk, goroutines or global randomness (a test fails if it
// imports any). Everything is an input: the dice, the bets, the rules.
//
// # API
//
//   - Rules (DefaultRules, Validate): table settings — minimum and maximum
//     bet, odds multiple (default 3-4-5x), Field 12 payout (default 3:1),
//     whether place/buy/hardway bets and come odds work on the come-out.
//   - State: the table as a value (rules, phase and point, shooter, roll
//     counter, bank, players' chips, open wagers). NewState, Seat, AddChips,
//     CashOut, Unseat, FundBank and WithdrawBank manage seats and money.
//   - Bet and BetKind: a bet on the layout, with stable wire ids (numeric
//     kind values and string ids such as "pass", "place_6", "hop_2_5",
//     "yes_11"). ParseBet maps the API's {"type", "number"} to a Bet.
//   - PlaceBet / PlaceBets: validated placement; errors wrap
//     ErrUnknownBet, ErrNotAllowedInPhase (the message names the phase),
//     ErrBelowMinimum, ErrAboveMaximum, ErrOddsTooHigh,
//     ErrOddsWithoutLineBet, ErrBankCannotCover, ErrInsufficientChips, ...
//   - TakeDown: removes a wager; ErrContractBet for Pass/Come after their
//     point and bonus bets after their first roll. A bet is changed by
//     taking it down and placing it again, or pressed by placing another
//     wager on the same spot (the maximum applies to the spot's total).
//   - Apply(state, roll) → (state, outcomes): settles one roll. Every
//     wager open before the roll gets one Outcome (win, lose, push or
//     stays) naming the wager, player and amounts.
//   - EventOf: what a roll means for the table (natural, craps, point set,
//     point made, seven out), for logs and the UI.
//   - Liability and RoundExposure: the bank's worst case.
//   - State.Hash, MarshalBinary, UnmarshalBinary: the canonical encoding
//     replicas sign and persist.
//   - Roll, DiceFromSeed, DiceStream: fair dice from a 32-byte seed.
//   - Catalog, HouseEdges (HouseEdgesWith), ExactEdge, EstimateEdge,
//     EdgeOf: the bet list and the house edge of every bet, computed from
//     the rules.
//   - ExpectedReturn / ExpectedReturns: the exact value of an open wager
//     where it stands, what a dissolved table pays for it (value.go).
//
// # Money and rounding
//
// Amounts are int64 micro-CRAP (Micros; 1 CRAP = 1,000,000). A win is the
// exact stake × payout ratio (commission included) rounded down to a whole
// micro-unit; the fraction, always under one micro-unit, stays with the
// bank. Rounding therefore never favours the player and never creates
// money: bank + chips + stakes on the table is conserved by every
// operation except the explicit buy-ins, cash-outs and bank funding.
//
// Every wager closes when it wins (a Place bet is paid and returned with
// its stake; the player places it again to keep it working). So a wager
// pays at most once, and PlaceBets refuses any bet that would leave the
// bank unable to pay the largest possible win of every open wager at once
// (Liability): the bank can never go negative, in this round or any later
// one.
//
// # Bets
//
// Line: Pass and Don't Pass (bar 12) on the come-out; Come and Don't Come
// (bar 12) while a point is on, each travelling to its own point. Odds
// (true odds) behind each, up to the table's multiple; lay odds are capped
// so their win is within the same multiple. Odds on Come bets are off on
// the come-out (returned if the Come bet resolves then) unless the table
// works them. Pass/Come are contracts once their point is set; Don't bets
// may be taken down once their odds are down.
//
// Numbers: Place 4/10 9:5, 5/9 7:5, 6/8 7:6 (off on the come-out);
// Place-to-Lose 4/10 5:11, 5/9 5:8, 6/8 4:5; Big 6 / Big 8 1:1; Buy true
// odds less 5% of the bet, charged only on a win (off on the come-out);
// Lay true odds less 5% of the win, charged only on a win. Field 1:1, 2
// pays 2:1, 12 pays 2:1 or 3:1 by rule. Hardways 4/10 7:1, 6/8 9:1 (off on
// the come-out); they lose on 7 or the easy way.
//
// One roll: Any 7 4:1, Any Craps 7:1, Aces 30:1, Ace-Deuce 15:1, Yo 15:1,
// Boxcars 30:1, Horn (a quarter on each of 2, 3, 11, 12), C&E (half on any
// craps, half on 11), every Hop (15:1, or 30:1 on a pair), Next-N.
//
// BitCraps: Yes-N (N before 7) and No-N (7 before N) and Next-N (one roll)
// pay true odds less 2% of the win. Repeater, Fire, Bonus Small / Tall /
// All, Hot Roller, Twice Hard, Ride the Line, Muggsy, Replay and Different
// Doubles are defined, with their pay tables, in bonus.go; each keeps its
// progress in the wager from the roll it was placed.
//
// # House edges
//
// The house edge is the expected loss divided by the initial wager over
// the bet's life until it resolves, a push counting as resolved — the
// convention of the published casino tables (Pass 1.414%, Don't Pass
// 1.364%, Place 6 1.515%, ...). ExactEdge derives it in math/big.Rat from
// the same step function Apply uses, over the dice and the point Markov
// chain; bets whose chain is too large (Hot Roller) are estimated by a
// seeded Monte Carlo simulation with a 99% interval and labelled
// Estimated.
//
// # The value of an open wager
//
// When a table is dissolved (DESIGN.md "Table lifecycle") its open wagers
// cannot play out, so each is settled at its value: the expected amount it
// would return to its player's chips (stake plus win, with each win
// rounded down as Apply rounds it) if played out from the table's phase
// and point and the wager's own number and progress, computed exactly in
// math/big.Rat over the same Markov chain and step function as the house
// edges, then rounded down to a micro-unit. Settling at the mean gives
// nobody a reason to cause a dissolution: a refund would let a player walk
// away from a losing contract (a Pass bet on 4 is worth 2/3 of its
// stake), a forfeit would let a bank walk away from a winning one (a
// Don't Pass on 4 is worth 4/3). The rounding, under a micro-unit per
// wager, goes to the bank, so no money is created, and the bank, holding
// at least Liability, can always pay its share. Hot Roller, whose full
// chain is too large for the edge solver, is exact here too: its fate
// depends only on the rolls made while a point is on, which are
// independent and uniform, so its chain reduces to its 14 progress bits.
//
// # Dice
//
// DiceFromSeed turns a 32-byte seed (the hash of the players' reveals) into
// two dice by rejection sampling over a SHA-256 stream, with no modulo
// bias; see DiceStream for the exact algorithm.
package craps
