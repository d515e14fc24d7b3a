// Package transport is the "transport" service: the root supervisor's child
// that owns the node's links to other nodes. It runs the tcp child (off in
// mobile mode) and the ble child (from actors/transport/ble) under its own
// restart budget, routes outbound envelopes to whichever child reaches the
// peer, forwards what the children receive to the mesh, and reports one
// honest health for the pair.
package transport
