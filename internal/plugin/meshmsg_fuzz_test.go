package plugin

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/bitcraps/bitcraps/messages"
)

// A plugin message arrives as bytes from any peer: decoding and checking
// it never panics, and what verifies is exactly what its sender signed
// (its seeds run in make test).
func FuzzMeshMessage(f *testing.F) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	m := &messages.PluginMeshMessage{Plugin: "chat", TableId: "t", Body: []byte(`{"text":"hi"}`), SentUnixMs: 1}
	SignMeshMessage(m, messages.KeySigner(key))
	good, _ := proto.Marshal(m)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got messages.PluginMeshMessage
		if proto.Unmarshal(raw, &got) != nil {
			return
		}
		if VerifyMeshMessage(&got) != nil {
			return
		}
		again, err := proto.Marshal(&got)
		if err != nil {
			t.Fatal(err)
		}
		var back messages.PluginMeshMessage
		if err := proto.Unmarshal(again, &back); err != nil || VerifyMeshMessage(&back) != nil {
			t.Fatalf("a verified message fails after a round trip: %v", err)
		}
	})
}
