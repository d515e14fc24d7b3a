// Package supervisor is the root of the node's actor tree. Its behavior is
// the application state machine (Uninitialized → Initializing →
// ServicesStarting → Running ⇄ Degraded → Stopping → Stopped; any state →
// Error; Error → Initializing), so the node's state and what the root does
// with its services can never disagree.
//
// It starts the services (ledger, transport, mesh, consensus, games) in
// order, each after the previous one reported its health, restarts a failed
// service one-for-one within that service's own budget, stops and later
// re-spawns a service that exhausts it, and stops them in reverse order.
// The pure state machine (Machine) is separate from the actor so its rules
// can be tested exhaustively; Root is the Go-side handle the node and tests
// use.
package supervisor
