package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/messages"
)

// defaultRollWait bounds how long `table roll` waits for its round: a
// round takes a few hundred milliseconds on a LAN; thirty seconds covers a
// slow player's reveal and the view change that replaces a silent one.
const defaultRollWait = 30 * time.Second

func tableRollCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roll TABLE",
		Short: "Close betting, roll the dice and print the result (the shooter only)",
		Long: `Ask the table to close betting and roll now. Only the shooter may; the
others' bets are taken until then. The dice come from every seated player's
secret, so no one picks them. The command waits (up to --wait) for the round
to be certified and prints the dice, the point or the outcome, and your wins
and losses; --no-wait returns as soon as the roll is asked for (as does --json,
which prints the node's answer to the request).`,
		Example: `  bitcraps table roll 3f2a9c0d1e2b4a5f
  bitcraps table roll 3f2a9c0d1e2b4a5f --wait 1m
  bitcraps table roll 3f2a9c0d1e2b4a5f --no-wait`,
		Args: cobra.ExactArgs(1),
		RunE: runTableRoll,
	}
	cmd.Flags().Bool("no-wait", false, "return once the roll is asked for, without waiting for the dice")
	cmd.Flags().Duration("wait", defaultRollWait, "how long to wait for the round to be certified")
	addNodeFlag(cmd)
	return cmd
}

func runTableRoll(cmd *cobra.Command, args []string) error {
	table := args[0]
	noWait, _ := cmd.Flags().GetBool("no-wait")
	asJSON, _ := cmd.Flags().GetBool("json")
	if noWait || asJSON {
		return runTableAction(cmd, table, "roll", "roll requested at table %s: the dice follow the players' reveals\n")
	}
	wait, _ := cmd.Flags().GetDuration("wait")
	if wait <= 0 {
		return fmt.Errorf("--wait %s: want a positive duration such as 30s", wait)
	}
	c, err := newAPIClient(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), wait)
	defer cancel()
	var before messages.TableView
	if _, err := c.do(ctx, "GET", tablePath(table, ""), nil, &before); err != nil {
		return fmt.Errorf("table roll: %w", err)
	}
	var me healthAnswer
	if _, err := c.do(ctx, "GET", "/health", nil, &me); err != nil {
		return fmt.Errorf("table roll: %w", err)
	}
	// Subscribe first, so the round's events cannot pass before we listen.
	events, err := c.events(ctx, table)
	if err != nil {
		return fmt.Errorf("table roll: %w", err)
	}
	defer events.Close()
	if _, err := c.do(ctx, "POST", tablePath(table, "roll"), nil, nil); err != nil {
		return fmt.Errorf("table roll: %w", err)
	}
	res, err := awaitRound(events, before.Round)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("table roll: asked for the roll, but no round of table %s was certified within %s (see `bitcraps table show %s`)",
				table, wait, table)
		}
		return fmt.Errorf("table roll: %w", err)
	}
	writeRollResult(cmd.OutOrStdout(), table, before, res, me.PeerID)
	return nil
}

// rollEvent is the "roll" event's payload.
type rollEvent struct {
	Round uint64 `json:"round"`
	Dice  [2]int `json:"dice"`
	Phase string `json:"phase"`
	Point int    `json:"point"`
}

// settlementEvent is the "settlement" event's payload (the part shown).
type settlementEvent struct {
	Round    uint64 `json:"round"`
	Void     bool   `json:"void"`
	Outcomes []struct {
		Player string `json:"player"`
		Bet    string `json:"bet"`
		Result string `json:"result"`
		Stake  int64  `json:"stake"`
		Amount int64  `json:"amount"`
	} `json:"outcomes"`
}

// roundResult is one certified round as `table roll` shows it.
type roundResult struct {
	roll       *rollEvent // nil in a void round
	settlement settlementEvent
}

// awaitRound reads events until the first round after `after` is settled.
func awaitRound(events *eventStream, after uint64) (roundResult, error) {
	var res roundResult
	for {
		kind, data, err := events.next()
		if err != nil {
			return res, err
		}
		switch kind {
		case messages.EventRoll:
			var r rollEvent
			if json.Unmarshal(data, &r) == nil && r.Round > after {
				res.roll = &r
			}
		case messages.EventSettlement:
			if json.Unmarshal(data, &res.settlement) == nil && res.settlement.Round > after {
				if res.roll != nil && res.roll.Round != res.settlement.Round {
					res.roll = nil
				}
				return res, nil
			}
		}
	}
}

