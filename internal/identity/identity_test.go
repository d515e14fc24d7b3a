package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestPeerIDRoundTrip(t *testing.T) {
	id, err := Generate(seededRand(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePeerID(string(id.PeerID()))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(id.PublicKey) {
		t.Fatal("ParsePeerID(PeerID()) is not the public key")
	}
	if got := id.PeerID().Short(); len(got) != 8 || !strings.HasPrefix(string(id.PeerID()), got) {
		t.Fatalf("Short() = %q", got)
	}
}

func TestParsePeerIDRejects(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for name, s := range map[string]string{
		"empty":     "",
		"short":     good[:62],
		"long":      good + "ab",
		"uppercase": strings.ToUpper(good),
		"non-hex":   "zz" + good[2:],
	} {
		if _, err := ParsePeerID(s); !errors.Is(err, ErrBadPeerID) {
			t.Errorf("%s: got %v, want ErrBadPeerID", name, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	id, err := Generate(seededRand(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("bet pass 5")
	sig := id.Sign(msg)
	if err := Verify(id.PublicKey, msg, sig); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	if err := Verify(id.PublicKey, []byte("bet pass 6"), sig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("changed message: got %v, want ErrBadSignature", err)
	}
	if err := Verify(id.PublicKey[:5], msg, sig); !errors.Is(err, ErrBadPublicKey) {
		t.Fatalf("short key: got %v, want ErrBadPublicKey (and no panic)", err)
	}
}
