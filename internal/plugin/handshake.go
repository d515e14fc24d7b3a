package plugin

import goplugin "github.com/hashicorp/go-plugin"

// ProtocolVersion is the plugin protocol's version: messages/plugin.proto's
// package bitcraps.plugin.v1. A node and a plugin built for different
// versions refuse each other at the handshake, with both versions named.
const ProtocolVersion = 1

// Handshake is what the node and a plugin binary must agree on. The cookie
// is not a secret: it only makes a plugin binary run by hand say that it is
// a plugin, instead of waiting on a socket nobody dials.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "BITCRAPS_PLUGIN",
	MagicCookieValue: "a bitcraps node starts this binary; it is not run by hand",
}

// dispenseName is the one plugin every binary serves (go-plugin lets one
// binary serve several kinds; ours serve exactly one).
const dispenseName = "bitcraps"
