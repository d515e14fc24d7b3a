package ble

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are per-fragment probabilities the in-memory radio applies.
type Faults struct {
	// Loss drops the fragment.
	Loss float64
	// Duplicate delivers it twice.
	Duplicate float64
	// Reorder holds it back until the next fragment on the link has gone
	// (or a few milliseconds pass).
	Reorder float64
}

// AirStats counts what the in-memory radio did to fragments.
type AirStats struct {
	Sent, Lost, Duplicated, Reordered int
}

// MemoryAir is an in-memory radio medium for tests and demos: radios on
// the same air see each other's advertisements and connect with links whose
// faults come from one seeded random stream. It is the only stand-in for
// hardware in this repository (there is no radio on CI machines).
type MemoryAir struct {
	mu     sync.Mutex
	rng    *rand.Rand
	faults Faults
	stats  AirStats
	radios map[string]*MemoryRadio
	apart  map[[2]string]bool // pairs out of each other's range
}

// ErrNotAdvertising means a dial found nobody advertising at the address.
var ErrNotAdvertising = errors.New("ble: no bitcraps advertiser at that address")

// memoryScanEvery is how often an in-memory scan reports what it sees; a
// real controller reports advertisements every 20 ms-1 s.
const memoryScanEvery = 20 * time.Millisecond

// reorderFlush releases a held-back fragment when no next one comes.
const reorderFlush = 5 * time.Millisecond

// memoryQueue is each link direction's buffer: a controller queues a few
// hundred ATT packets before the writer blocks.
const memoryQueue = 256

// NewMemoryAir returns an empty medium whose faults draw from seed.
func NewMemoryAir(seed uint64) *MemoryAir {
	return &MemoryAir{rng: rand.New(rand.NewPCG(seed, seed^0x5bd1e995)), radios: map[string]*MemoryRadio{}, apart: map[[2]string]bool{}}
}

// Separate puts radios a and b out of each other's range: neither sees the
// other's advertisements or can dial it (links already up stay up). Tests
// build multi-hop topologies with it.
func (a *MemoryAir) Separate(x, y string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.apart[[2]string{x, y}], a.apart[[2]string{y, x}] = true, true
}

func (a *MemoryAir) inRange(x, y string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.apart[[2]string{x, y}]
}

// SetFaults changes the faults of every link from now on.
func (a *MemoryAir) SetFaults(f Faults) {
	a.mu.Lock()
	a.faults = f
	a.mu.Unlock()
}

// Stats returns the counts so far.
func (a *MemoryAir) Stats() AirStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// NewRadio puts a radio with the given address and ATT MTU on the air.
func (a *MemoryAir) NewRadio(addr string, mtu int) *MemoryRadio {
	r := &MemoryRadio{air: a, addr: addr, mtu: mtu}
	a.mu.Lock()
	a.radios[addr] = r
	a.mu.Unlock()
	return r
}

type fate struct{ lose, dup, reorder bool }

func (a *MemoryAir) decide() fate {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Sent++
	f := fate{
		lose:    a.rng.Float64() < a.faults.Loss,
		dup:     a.rng.Float64() < a.faults.Duplicate,
		reorder: a.rng.Float64() < a.faults.Reorder,
	}
	switch {
	case f.lose:
		a.stats.Lost++
		f.dup, f.reorder = false, false
	case f.dup:
		a.stats.Duplicated++
	}
	if f.reorder {
		a.stats.Reordered++
	}
	return f
}

func (a *MemoryAir) advertiser(from, addr string) (*MemoryRadio, string, func(Link)) {
	if !a.inRange(from, addr) {
		return nil, "", nil
	}
	a.mu.Lock()
	r := a.radios[addr]
	a.mu.Unlock()
	if r == nil {
		return nil, "", nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.accept == nil || r.closed {
		return nil, "", nil
	}
	return r, r.name, r.accept
}

func (a *MemoryAir) adverts(except string) []Advert {
	a.mu.Lock()
	radios := make([]*MemoryRadio, 0, len(a.radios))
	for _, r := range a.radios {
		if !a.apart[[2]string{except, r.addr}] {
			radios = append(radios, r)
		}
	}
	a.mu.Unlock()
	var out []Advert
	for _, r := range radios {
		r.mu.Lock()
		if r.addr != except && r.accept != nil && !r.closed {
			out = append(out, Advert{Addr: r.addr, Name: r.name})
		}
		r.mu.Unlock()
	}
	return out
}

// MemoryRadio is one radio on a MemoryAir. It implements Radio.
type MemoryRadio struct {
	air    *MemoryAir
	addr   string
	mtu    int
	mu     sync.Mutex
	name   string
	accept func(Link)
	closed bool
	links  []*memLink
}

// Address implements Radio.
func (r *MemoryRadio) Address() string { return r.addr }

// Advertise implements Radio.
func (r *MemoryRadio) Advertise(ctx context.Context, name string, accept func(Link)) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrLinkClosed
	}
	r.name, r.accept = name, accept
	r.mu.Unlock()
	<-ctx.Done()
	r.mu.Lock()
	r.accept = nil
	r.mu.Unlock()
	return nil
}

