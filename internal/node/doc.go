// Package node assembles one bitcraps node: configuration, identity,
// metrics registry, audit trail, the actor system with the root supervisor
// and its services, and the HTTP API. The `bitcraps node` command and the
// in-process clusters of tests and `bitcraps demo` all start nodes here, so
// there is one way to build a node.
package node
