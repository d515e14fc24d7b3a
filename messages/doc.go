// Package messages holds every message type exactly once: local actor
// commands and replies, and (as protobuf) the wire formats. Nothing else
// defines a message, so a reader finds any message by name in one place.
package messages
