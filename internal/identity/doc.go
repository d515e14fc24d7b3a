// Package identity gives a node its long-lived name: an Ed25519 key pair whose
// public key is the peer ID, made costly to mint by a proof of work so that
// one machine cannot cheaply flood a table or the mesh with fake players
// (a Sybil attack). It also keeps that key in a keystore in the data dir, so
// a restarted node is the same peer and never pays the work twice.
//
// The package holds no global state and reads no environment: randomness is
// an io.Reader input, and the passphrase is a parameter.
package identity
