package game

import (
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Judge is a node's own view of the table's lifecycle (lifecycle.Table),
// which a proposal must pass too before the node commits to it: the rules
// say what may be played, the judge whether this node agrees that it may
// be played now.
type Judge interface {
	// MayPlay: the table plays here (not paused, dissolving, catching up).
	MayPlay() bool
	// MayUnseat: k has been absent for the grace here too.
	MayUnseat(k bft.PublicKey) bool
	// MayDissolve: the table has been paused for the grace here too, with
	// a quorum present.
	MayDissolve() bool
}

// Errors of a judgement (not of the rules: another node may judge
// otherwise, a moment later).
var (
	// ErrNotAbsent: a proposal unseats a player this node still hears from.
	ErrNotAbsent = errors.New("game: the player to unseat is not absent here")
	// ErrNotDissolving: a proposal dissolves a table this node does not
	// find paused past the grace with a quorum present.
	ErrNotDissolving = errors.New("game: the table is not dissolving here")
	// ErrNotPlaying: a proposal plays a round at a table this node finds
	// paused, dissolving or behind.
	ErrNotPlaying = errors.New("game: the table does not play here")
)

// Judged is the game as a node commits to it: the rules (App), plus its
// Judge. Settling and replaying use the plain App: what was certified
// stands, whoever judged it.
type Judged struct {
	*App
	Judge Judge
}

var _ bft.Application = Judged{}

// ValidateBets implements bft.Application: a body that dissolves only if
// the table is dissolving here, any other body only if it plays here, an
// unseating only of a player absent here past the grace; then the rules.
func (a Judged) ValidateBets(prev bft.Hash, bets []bft.Bet) error {
	dissolving := false
	for i := range bets {
		p, err := DecodePayload(bets[i].Payload)
		if err != nil {
			continue // the rules refuse it, naming it
		}
		switch p.Kind {
		case KindUnseat:
			if !a.Judge.MayUnseat(p.Target) {
				return fmt.Errorf("bet %d unseats %s: %w", i, p.Target.Short(), ErrNotAbsent)
			}
		case KindDissolve:
			dissolving = true
		}
	}
	switch {
	case dissolving && !a.Judge.MayDissolve():
		return fmt.Errorf("a round that dissolves table %s: %w", a.table, ErrNotDissolving)
	case !dissolving && !a.Judge.MayPlay():
		return fmt.Errorf("a round of table %s: %w", a.table, ErrNotPlaying)
	}
	return a.App.ValidateBets(prev, bets)
}
