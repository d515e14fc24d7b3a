// Package chaos is `make chaos`: five `bitcraps node` processes on
// loopback play several busy tables while a seeded schedule of faults hits
// them — SIGKILL and restart on the same data dir, SIGSTOP and SIGCONT, a
// panic in one of a node's services, and a dropped link between two chosen
// peers — and a load client bets and reads through the HTTP API. It prints
// the API's availability, the rounds certified (and per second), the
// recovery time of each fault, unseatings and dissolutions, and fails
// unless every ledger verifies, all nodes agree on every certified round
// and on the ledger state hash, and no acknowledged bet was lost.
//
// The run is a test behind the `chaos` build tag, so `make test` never
// runs it:
//
//	go test -tags chaos -run TestChaos -v -timeout 30m ./test/chaos/ -args --duration 5m --seed 42
//
// --faults=false plays the same tables and load with no faults, for the
// certified rounds per second to compare with.
//
// Actor panics and dropped links use the node's hidden --fault-injection
// routes (POST /debug/faults/panic and /debug/faults/drop): a dropped link
// is one node's transport closing every connection to the peer, refusing
// it for the length of the fault and then dialing it again, so both nodes
// stay up and may still reach each other through a third.
package chaos
