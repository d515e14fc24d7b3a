// Package chat is the table chat plugin: players of a table talk to each
// other through their nodes. A line is signed by the sending player's
// identity (its node signs, PluginNode.Send) and carried over the mesh to
// the table's other players, whose nodes drop it unless the signature is
// the sender's. cmd/bitcraps-chat serves it.
package chat
