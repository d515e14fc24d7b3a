package table

import (
	"errors"
	"fmt"
)

// maxAnnouncedPerHost bounds the directory entries one host's
// announcements may hold. A host runs at most its --max-games tables at
// once (100 on a server); 256 leaves room for its closed ones, while a
// peer announcing thousands of tables holds at most this many entries
// (and follower slots) instead of all of them.
const maxAnnouncedPerHost = 256

// errDirectoryFull: a host announced more tables than the directory keeps
// for one host.
var errDirectoryFull = errors.New("the directory holds the most tables it keeps for one host")

// admitAnnounced says whether rec, announced by its host, may enter the
// directory. Updates of known tables always may. At the bound, the host's
// closed table that no local actor holds makes room; when it has none,
// rec is refused and counted.
func (m *Manager) admitAnnounced(rec *record) error {
	if m.directory[rec.ID] != nil {
		return nil
	}
	held := 0
	var closed *record
	for _, r := range m.directory {
		if r.Host != rec.Host {
			continue
		}
		held++
		if r.Status == statusClosed && m.tables[r.ID] == nil && m.followers[r.ID] == nil && (closed == nil || r.ID < closed.ID) {
			closed = r
		}
	}
	switch {
	case held < maxAnnouncedPerHost:
		return nil
	case closed != nil:
		delete(m.directory, closed.ID)
		return nil
	}
	err := fmt.Errorf("table %s of host %s: %w (%d)", rec.ID, rec.Host, errDirectoryFull, maxAnnouncedPerHost)
	m.opts.Metrics.follow("announcement", err)
	return err
}
