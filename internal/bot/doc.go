// Package bot is the bot player plugin: it sits at one table for its node
// and plays a chosen strategy through the node's API (as a person at the
// web table would: bets, and the roll when it is the shooter). The
// strategies (strategy.go) are pure: a seat's state in, the bets to place
// out. cmd/bitcraps-bot serves it as a plugin; `bitcraps demo` seats one on
// every node.
package bot
