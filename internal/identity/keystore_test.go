package identity

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testDifficulty = 8

func TestLoadOrCreatePlainRoundTrip(t *testing.T) {
	testRoundTrip(t, "")
}

func TestLoadOrCreateEncryptedRoundTrip(t *testing.T) {
	testRoundTrip(t, "correct horse battery staple")
}

func testRoundTrip(t *testing.T, passphrase string) {
	dir := filepath.Join(t.TempDir(), "data")
	r := seededRand(t)
	id, created, err := LoadOrCreate(dir, passphrase, testDifficulty, r)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	// The second call must reuse the key and do no work: a difficulty no
	// search could meet proves that no search ran.
	again, created, err := LoadOrCreate(dir, passphrase, 0, r)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if again.PeerID() != id.PeerID() || again.Nonce != id.Nonce || !again.PrivateKey.Equal(id.PrivateKey) {
		t.Fatal("restart changed the identity")
	}
	assertMode0600(t, dir)
	raw := readRaw(t, dir)
	if passphrase != "" && strings.Contains(raw, `"seed"`) {
		t.Fatal("encrypted keystore holds a clear seed")
	}
	pub, err := ReadPublicKey(dir)
	if err != nil || !pub.Equal(id.PublicKey) {
		t.Fatalf("ReadPublicKey without passphrase: %v", err)
	}
}

func TestEncryptedKeystoreErrors(t *testing.T) {
	dir := t.TempDir()
	r := seededRand(t)
	if _, _, err := LoadOrCreate(dir, "right", testDifficulty, r); err != nil {
		t.Fatal(err)
	}
	before := readRaw(t, dir)
	if _, _, err := LoadOrCreate(dir, "wrong", testDifficulty, r); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: got %v, want ErrWrongPassphrase", err)
	}
	if _, _, err := LoadOrCreate(dir, "", testDifficulty, r); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("no passphrase: got %v, want ErrPassphraseRequired", err)
	}
	if readRaw(t, dir) != before {
		t.Fatal("a failed load changed the keystore")
	}
}

func TestCorruptKeystoreIsErrorNotReplaced(t *testing.T) {
	cases := map[string]func(ks map[string]any){
		"public key changed": func(ks map[string]any) {
			pub, _ := ParsePeerID(ks["public_key"].(string))
			ks["public_key"] = string(PeerIDOf(failingKey(pub, uint64(ks["pow_nonce"].(float64)))))
		},
		"nonce changed": func(ks map[string]any) {
			pub, _ := ParsePeerID(ks["public_key"].(string))
			ks["pow_nonce"] = failingNonce(pub, uint64(ks["pow_nonce"].(float64)))
		},
		"seed changed":    func(ks map[string]any) { ks["seed"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
		"seed not base64": func(ks map[string]any) { ks["seed"] = "!!" },
		"unknown scheme":  func(ks map[string]any) { ks["encryption"] = "rot13" },
		"future version":  func(ks map[string]any) { ks["version"] = 99 },
	}
	r := seededRand(t)
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := LoadOrCreate(dir, "", 16, r); err != nil {
				t.Fatal(err)
			}
			var ks map[string]any
			if err := json.Unmarshal([]byte(readRaw(t, dir)), &ks); err != nil {
				t.Fatal(err)
			}
			mutate(ks)
			data, _ := json.Marshal(ks)
			writeRaw(t, dir, string(data))
			_, created, err := LoadOrCreate(dir, "", 16, r)
			if !errors.Is(err, ErrCorruptKeystore) || created {
				t.Fatalf("got created=%v err=%v, want ErrCorruptKeystore", created, err)
			}
			if readRaw(t, dir) != string(data) {
				t.Fatal("corrupt keystore was replaced")
			}
		})
	}
	t.Run("not json", func(t *testing.T) {
		dir := t.TempDir()
		writeRaw(t, dir, "{truncated")
		if _, _, err := LoadOrCreate(dir, "", 0, r); !errors.Is(err, ErrCorruptKeystore) {
			t.Fatalf("got %v, want ErrCorruptKeystore", err)
		}
	})
}

