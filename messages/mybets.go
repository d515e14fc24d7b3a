package messages

// The player's own bets that are not on the layout, and what a round's
// certificate holds, as the API shows them (issue 11): a bet is placed in
// the round being played and reaches the layout only when that round is
// certified, so until then only this node knows it; one that a later round
// refuses must reach its player with the reason.

// WaitingBet is one of this node's player's bets (or take-downs) held for
// the round being played: it waits for the roll.
type WaitingBet struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Number   int    `json:"number,omitempty"`
	Amount   int64  `json:"amount"`
	TakeDown bool   `json:"take_down,omitempty"`
	Round    uint64 `json:"round"` // the round it was signed for
}

// RefusedBet is a waiting bet that missed its round (it reached the
// shooter after the roll) and that the next round refused, with the reason.
type RefusedBet struct {
	WaitingBet
	Reason string `json:"reason"`
}

// RoundBet is one payload of a certified round, decoded: who (Player, a
// peer ID) did what (Kind: "bet", "takedown", "leave", "join", "unseat"),
// on which bet, for how much (a join's Amount is the joiner's buy-in).
type RoundBet struct {
	Player string `json:"player"`
	Kind   string `json:"kind"`
	Type   string `json:"type,omitempty"`
	Number int    `json:"number,omitempty"`
	Amount int64  `json:"amount,omitempty"`
	Target string `json:"target,omitempty"` // the joiner or the unseated player
}
