package table

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// logRound writes the one INFO line of a settled round and one per seat
// change it made (the logger carries the table).
func logRound(log *slog.Logger, cr *messages.CertifiedRound) {
	s := &cr.Settlement
	log.Info("round settled", "round", s.Round, "dice", fmt.Sprintf("%d-%d", s.Dice[0], s.Dice[1]), "void", s.Void,
		"players", len(s.Outcomes), "latency", cr.Latency, "settle", sinceOrZero(cr.CertifiedAt))
	for _, j := range s.Joiners {
		log.Info("player seated", "round", s.Round, "peer", j.Player.String(), "chips", j.Chips)
	}
	for _, l := range s.Leavers {
		log.Info("player left", "round", s.Round, "peer", l.Player, "reason", l.Reason, "chips", l.Chips)
	}
}

// sinceOrZero is the time since at, or zero for a zero at.
func sinceOrZero(at time.Time) time.Duration {
	if at.IsZero() {
		return 0
	}
	return time.Since(at)
}
