// Package plugin is both sides of the bitcraps plugin protocol
// (messages/plugin.proto) over hashicorp/go-plugin: Serve, which a plugin
// binary's main calls, and Launch, with which the node's plugins service
// starts a binary the operator pinned by checksum. A plugin is a separate
// process talking gRPC over a local socket, so a crash, a leak or a hang in
// a plugin never takes the node down; the node's side lives in
// actors/plugins, which supervises one actor per plugin.
//
// A plugin reaches back into its node only through Env.Node, which the node
// serves over go-plugin's broker and limits to the rights the operator
// granted (rights.go).
package plugin
