// Package plugins is the node's plugins service: one supervised actor per
// plugin the operator named (config.PluginSpec), each running its binary as
// a separate process through internal/plugin. A plugin that crashes or exits
// is restarted within its own budget; one past its budget, or whose binary
// does not match its pinned checksum, is stopped and reported (the service
// then reports Degraded). The node keeps running either way.
//
// The service feeds plugins the events of this node's tables and the node's
// state transitions, through a bounded queue per plugin (a slow plugin loses
// events, counted, and never slows a table), and serves their HTTP routes
// under /api/v1/plugins/NAME/ through the Directory.
package plugins
