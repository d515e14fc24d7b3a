package supervisor

import (
	"encoding/json"

	"github.com/bitcraps/bitcraps/messages"
)

// Report is the supervisor's view of the node, as /health shows it.
type Report struct {
	State AppState `json:"state"`
	// Reason says why the node is in State (the last transition's reason).
	Reason string `json:"reason"`
	// Transitions counts the transitions applied by this root incarnation.
	Transitions uint64          `json:"transitions"`
	Services    []ServiceReport `json:"services"`
}

// ServiceReport is one service's line in the Report, in start order.
type ServiceReport struct {
	Name     string
	Critical bool
	Status   messages.HealthStatus
	Reason   string
	// Restarts counts the times the service was started again after its
	// first start: one-for-one restarts and back-off respawns.
	Restarts int
}

// MarshalJSON writes the status by name ("Healthy" ... "Unavailable").
func (s ServiceReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name     string `json:"name"`
		Critical bool   `json:"critical"`
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		Restarts int    `json:"restarts"`
	}{s.Name, s.Critical, s.Status.String(), s.Reason, s.Restarts})
}

// Service returns the report line of the named service.
func (r Report) Service(name string) (ServiceReport, bool) {
	for _, s := range r.Services {
		if s.Name == name {
			return s, true
		}
	}
	return ServiceReport{}, false
}
