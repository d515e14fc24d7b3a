package game

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// The lifecycle simulator's network, clock and faults, and what a node
// does with what arrives (see lifesim_test.go).

// Wire kinds besides consensus messages.
type wireKind uint8

const (
	wireBFT      wireKind = iota // data[0]: an encoded bft.Message
	wirePresence                 // round: the sender's next round; data: "dissolved" if it dissolved at round-1
	wireAsk                      // round: send certified rounds from this one
	wireRounds                   // data: encoded certificate messages, in order
)

type lifeMsg struct {
	from, to int
	kind     wireKind
	round    uint64
	data     [][]byte
}

type faultKind uint8

const (
	faultCrash faultKind = iota
	faultStop
	faultPartition
)

func (k faultKind) String() string { return [...]string{"crash", "stop", "partition"}[k] }

// lifeFault is one fault episode: [at, until).
type lifeFault struct {
	kind      faultKind
	at, until uint64
	node      int   // crash, stop
	side      []int // partition: the side of each node
	atCert    bool  // partition: starts at the first certification from at on, for until-at
}

func (f lifeFault) String() string {
	if f.kind == faultPartition && f.atCert {
		return fmt.Sprintf("partition %v at a certification from tick %d for %d", f.side, f.at, f.until-f.at)
	}
	if f.kind == faultPartition {
		return fmt.Sprintf("partition %v ticks %d..%d", f.side, f.at, f.until)
	}
	return fmt.Sprintf("%s node %d ticks %d..%d", f.kind, f.node, f.at, f.until)
}

// connected: the network carries messages between i and j now.
func (s *lifeSim) connected(i, j int) bool { return s.side == nil || s.side[i] == s.side[j] }

func (s *lifeSim) transmit(m lifeMsg) {
	link := lossyLink{rng: s.rng, dropP: s.plan.dropP, dupP: s.plan.dupP, maxDelay: s.plan.maxDelay}
	for _, at := range link.arrivals(s.now, s.faulty()) {
		s.queue[at] = append(s.queue[at], m)
	}
}

func (s *lifeSim) step() {
	s.now++
	s.applyFaults()
	due := s.queue[s.now]
	delete(s.queue, s.now)
	s.rng.Shuffle(len(due), func(i, j int) { due[i], due[j] = due[j], due[i] })
	for _, m := range due {
		if !s.connected(m.from, m.to) {
			continue
		}
		s.deliver(m)
	}
	for _, p := range s.nodes {
		if !p.up(s.now) || p.life == nil || s.failed {
			continue
		}
		p.life.Tick()
		s.drive(p)
		if p.node != nil && p.life != nil && votes(p.life.Mode()) {
			if p.life.MayPlay() {
				s.act(p)
			}
			if p.node != nil {
				p.node.Tick()
			}
			s.drive(p)
		}
	}
	for j := range s.nodes {
		for i, q := range s.nodes {
			a := &s.away[j][i]
			switch {
			case q.up(s.now) && s.connected(i, j):
				s.seenUp[j][i] = s.now
				if a.open {
					a.longest, a.open = a.longestBy(s.now), false
				}
			case !a.open:
				a.from, a.open = s.now, true
			}
		}
	}
}

func (s *lifeSim) applyFaults() {
	for _, f := range s.plan.faults {
		switch {
		case f.at == s.now && f.kind == faultCrash:
			p := s.nodes[f.node]
			if p.gone {
				continue
			}
			s.stats.crashes++
			p.crashedUntil, p.returned = f.until, true
			p.node, p.app, p.life = nil, nil, nil
			s.logf("node %d crashes until %d", p.idx, f.until)
		case f.until == s.now && f.kind == faultCrash:
			s.restart(s.nodes[f.node])
		case f.at == s.now && f.kind == faultStop:
			p := s.nodes[f.node]
			s.stats.stops++
			p.stoppedUntil, p.returned = f.until, true
			s.logf("node %d stopped until %d", p.idx, f.until)
		case f.at == s.now && f.kind == faultPartition && !f.atCert:
			s.cut(f, f.until)
		}
	}
	if s.side != nil && s.now == s.cutUntil {
		s.side = nil
		s.logf("partition healed")
	}
}

