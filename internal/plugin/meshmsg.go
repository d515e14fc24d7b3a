package plugin

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/messages"
)

// meshDomain separates plugin message signatures from every other thing
// a node identity signs (bets, votes, ledger ops, envelopes): a signed
// chat line can never be replayed as any of them, nor they as a chat line.
const meshDomain = "bitcraps/plugin-message/v1\x00"

// MaxMeshBody bounds a plugin message's body: it rides one envelope to
// every player of a table; chat lines and small notes, not files.
const MaxMeshBody = 4 << 10

// ErrForged: a plugin message whose signature is not its sender's.
var ErrForged = errors.New("plugin message signature does not match its sender")

// meshSigned is the canonical encoding the signature covers: the domain,
// then each field length-prefixed, so no two messages share an encoding.
func meshSigned(m *messages.PluginMeshMessage) []byte {
	out := []byte(meshDomain)
	for _, f := range [][]byte{[]byte(m.Plugin), []byte(m.TableId), m.From, m.Body} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return binary.BigEndian.AppendUint64(out, uint64(m.SentUnixMs))
}

// SignMeshMessage sets m.From and m.Signature with the sender's key.
func SignMeshMessage(m *messages.PluginMeshMessage, s messages.Signer) {
	m.From = s.PublicKey
	m.Signature = s.Sign(meshSigned(m))
}

// VerifyMeshMessage checks m's shape and that m.From signed it.
func VerifyMeshMessage(m *messages.PluginMeshMessage) error {
	if len(m.From) != ed25519.PublicKeySize || len(m.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("%w: key %d bytes, signature %d bytes", ErrForged, len(m.From), len(m.Signature))
	}
	if len(m.Body) > MaxMeshBody {
		return fmt.Errorf("plugin message body of %d bytes, above %d", len(m.Body), MaxMeshBody)
	}
	if !ed25519.Verify(m.From, meshSigned(m), m.Signature) {
		return fmt.Errorf("%w: plugin %s table %s from %x", ErrForged, m.Plugin, m.TableId, m.From)
	}
	return nil
}
