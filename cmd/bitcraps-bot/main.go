// Command bitcraps-bot is the bot player plugin (internal/bot): a node
// started with it in its plugins file sits at a table and plays a chosen
// strategy. It is started by the node, never by hand.
package main

import (
	"github.com/bitcraps/bitcraps/internal/bot"
	"github.com/bitcraps/bitcraps/internal/plugin"
)

func main() { plugin.Serve(bot.New()) }