func (s *lifeSim) cut(f lifeFault, until uint64) {
	s.stats.partitions++
	s.side, s.cutUntil = f.side, until
	s.logf("partition %v until %d", f.side, until)
}

// cutAtCertification starts the partitions that wait for a certification:
// the first node to certify a round is cut off before the others hear its
// confirm, which is what leaves the sides one round apart.
func (s *lifeSim) cutAtCertification() {
	for i, f := range s.plan.faults {
		if f.kind == faultPartition && f.atCert && !s.cutDone[i] && f.at <= s.now && s.side == nil && s.faulty() {
			s.cutDone[i] = true
			s.cut(f, s.now+f.until-f.at)
		}
	}
}

func (s *lifeSim) restart(p *lifeNode) {
	if p.gone || p.life != nil {
		return
	}
	p.crashedUntil = 0
	s.logf("node %d restarts at round %d (dissolved %v)", p.idx, len(p.certs)+1, p.dissolved)
	s.start(p)
	s.drive(p)
}

// heal ends every fault.
func (s *lifeSim) heal() {
	s.side = nil
	for _, p := range s.nodes {
		p.stoppedUntil = 0
		if p.crashedUntil > s.now {
			s.restart(p)
		}
	}
	s.healedMax = s.maxHonestRound()
	s.logf("faults end; honest round %d", s.healedMax)
}

func (s *lifeSim) deliver(m lifeMsg) {
	p, from := s.nodes[m.to], s.nodes[m.from]
	if !p.up(s.now) || p.life == nil {
		return
	}
	switch m.kind {
	case wireBFT:
		msg, err := bft.UnmarshalMessage(m.data[0])
		if err != nil {
			s.fail("node %d: unmarshal: %v", p.idx, err)
			return
		}
		round := msg.Round()
		if msg.Certificate != nil {
			round++ // the sender certified it: it is at the next round
		}
		p.life.Heard(from.key, round)
		s.stepConsensus(p, msg)
		s.help(p, from, msg.Round())
	case wirePresence:
		if len(m.data) > 0 { // "dissolved at round"
			p.life.HeardDissolved(from.key, m.round-1)
		} else {
			p.life.Heard(from.key, m.round)
		}
		s.help(p, from, m.round)
	case wireAsk:
		p.life.Heard(from.key, m.round)
		s.answer(p, from, m.round)
	case wireRounds:
		if len(m.data) == 0 {
			p.life.Heard(from.key, 0)
			p.life.NothingNewer(from.key)
			break
		}
		for _, b := range m.data {
			msg, err := bft.UnmarshalMessage(b)
			if err != nil || msg.Certificate == nil {
				s.fail("node %d: a rounds answer holds %v (%v)", p.idx, msg.Type(), err)
				return
			}
			p.life.Heard(from.key, msg.Certificate.Round+1)
			s.stepConsensus(p, msg)
			s.drive(p)
			if p.life == nil {
				return
			}
		}
	}
	s.drive(p)
}

// help answers a message naming a round the node has certified with that
// round's certificate, at most once per resend period per player.
func (s *lifeSim) help(p, from *lifeNode, r uint64) {
	if r == 0 || r > uint64(len(p.certs)) || p.byz == byzClaimer {
		return
	}
	if last, ok := p.helpedAt[from.idx]; ok && s.now-last < simLifeResend {
		return
	}
	p.helpedAt[from.idx] = s.now
	b, err := (bft.Message{To: from.key, Certificate: &p.certs[r-1]}).MarshalBinary()
	if err != nil {
		s.fail("marshal certificate: %v", err)
		return
	}
	s.transmit(lifeMsg{from: p.idx, to: from.idx, kind: wireBFT, data: [][]byte{b}})
}

// answer serves a request for certified rounds from the certified log.
func (s *lifeSim) answer(p, from *lifeNode, round uint64) {
	var data [][]byte
	for r := round; p.byz != byzClaimer && r >= 1 && r <= uint64(len(p.certs)) && len(data) < simAskBatch; r++ {
		b, err := (bft.Message{To: from.key, Certificate: &p.certs[r-1]}).MarshalBinary()
		if err != nil {
			s.fail("marshal certificate: %v", err)
			return
		}
		data = append(data, b)
	}
	s.transmit(lifeMsg{from: p.idx, to: from.idx, kind: wireRounds, data: data})
}
