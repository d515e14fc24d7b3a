// Command bitcraps-notifier is the notifier plugin (internal/notifier): it
// POSTs the node's chosen events as JSON to a URL. It is started by the
// node, never by hand.
package main

import (
	"github.com/bitcraps/bitcraps/internal/notifier"
	"github.com/bitcraps/bitcraps/internal/plugin"
)

func main() { plugin.Serve(notifier.New()) }
