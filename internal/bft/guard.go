package bft

import "crypto/sha256"

// The double-sign guard. A player must never sign two different messages for
// one slot (table, round, view, step): that is exactly what equivocation
// evidence proves, and an honest node must not produce it even if it crashes
// between signing and remembering. So every signature goes through signOwn,
// which records the signed message in Ready.Persist; the caller persists
// Ready.Persist before sending Ready.Messages, and Restore reloads the
// records, so after a crash the node finds the slot taken and re-sends the
// same message instead of signing a new one.

// signOwn signs the bytes for slot s with the local key. If s already holds a
// message it returns that message with fresh = false when the bytes are the
// same, and errAlreadySigned when they differ (the caller then stays silent).
func (n *Node) signOwn(s slot, signed []byte, build func(sig []byte) Message) (m Message, err error) {
	m, fresh, err := n.signOwnFresh(s, signed, build)
	if err == nil && !fresh {
		return m, errSignedBefore
	}
	return m, err
}

func (n *Node) signOwnFresh(s slot, signed []byte, build func(sig []byte) Message) (Message, bool, error) {
	digest := sha256Sum(signed)
	if e, ok := n.guard[s]; ok {
		if e.digest == digest {
			return e.msg, false, nil
		}
		return Message{}, false, errAlreadySigned
	}
	sig := n.cfg.Signer.Sign(signed)
	n.stats.SignaturesMade++
	m := build(sig)
	n.guard[s] = guardEntry{digest: digest, msg: m}
	n.ready.Persist = append(n.ready.Persist, Record{Kind: RecordSigned, Round: s.round, Message: &m})
	n.markVerified(verifiedKey(n.cfg.Self, signed, sig))
	return m, true, nil
}

// signed reports whether we hold a signed message for s.
func (n *Node) signed(s slot) (Message, bool) {
	e, ok := n.guard[s]
	return e.msg, ok
}

// sendOwn handles our own new message locally and sends it to the others.
func (n *Node) sendOwn(m Message) {
	n.local = append(n.local, m)
	n.broadcast(m)
}

func sha256Sum(b []byte) Hash { return sha256.Sum256(b) }