// Scan implements Radio.
func (r *MemoryRadio) Scan(ctx context.Context, found func(Advert)) error {
	t := time.NewTicker(memoryScanEvery)
	defer t.Stop()
	for {
		for _, ad := range r.air.adverts(r.addr) {
			found(ad)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Dial implements Radio.
func (r *MemoryRadio) Dial(ctx context.Context, addr string) (Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	target, _, accept := r.air.advertiser(r.addr, addr)
	if target == nil {
		return nil, fmt.Errorf("dial %s: %w", addr, ErrNotAdvertising)
	}
	mtu := min(r.mtu, target.mtu)
	done := &linkDone{ch: make(chan struct{})}
	central := &memLink{air: r.air, remote: addr, mtu: mtu, in: make(chan []byte, memoryQueue), done: done}
	peripheral := &memLink{air: r.air, remote: r.addr, mtu: mtu, in: make(chan []byte, memoryQueue), done: done}
	central.peer, peripheral.peer = peripheral, central
	r.track(central)
	target.track(peripheral)
	go accept(peripheral) // a controller reports the connection on its own thread
	return central, nil
}

func (r *MemoryRadio) track(l *memLink) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.links = append(r.links, l)
}

// Close implements Radio: it stops advertising and drops every link.
func (r *MemoryRadio) Close() error {
	r.mu.Lock()
	r.closed = true
	links := r.links
	r.links = nil
	r.mu.Unlock()
	for _, l := range links {
		_ = l.Close()
	}
	return nil
}

type linkDone struct {
	once sync.Once
	ch   chan struct{}
}

func (d *linkDone) close() { d.once.Do(func() { close(d.ch) }) }

// memLink is one end of an in-memory GATT connection.
type memLink struct {
	air    *MemoryAir
	remote string
	mtu    int
	in     chan []byte
	peer   *memLink
	done   *linkDone
	mu     sync.Mutex
	held   []byte
}

func (l *memLink) RemoteAddr() string      { return l.remote }
func (l *memLink) MTU() int                { return l.mtu }
func (l *memLink) Incoming() <-chan []byte { return l.in }
func (l *memLink) Done() <-chan struct{}   { return l.done.ch }

// Close drops the connection for both ends, as a real disconnect does.
func (l *memLink) Close() error {
	l.done.close()
	return nil
}

// Send applies the air's faults and queues the fragment at the peer.
func (l *memLink) Send(frag []byte) error {
	if len(frag) > l.mtu-3 {
		return fmt.Errorf("ble: %d-byte fragment over mtu %d", len(frag), l.mtu)
	}
	select {
	case <-l.done.ch:
		return ErrLinkClosed
	default:
	}
	frag = append([]byte(nil), frag...)
	f := l.air.decide()
	if f.lose {
		return nil
	}
	out := [][]byte{frag}
	l.mu.Lock()
	switch {
	case l.held != nil:
		out = append(out, l.held) // the held one goes after this one: reordered
		l.held = nil
	case f.reorder:
		l.held = frag
		out = nil
		time.AfterFunc(reorderFlush, l.flush)
	}
	l.mu.Unlock()
	if f.dup && out != nil {
		out = append(out, frag)
	}
	return l.deliver(out)
}

func (l *memLink) flush() {
	l.mu.Lock()
	h := l.held
	l.held = nil
	l.mu.Unlock()
	if h != nil {
		_ = l.deliver([][]byte{h})
	}
}

func (l *memLink) deliver(frags [][]byte) error {
	for _, f := range frags {
		select {
		case l.peer.in <- f:
		case <-l.done.ch:
			return ErrLinkClosed
		}
	}
	return nil
}
