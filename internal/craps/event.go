package craps

// Event is what a roll means for the table as a whole, for logs, metrics
// and the table UI ("seven out!"). Bets are settled by Apply regardless.
type Event uint8

const (
	// NoDecision: a roll that neither sets nor ends the point.
	NoDecision Event = 1
	// Natural: 7 or 11 on the come-out; Pass wins.
	Natural Event = 2
	// Craps: 2, 3 or 12 on the come-out; Pass loses.
	Craps Event = 3
	// PointSet: a point number on the come-out.
	PointSet Event = 4
	// PointMade: the point again before a 7; Pass wins, the shooter keeps the dice.
	PointMade Event = 5
	// SevenOut: a 7 while a point is on; Pass loses and the dice pass on.
	SevenOut Event = 6
)

// String renders the event as dealers call it.
func (e Event) String() string {
	switch e {
	case NoDecision:
		return "no decision"
	case Natural:
		return "natural"
	case Craps:
		return "craps"
	case PointSet:
		return "point set"
	case PointMade:
		return "point made"
	case SevenOut:
		return "seven out"
	}
	return "unknown"
}

// EventOf says what roll r means for a table in state s (before the roll).
func EventOf(s State, r Roll) Event {
	t := table{phase: s.phase, point: s.point}
	nt, sevenOut, pointMade := t.next(r)
	switch {
	case sevenOut:
		return SevenOut
	case pointMade:
		return PointMade
	case t.phase == ComeOut && nt.phase == Point:
		return PointSet
	case t.phase == ComeOut && (r.Total() == 7 || r.Total() == 11):
		return Natural
	case t.phase == ComeOut:
		return Craps
	}
	return NoDecision
}
