// Command bitcraps-chat is the table chat plugin (internal/chat): signed
// chat lines between the players of a table, over the mesh. It is started
// by the node, never by hand.
package main

import (
	"github.com/bitcraps/bitcraps/internal/chat"
	"github.com/bitcraps/bitcraps/internal/plugin"
)

func main() { plugin.Serve(chat.New()) }
