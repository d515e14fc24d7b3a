package supervisor

import "time"

// Audit kinds passed to Options.Audit. The detail's type is given per kind.
const (
	// AuditServiceStart: a service actor was spawned. Detail: ServiceEvent.
	AuditServiceStart = "supervisor.service_start"
	// AuditServiceRestart: a failed service was restarted in place by its
	// one-for-one strategy. Detail: ServiceEvent.
	AuditServiceRestart = "supervisor.service_restart"
	// AuditServiceStop: a service actor terminated, asked to or not.
	// Detail: ServiceEvent.
	AuditServiceStop = "supervisor.service_stop"
	// AuditTransition: the application state changed. Detail: Transition.
	AuditTransition = "supervisor.transition"
	// AuditEmergencyStop: EmergencyStop was called. Detail: EmergencyStopEvent.
	AuditEmergencyStop = "supervisor.emergency_stop"
)

// ServiceEvent is the audit detail of a service start, restart or stop.
type ServiceEvent struct {
	Service  string    `json:"service"`
	Reason   string    `json:"reason"`
	Restarts int       `json:"restarts"`
	At       time.Time `json:"at"`
}

// Transition is one applied state transition (audit detail and History).
type Transition struct {
	From   AppState  `json:"from"`
	To     AppState  `json:"to"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// EmergencyStopEvent is the audit detail of an emergency stop.
type EmergencyStopEvent struct {
	From   AppState  `json:"from"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}
