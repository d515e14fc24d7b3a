package lifecycle

import (
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// ErrConfig is wrapped by every invalid-configuration error.
var ErrConfig = errors.New("lifecycle: bad config")

// Config is one node's view of one table's lifecycle. Durations count ticks
// of the consensus actor (10 ms by default, see bft's doc).
type Config struct {
	// Self is the local player.
	Self bft.PublicKey
	// Host owns the table's bank. While it is seated and absent the table
	// pauses: its bank pays, so no round may certify behind its back. Zero
	// when unknown (the rule is then off).
	Host bft.PublicKey
	// MinPlayers: the table pauses while fewer are present.
	MinPlayers int
	// AbsentTicks: a seat not heard from this long is absent.
	AbsentTicks uint64
	// GraceTicks: how long a seat may be absent before it is unseated (4+
	// seats), and how long a table may stay paused before it is dissolved.
	GraceTicks uint64
	// HeartbeatTicks: the longest this node stays silent at a table; it
	// sends presence when it has sent nothing else for this long.
	HeartbeatTicks uint64
	// AskEveryTicks bounds how often a catching-up node asks for rounds.
	AskEveryTicks uint64
}

// Defaults, with a 10 ms tick.
const (
	// 300 ticks = 3 s: a live node sends something at least every
	// heartbeat (1 s), so three missed ones mean it is not there; short
	// enough that the others stop waiting for its bets quickly, and
	// harmless when wrong, since absence changes nothing but waiting.
	DefaultAbsentTicks = 300
	// 100 ticks = 1 s: a third of AbsentTicks, so one lost heartbeat never
	// makes a player absent; one small frame per seat and second.
	DefaultHeartbeatTicks = 100
	// 50 ticks = 0.5 s: a catching-up node gets a batch of rounds per
	// answer, so two asks a second replay hundreds of rounds a minute while
	// costing a serving node little.
	DefaultAskEveryTicks = 50
	// 12,000 ticks = 2 min: the server profile's --seat-grace, longer than
	// a pod's rolling restart. The actor passes the configured grace.
	DefaultGraceTicks = 12000
)

func (c Config) withDefaults() (Config, error) {
	if c.AbsentTicks == 0 {
		c.AbsentTicks = DefaultAbsentTicks
	}
	if c.HeartbeatTicks == 0 {
		c.HeartbeatTicks = DefaultHeartbeatTicks
	}
	if c.AskEveryTicks == 0 {
		c.AskEveryTicks = DefaultAskEveryTicks
	}
	if c.GraceTicks == 0 {
		c.GraceTicks = DefaultGraceTicks
	}
	switch {
	case c.Self == (bft.PublicKey{}):
		return c, fmt.Errorf("the Self key is zero: %w", ErrConfig)
	case c.MinPlayers < 1:
		return c, fmt.Errorf("MinPlayers %d: want ≥ 1: %w", c.MinPlayers, ErrConfig)
	case c.GraceTicks <= c.AbsentTicks:
		return c, fmt.Errorf("GraceTicks %d must exceed AbsentTicks %d: %w", c.GraceTicks, c.AbsentTicks, ErrConfig)
	case c.HeartbeatTicks >= c.AbsentTicks:
		return c, fmt.Errorf("HeartbeatTicks %d must be below AbsentTicks %d: %w", c.HeartbeatTicks, c.AbsentTicks, ErrConfig)
	}
	return c, nil
}
