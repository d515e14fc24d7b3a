package table

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// The table's recent events, replayed to each new subscriber, so the web
// page's live feed shows what just happened when it opens rather than only
// what happens next (issue 11, item 9). Only events that tell a story are
// kept: "table" and "settled" carry state the subscriber reads anyway.
//
// historyEvents: about five rounds of a small table (a roll, a settlement,
// a phase, a few bets), and well under the API stream's buffer of 64, so a
// replay is never dropped by a new stream.
const historyEvents = 40

type eventLog struct {
	events []*messages.TableEvent
}

// add keeps ev if it is part of the table's story.
func (l *eventLog) add(ev *messages.TableEvent) {
	if ev.History || ev.Type == messages.EventTable || ev.Type == messages.EventSettled {
		return
	}
	l.events = appendBounded(l.events, ev, historyEvents)
}

// replay sends the kept events to sub, oldest first, each marked History.
func (l *eventLog) replay(ctx actor.Context, sub *actor.PID) {
	for _, ev := range l.events {
		h := *ev
		h.History = true
		ctx.Send(sub, &h)
	}
}
