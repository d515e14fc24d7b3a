package table

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// settings are a table's settings as its host chose them.
type settings struct {
	MinPlayers   int           `json:"min_players"`
	MaxPlayers   int           `json:"max_players"`
	Bankroll     int64         `json:"bankroll"`
	MinBet       int64         `json:"min_bet"`
	MaxBet       int64         `json:"max_bet"`
	OddsMultiple string        `json:"odds_multiple"`
	Field12Pays  int           `json:"field_12_pays"`
	BetWindow    time.Duration `json:"bet_window"`
	Rules        craps.Rules   `json:"rules"`
}

// settingsOf validates a create request; each error names the setting.
func settingsOf(m *messages.CreateTable, defaultWindow time.Duration) (settings, error) {
	s := settings{MinPlayers: m.MinPlayers, MaxPlayers: m.MaxPlayers, Bankroll: m.Bankroll,
		MinBet: m.MinBet, MaxBet: m.MaxBet, OddsMultiple: m.OddsMultiple, Field12Pays: m.Field12Pays, BetWindow: m.BetWindow}
	rules := craps.DefaultRules()
	if s.OddsMultiple == "" {
		s.OddsMultiple = "3-4-5"
	}
	odds, err := parseOdds(s.OddsMultiple)
	if err != nil {
		return s, err
	}
	if s.Field12Pays == 0 {
		s.Field12Pays = int(rules.FieldTwelvePays)
	}
	if s.BetWindow == 0 {
		s.BetWindow = defaultWindow
	}
	switch {
	case s.MinPlayers < 1:
		return s, fmt.Errorf("min_players %d: want at least 1", s.MinPlayers)
	case s.MaxPlayers < s.MinPlayers:
		return s, fmt.Errorf("max_players %d: want at least min_players (%d)", s.MaxPlayers, s.MinPlayers)
	case s.Bankroll < 1:
		return s, fmt.Errorf("bankroll %d: want a positive amount of micro-CRAP", s.Bankroll)
	case s.Field12Pays != 2 && s.Field12Pays != 3:
		return s, fmt.Errorf("field_12_pays %d: want 2 or 3", s.Field12Pays)
	case s.BetWindow < 0:
		return s, fmt.Errorf("bet_window %s: want a positive duration", s.BetWindow)
	case m.BuyIn < 0:
		return s, fmt.Errorf("buy_in %d: want 0 (host does not play) or a positive amount", m.BuyIn)
	}
	// Bounded amounts make every sum of them (the host's bankroll + buy_in
	// checked against its wallet) safe from wrapping around.
	for _, a := range []struct {
		field  string
		amount int64
	}{{"bankroll", s.Bankroll}, {"buy_in", m.BuyIn}, {"min_bet", s.MinBet}, {"max_bet", s.MaxBet}} {
		if a.amount > ledger.MaxAmount {
			return s, fmt.Errorf("%s %d micro-CRAP: above the ledger's maximum amount of %d CRAP",
				a.field, a.amount, ledger.MaxAmount/1_000_000)
		}
	}
	rules.MinBet, rules.MaxBet, rules.MaxOdds = s.MinBet, s.MaxBet, odds
	rules.FieldTwelvePays, rules.MaxPlayers = uint8(s.Field12Pays), s.MaxPlayers
	if err := rules.Validate(); err != nil {
		return s, fmt.Errorf("min_bet/max_bet/max_players: %w", err)
	}
	s.Rules = rules
	return s, nil
}

// parseOdds reads "3-4-5" (per point pair 4/10, 5/9, 6/8) or a flat "2".
func parseOdds(v string) (craps.OddsMultiple, error) {
	parts := strings.Split(strings.TrimSuffix(v, "x"), "-")
	if len(parts) == 1 {
		parts = []string{parts[0], parts[0], parts[0]}
	}
	if len(parts) != 3 {
		return craps.OddsMultiple{}, fmt.Errorf("odds_multiple %q: want \"3-4-5\" or one number such as \"2\"", v)
	}
	var n [3]uint8
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 1 || x > 100 {
			return craps.OddsMultiple{}, fmt.Errorf("odds_multiple %q: %q is not a multiple in 1..100", v, p)
		}
		n[i] = uint8(x)
	}
	return craps.OddsMultiple{FourTen: n[0], FiveNine: n[1], SixEight: n[2]}, nil
}

// tableID names a table after its host and the sequence number of the
// host's FundBank op that creates it: the same pair never repeats (the
// ledger allows one op per owner and sequence), and the ID is known before
// the op is signed, which must name it.
func tableID(host identity.PeerID, seq uint64) string {
	h := sha256.New()
	h.Write([]byte("bitcraps/table-id/v1\x00"))
	h.Write([]byte(host))
	h.Write(binary.BigEndian.AppendUint64(nil, seq))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// betWindowTicks converts a bet window to consensus ticks (at least one).
func betWindowTicks(window, tick time.Duration) int {
	return max(1, int(window/tick))
}
