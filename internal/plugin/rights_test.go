package plugin

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

func TestRightsAllowOnlyWhatTheyName(t *testing.T) {
	cases := []struct {
		rights       []string
		method, path string
		ok           bool
	}{
		{[]string{RightRead}, "GET", "/api/v1/tables/abc", true},
		{nil, "GET", "/api/v1/tables/abc", false},
		{[]string{RightRead}, "POST", "/api/v1/tables/abc/bets", false},
		{[]string{RightPlay}, "POST", "/api/v1/tables/abc/bets", true},
		{[]string{RightPlay}, "POST", "/api/v1/tables", true},
		{[]string{RightRead, RightPlay}, "GET", "/api/v1/tables/abc/events", false},
		{[]string{RightRead, RightPlay}, "GET", "/api/v1/plugins", false},
		{[]string{RightRead, RightPlay}, "POST", "/debug/faults/panic", false},
		{[]string{RightRead, RightPlay}, "GET", "/api/v1/../../etc", false},
		{[]string{RightRead, RightPlay, RightMesh}, "DELETE", "/api/v1/tables/abc", false},
	}
	for _, c := range cases {
		if err := Allowed(c.rights, c.method, c.path); (err == nil) != c.ok {
			t.Errorf("%v %s %s: %v, want allowed %v", c.rights, c.method, c.path, err, c.ok)
		}
	}
}

func TestMeshMessageSignatureCoversEveryField(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	signed := func() *messages.PluginMeshMessage {
		m := &messages.PluginMeshMessage{Plugin: "chat", TableId: "t1", Body: []byte("hi"), SentUnixMs: 42}
		SignMeshMessage(m, messages.KeySigner(key))
		return m
	}
	if err := VerifyMeshMessage(signed()); err != nil {
		t.Fatalf("a signed message: %v", err)
	}
	tamper := map[string]func(m *messages.PluginMeshMessage){
		"plugin": func(m *messages.PluginMeshMessage) { m.Plugin = "bot" },
		"table":  func(m *messages.PluginMeshMessage) { m.TableId = "t2" },
		"body":   func(m *messages.PluginMeshMessage) { m.Body = []byte("ho") },
		"time":   func(m *messages.PluginMeshMessage) { m.SentUnixMs++ },
		"from":   func(m *messages.PluginMeshMessage) { m.From = other.Public().(ed25519.PublicKey) },
		"split": func(m *messages.PluginMeshMessage) { // same bytes, another field boundary
			m.Plugin, m.TableId = "chatt", "1"
		},
	}
	for name, f := range tamper {
		m := signed()
		f(m)
		if err := VerifyMeshMessage(m); !errors.Is(err, ErrForged) {
			t.Errorf("%s changed: %v, want ErrForged", name, err)
		}
	}
}
