// Package mesh is the node's view of the cluster and the way messages cross
// it. It runs hashicorp/memberlist for membership (who might be there, at
// which addresses), keeps the peer table that /api/v1/peers shows, and routes
// envelopes: straight to a peer the transport is connected to, otherwise by a
// TTL-bounded flood through connected peers, so a BLE mesh with no direct
// link between two players still carries their table traffic.
//
// The decisions (de-duplication, rate limits, cool-downs, next hops) live in
// Router and PeerTable, which take the time as an argument and do no I/O, so
// they are tested without sockets; the actor only moves messages between
// memberlist, the transport and the local subscribers.
package mesh
