package table

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// Watching (DESIGN.md "Table lifecycle"): what this node shows of a table
// its player does not sit at. A table in play is shown from the follower's
// chain (follower.go) — the certified state this node checked itself, never
// a player's word for it — with how current that is; a table still waiting
// for players is shown from its host's announced record. The same holds
// after this node's player left a table, and at a table whose host does
// not play.
//
// Subscribers of a table with no local actor are kept here. A local actor
// (a player that left, a host that does not play) keeps its own, and the
// follower's events are relayed to them through it, so every subscriber is
// in one place.

// maxWatchers bounds one table's subscribers here: the API serves at most
// 256 event streams in all.
const maxWatchers = 256

// watching is the follower of a table this node shows from it: one its
// player does not sit at (nil otherwise). The local actor shows a table
// this node dissolved, and one its player left until the follower has
// caught up with the rounds it played (nobody may be left to ask).
func (m *Manager) watching(id string) *follower {
	local, ok := m.views[id]
	f := m.followers[id]
	if f == nil || m.active(id) || ok && (dissolvedHere(local) || local.Round > f.certified()) {
		return nil
	}
	return f
}

// watchView is a followed table as this node shows it.
func (m *Manager) watchView(id string, f *follower) messages.TableView {
	rec := m.newestRecord(id, f)
	gv, err := f.chain.View()
	if err != nil {
		v := viewOf(rec, nil, nil, m.me)
		v.Problem = "the checked state of the table is unreadable: " + err.Error()
		return v
	}
	v := viewOf(rec, &gv, nil, m.me)
	v.Seated, v.Role = false, messages.RoleWatching
	v.Sync, v.Behind = f.sync(time.Now())
	if f.dissolved {
		v.Lifecycle = lifecycle.Dissolved.String() // paid out here at f.dissolvedAt
	}
	if local, ok := m.views[id]; ok {
		// A local actor (a host that does not play, a player that left)
		// knows what went wrong with its own part, and whether its player
		// may sit down again.
		v.Problem, v.Evidence, v.Joinable = local.Problem, local.Evidence, v.Joinable && local.Joinable
	}
	return v
}

// newestRecord is the newest of the records this node holds for a table:
// the follower's, the announced one, and its own as host.
func (m *Manager) newestRecord(id string, f *follower) *record {
	rec := f.rec
	for _, r := range []*record{m.directory[id], m.hosted[id]} {
		if r != nil && r.Version > rec.Version {
			rec = r
		}
	}
	return rec
}

// viewFor is a table as this node shows it: from its follower while this
// node's player does not sit at it, else from its local actor, else from
// the host's announcement.
func (m *Manager) viewFor(id string) (messages.TableView, bool) {
	if f := m.watching(id); f != nil {
		return m.watchView(id, f), true
	}
	if v, ok := m.views[id]; ok {
		return v, true
	}
	if rec := m.directory[id]; rec != nil {
		return viewOf(rec, nil, nil, m.me), true
	}
	return messages.TableView{}, false
}

// tableChanged sends the table to its watchers.
func (m *Manager) tableChanged(ctx actor.Context, id string) {
	if m.tables[id] == nil && len(m.watchers[id]) == 0 {
		return // nobody to tell
	}
	if v, ok := m.viewFor(id); ok {
		m.emitWatched(ctx, id, messages.EventTable, v)
	}
}

// emitWatched sends one event of a table this node watches to its
// subscribers: through the local actor when there is one.
func (m *Manager) emitWatched(ctx actor.Context, id, kind string, data any) {
	pid, f := m.tables[id], m.followers[id]
	if pid == nil && len(m.watchers[id]) == 0 && (f == nil || kind == messages.EventTable) {
		return
	}
	ev, err := tableEvent(id, kind, data)
	if err != nil {
		m.log.Error("event unmarshalable", "kind", kind, "err", err)
		return
	}
	if pid != nil {
		ctx.Send(pid, ev)
		return
	}
	if f != nil {
		f.history.add(ev)
	}
	for _, s := range m.watchers[id] {
		ctx.Send(s, ev)
	}
}

// watchRounds answers GET .../rounds of a followed table with the rounds
// its chain checked; false when the table is not followed here.
func (m *Manager) watchRounds(ctx actor.Context, id string) bool {
	f := m.watching(id)
	if f == nil {
		return false
	}
	m.count("rounds", nil)
	ctx.Respond(&messages.RoundList{Items: append([]messages.RoundView{}, f.rounds...)})
	return true
}

// watchSubscribe registers a subscriber of a table known here only from
// its announcement; false when a local actor takes it (or the table is
// unknown).
func (m *Manager) watchSubscribe(ctx actor.Context, r *messages.SubscribeTable) bool {
	if m.tables[r.TableID] != nil || m.directory[r.TableID] == nil {
		return false
	}
	subs := m.watchers[r.TableID]
	if subs == nil {
		subs = map[string]*actor.PID{}
		if m.watchers == nil {
			m.watchers = map[string]map[string]*actor.PID{}
		}
		m.watchers[r.TableID] = subs
	}
	var err error
	switch {
	case r.Subscriber == nil:
	case len(subs) >= maxWatchers:
		err = messages.Errorf(messages.CodeRateLimited, "table %s already has %d subscribers on this node, the most it serves", r.TableID, maxWatchers)
	default:
		subs[r.Subscriber.String()] = r.Subscriber
		ctx.Watch(r.Subscriber)
	}
	m.count("subscribe", err)
	ctx.Respond(&messages.Ack{Err: err})
	if f := m.followers[r.TableID]; err == nil && r.Subscriber != nil && f != nil {
		f.history.replay(ctx, r.Subscriber)
	}
	return true
}

// unwatch drops a subscriber, when it unsubscribes or stops.
func (m *Manager) unwatch(ctx actor.Context, id string, pid *actor.PID) {
	for table, subs := range m.watchers {
		if id != "" && table != id {
			continue
		}
		if _, ok := subs[pid.String()]; ok {
			delete(subs, pid.String())
			ctx.Unwatch(pid)
		}
		if len(subs) == 0 {
			delete(m.watchers, table)
		}
	}
}

// handOver gives a table's subscribers to the local actor just spawned for
// it (this node's player joins the table it watched).
func (m *Manager) handOver(ctx actor.Context, id string, pid *actor.PID) {
	subs := m.watchers[id]
	delete(m.watchers, id)
	for _, s := range subs {
		ctx.Unwatch(s)
		ctx.Request(pid, &messages.SubscribeTable{TableID: id, Subscriber: s})
	}
}