func TestTamperedClearFieldsBreakDecryption(t *testing.T) {
	dir := t.TempDir()
	r := seededRand(t)
	if _, _, err := LoadOrCreate(dir, "pw", 0, r); err != nil {
		t.Fatal(err)
	}
	var ks map[string]any
	if err := json.Unmarshal([]byte(readRaw(t, dir)), &ks); err != nil {
		t.Fatal(err)
	}
	// Difficulty 0 accepts any nonce, so only the AEAD binding can catch this.
	ks["pow_nonce"] = ks["pow_nonce"].(float64) + 1
	data, _ := json.Marshal(ks)
	writeRaw(t, dir, string(data))
	if _, err := Load(dir, "pw"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("got %v, want the AEAD to reject the changed nonce", err)
	}
}

func TestPassphraseEncryptsPlainKeystore(t *testing.T) {
	dir := t.TempDir()
	r := seededRand(t)
	id, _, err := LoadOrCreate(dir, "", testDifficulty, r)
	if err != nil {
		t.Fatal(err)
	}
	again, created, err := LoadOrCreate(dir, "now-secret", testDifficulty, r)
	if err != nil || created || again.PeerID() != id.PeerID() {
		t.Fatalf("upgrade: created=%v err=%v", created, err)
	}
	if _, err := Load(dir, ""); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("after upgrade, no passphrase: got %v, want ErrPassphraseRequired", err)
	}
	assertMode0600(t, dir)
}

func TestStoredWorkBelowRequiredDifficulty(t *testing.T) {
	dir := t.TempDir()
	r := seededRand(t)
	id, _, err := LoadOrCreate(dir, "", 0, r)
	if err != nil {
		t.Fatal(err)
	}
	// Nonce 0 at difficulty 0 has 64 zero bits only with probability 2^-64.
	if _, _, err := LoadOrCreate(dir, "", 64, r); !errors.Is(err, ErrWeakPoW) {
		t.Fatalf("got %v, want ErrWeakPoW", err)
	}
	if got, err := ReadPublicKey(dir); err != nil || !got.Equal(id.PublicKey) {
		t.Fatalf("keystore changed after ErrWeakPoW: %v", err)
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	r := seededRand(t)
	if _, _, err := LoadOrCreate(dir, "", 0, r); err != nil {
		t.Fatal(err)
	}
	before := readRaw(t, dir)
	if _, _, err := create(dir, "", 0, r, GenerateOptions{}); !errors.Is(err, ErrKeystoreExists) {
		t.Fatalf("got %v, want ErrKeystoreExists", err)
	}
	if readRaw(t, dir) != before {
		t.Fatal("existing keystore overwritten")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestReadPublicKeyMissing(t *testing.T) {
	if _, err := ReadPublicKey(t.TempDir()); !errors.Is(err, ErrNoKeystore) {
		t.Fatalf("got %v, want ErrNoKeystore", err)
	}
}

func assertMode0600(t *testing.T, dir string) {
	t.Helper()
	st, err := os.Stat(KeystorePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Fatalf("keystore mode %o, want 600", mode)
	}
}

func readRaw(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(KeystorePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeRaw(t *testing.T, dir, s string) {
	t.Helper()
	if err := os.WriteFile(KeystorePath(dir), []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// failingNonce is the first nonce after n that does not prove difficulty 16
// for pub: a tampered nonce that is known to be wrong.
func failingNonce(pub []byte, n uint64) uint64 {
	for n++; VerifyPoW(pub, n, 16) == nil; n++ {
	}
	return n
}

// failingKey flips bits of pub until the nonce no longer proves its work.
func failingKey(pub []byte, nonce uint64) []byte {
	k := append([]byte(nil), pub...)
	for i := 0; ; i++ {
		k[i%len(k)] ^= 1 << (i / len(k) % 8)
		if VerifyPoW(k, nonce, 16) != nil {
			return k
		}
	}
}
