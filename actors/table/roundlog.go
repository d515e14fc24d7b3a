package table

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/internal/tracing"
	"github.com/bitcraps/bitcraps/messages"
)

// logRound writes the one INFO line of a settled round and one per seat
// change it made (the logger carries the table), and records the
// settlement's span in the round's trace, whose id the line names.
func logRound(log *slog.Logger, node string, cr *messages.CertifiedRound) {
	s := &cr.Settlement
	now := time.Now()
	if !cr.CertifiedAt.IsZero() {
		tracing.RecordPhase(node, cr.TableID, s.Round, tracing.Phase{Name: metric.PhaseCertifiedToSettled, Start: cr.CertifiedAt, End: now})
	}
	log.Info("round settled", "round", s.Round, "dice", fmt.Sprintf("%d-%d", s.Dice[0], s.Dice[1]), "void", s.Void,
		"players", len(s.Outcomes), "latency", cr.Latency, "settle", sinceOrZero(cr.CertifiedAt),
		"trace_id", tracing.RoundTrace(cr.TableID, s.Round).String())
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
