package plugins

import (
	"slices"
	"strings"
	"sync"

	"github.com/bitcraps/bitcraps/internal/plugin"
)

// Plugin states, as `bitcraps plugins list` and /health show them.
const (
	StateStarting = "starting"
	StateRunning  = "running"
	// StateRestarting: it crashed or exited and is being started again.
	StateRestarting = "restarting"
	// StateRefused: its binary does not match the pinned checksum (or it
	// declared no such settings as the operator gave); never started.
	StateRefused = "refused"
	// StateFailed: it crashed more often than its budget allows; stopped
	// until the node restarts.
	StateFailed  = "failed"
	StateStopped = "stopped"
)

// Status is one plugin's entry in GET /api/v1/plugins and /health.
type Status struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	State    string `json:"state"`
	Restarts int    `json:"restarts"`
	// EventsDropped counts events this plugin lost to a full queue.
	EventsDropped uint64 `json:"events_dropped"`
	// ForgedDropped counts messages from other players (PluginNode.Send)
	// dropped because their signature was not their sender's.
	ForgedDropped uint64 `json:"forged_dropped"`
	Reason        string `json:"reason,omitempty"`
}

// Directory is the plugins' shared status and live connections: the
// service's actors write it, HTTP handlers read it (a plugin's HTTP route
// calls its connection directly, from the handler's goroutine).
type Directory struct {
	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	status Status
	starts int
	conn   *plugin.Conn
}

// NewDirectory is an empty directory.
func NewDirectory() *Directory { return &Directory{entries: map[string]*entry{}} }

func (d *Directory) update(name string, f func(e *entry)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.entries[name]
	if e == nil {
		e = &entry{status: Status{Name: name}}
		d.entries[name] = e
	}
	f(e)
}

// listSorted is every plugin's status, by name.
func (d *Directory) listSorted() []Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Status, 0, len(d.entries))
	for _, e := range d.entries {
		out = append(out, e.status)
	}
	slices.SortFunc(out, func(a, b Status) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Get is one plugin's status.
func (d *Directory) Get(name string) (Status, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[name]
	if !ok {
		return Status{}, false
	}
	return e.status, true
}

// conn is a running plugin's connection, or nil.
func (d *Directory) conn(name string) *plugin.Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.entries[name]; e != nil && e.status.State == StateRunning {
		return e.conn
	}
	return nil
}
