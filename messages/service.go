package messages

// HealthStatus is how a service (a child of the root supervisor) reports
// itself. The order matters: a larger value is a worse state.
type HealthStatus int

const (
	// Healthy: the service does all it is meant to do.
	Healthy HealthStatus = iota
	// Degraded: the service runs but part of its capability is missing.
	Degraded
	// Critical: the service is failing; the node may not serve correctly.
	Critical
	// Unavailable: the service is not running (stopped, budget exhausted,
	// or its hardware is absent).
	Unavailable
)

// String is the name used in /health and logs.
func (s HealthStatus) String() string {
	switch s {
	case Healthy:
		return "Healthy"
	case Degraded:
		return "Degraded"
	case Critical:
		return "Critical"
	case Unavailable:
		return "Unavailable"
	}
	return "Unknown"
}

// ServiceHealth is sent by a service actor to its parent (the root
// supervisor) whenever its own view of its health changes, and once after it
// starts. Reason says why in words a user can act on.
type ServiceHealth struct {
	Service string
	Status  HealthStatus
	Reason  string
}