// writeRollResult prints the dice, what they did to the line, and the
// player's results.
func writeRollResult(w io.Writer, table string, before messages.TableView, res roundResult, me string) {
	s := res.settlement
	if s.Void || res.roll == nil {
		fmt.Fprintf(w, "round %d at table %s is void (a player did not reveal its secret): no dice; bets are returned\n", s.Round, table)
	} else {
		r := res.roll
		fmt.Fprintf(w, "round %d at table %s: %d + %d = %d, %s\n", s.Round, table, r.Dice[0], r.Dice[1],
			r.Dice[0]+r.Dice[1], lineOutcome(before, *r, s.Round == before.Round+1))
	}
	var net int64
	mine := 0
	for _, o := range s.Outcomes {
		if o.Player != me {
			continue
		}
		switch o.Result {
		case "win":
			fmt.Fprintf(w, "  %s (%s CRAP) wins %s CRAP\n", o.Bet, config.FormatCRAP(o.Stake), config.FormatCRAP(o.Amount))
		case "lose":
			fmt.Fprintf(w, "  %s (%s CRAP) loses\n", o.Bet, config.FormatCRAP(o.Stake))
		case "push":
			fmt.Fprintf(w, "  %s (%s CRAP) pushes: the stake comes back\n", o.Bet, config.FormatCRAP(o.Stake))
		default:
			continue // placed, stays up, ...: nothing won or lost
		}
		mine++
		net += o.Amount
	}
	switch {
	case mine == 0:
		fmt.Fprintln(w, "  none of your bets was decided by this roll")
	case net >= 0:
		fmt.Fprintf(w, "  you are up %s CRAP this roll\n", config.FormatCRAP(net))
	default:
		fmt.Fprintf(w, "  you are down %s CRAP this roll\n", config.FormatCRAP(-net))
	}
}

// lineOutcome says what the roll did to the pass line, from the phase
// before it (known when the round is the one right after `before`).
func lineOutcome(before messages.TableView, r rollEvent, knowPrev bool) string {
	sum := r.Dice[0] + r.Dice[1]
	if knowPrev && before.Phase == "point" {
		switch {
		case sum == before.Point:
			return fmt.Sprintf("the point %d is made: pass wins", sum)
		case sum == 7:
			return "seven out: don't pass wins, the dice pass on"
		default:
			return fmt.Sprintf("the point is still %d", before.Point)
		}
	}
	switch {
	case r.Phase == "point" && (!knowPrev || before.Phase != "point"):
		return fmt.Sprintf("the point is %d", r.Point)
	case sum == 7 || sum == 11:
		return "a natural: pass wins"
	case sum == 2 || sum == 3 || sum == 12:
		return "craps: pass loses"
	}
	return "come-out again"
}

// eventStream reads a table's server-sent events.
type eventStream struct {
	body io.ReadCloser
	rd   *bufio.Reader
}

// events opens GET /api/v1/tables/{id}/events; ctx bounds the whole stream.
func (c *apiClient) events(ctx context.Context, table string) (*eventStream, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+tablePath(table, "events"), nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	// The stream outlives clientTimeout: ctx bounds it instead.
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach node at %s (is `bitcraps node` running? --node / BITCRAPS_NODE): %w", c.base, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		var wrap struct{ Error *apiError }
		if json.Unmarshal(raw, &wrap) == nil && wrap.Error != nil {
			wrap.Error.Status = resp.StatusCode
			return nil, wrap.Error
		}
		return nil, &apiError{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(raw))}
	}
	return &eventStream{body: resp.Body, rd: bufio.NewReader(resp.Body)}, nil
}

// errStreamEnded: the node ended the stream (it stops, or the games
// service restarted).
var errStreamEnded = errors.New("the node ended the event stream")

// next returns the next event's type and data.
func (s *eventStream) next() (string, []byte, error) {
	var kind string
	var data []byte
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", nil, errStreamEnded
			}
			return "", nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if kind != "" || data != nil {
				return kind, data, nil
			}
		case strings.HasPrefix(line, "event: "):
			kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = []byte(strings.TrimPrefix(line, "data: "))
		}
	}
}

// Close ends the stream.
func (s *eventStream) Close() { s.body.Close() }
