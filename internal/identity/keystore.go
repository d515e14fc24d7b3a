package identity

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// KeystoreFile is the keystore's name inside the data dir.
const KeystoreFile = "identity.json"

// keystoreVersion is bumped on any change to the file's meaning.
const keystoreVersion = 1

// Encryption schemes written in the keystore's "encryption" field.
const (
	schemeNone      = "none"
	schemeArgonXCha = "argon2id+xchacha20poly1305"
)

// Sentinel errors of the keystore.
var (
	// ErrCorruptKeystore means the keystore cannot be read as an identity.
	ErrCorruptKeystore = errors.New("identity: corrupt keystore")
	// ErrWrongPassphrase means decryption failed: the passphrase is wrong or
	// the encrypted part was changed (the AEAD cannot tell which).
	ErrWrongPassphrase = errors.New("identity: wrong passphrase or tampered keystore")
	// ErrPassphraseRequired means the keystore is encrypted and no
	// passphrase was given.
	ErrPassphraseRequired = errors.New("identity: keystore is encrypted and no passphrase was given")
	// ErrNoKeystore means the data dir holds no keystore.
	ErrNoKeystore = errors.New("identity: no keystore")
	// ErrKeystoreExists means a keystore appeared while a new one was being
	// written; it is never overwritten.
	ErrKeystoreExists = errors.New("identity: keystore already exists")
	// ErrWeakPoW means the stored identity's work is below the difficulty
	// now required.
	ErrWeakPoW = errors.New("identity: stored identity's proof of work is below the required difficulty")
)

// keystore is the file format. The public key, nonce and difficulty stay in
// clear so that offline tools (audit verify, peer ID display) need no
// passphrase; with encryption they are bound to the ciphertext as
// associated data, so changing them breaks decryption.
type keystore struct {
	Version       int        `json:"version"`
	PublicKey     string     `json:"public_key"`
	PoWNonce      uint64     `json:"pow_nonce"`
	PoWDifficulty int        `json:"pow_difficulty"`
	Encryption    string     `json:"encryption"`
	Seed          string     `json:"seed,omitempty"`
	KDF           *kdfParams `json:"kdf,omitempty"`
	AEADNonce     string     `json:"aead_nonce,omitempty"`
	Ciphertext    string     `json:"ciphertext,omitempty"`
}

// KeystorePath is where the keystore lives in dataDir.
func KeystorePath(dataDir string) string {
	return filepath.Join(dataDir, KeystoreFile)
}

// LoadOrCreate returns the identity kept in dataDir, or makes one (with a
// proof of work at difficulty) and keeps it there when the data dir has none.
// created says which. An unreadable keystore is an error, never replaced.
// A plain keystore is encrypted in place when a passphrase is given, because
// a set passphrase means "keep my key encrypted at rest".
func LoadOrCreate(dataDir, passphrase string, difficulty int, rand io.Reader) (*Identity, bool, error) {
	return LoadOrCreateWithOptions(dataDir, passphrase, difficulty, rand, GenerateOptions{})
}

// LoadOrCreateWithOptions is LoadOrCreate with progress and cancellation
// for the proof of work.
func LoadOrCreateWithOptions(dataDir, passphrase string, difficulty int, rand io.Reader, opts GenerateOptions) (*Identity, bool, error) {
	if err := checkDifficulty(difficulty); err != nil {
		return nil, false, err
	}
	ks, err := readKeystore(dataDir)
	if errors.Is(err, ErrNoKeystore) {
		return create(dataDir, passphrase, difficulty, rand, opts)
	}
	if err != nil {
		return nil, false, err
	}
	id, err := ks.open(passphrase)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", KeystorePath(dataDir), err)
	}
	if err := checkRequired(id, difficulty); err != nil {
		return nil, false, fmt.Errorf("%s: %w", KeystorePath(dataDir), err)
	}
	if passphrase != "" && ks.Encryption == schemeNone {
		if err := Save(dataDir, id, passphrase, rand); err != nil {
			return nil, false, fmt.Errorf("identity: encrypt existing keystore: %w", err)
		}
	}
	return id, false, nil
}

func create(dataDir, passphrase string, difficulty int, rand io.Reader, opts GenerateOptions) (*Identity, bool, error) {
	id, err := GenerateWithOptions(rand, difficulty, opts)
	if err != nil {
		return nil, false, err
	}
	data, err := seal(id, passphrase, rand)
	if err != nil {
		return nil, false, err
	}
	if err := writeFile(dataDir, data, false); err != nil {
		return nil, false, err
	}
	return id, true, nil
}

// checkRequired accepts a stored identity whose actual work meets the
// difficulty asked for now, even if it was made for a lower one.
func checkRequired(id *Identity, difficulty int) error {
	if difficulty <= id.Difficulty {
		return nil
	}
	if err := VerifyPoW(id.PublicKey, id.Nonce, difficulty); err != nil {
		return fmt.Errorf("%w: made for %d, required %d (remove the keystore to mint a new identity, or lower --pow-difficulty): %w",
			ErrWeakPoW, id.Difficulty, difficulty, err)
	}
	return nil
}

// Save writes id to dataDir's keystore, replacing any existing one
// atomically; encrypted when passphrase is not empty.
func Save(dataDir string, id *Identity, passphrase string, rand io.Reader) error {
	data, err := seal(id, passphrase, rand)
	if err != nil {
		return err
	}
	return writeFile(dataDir, data, true)
}

// Load reads the identity kept in dataDir.
func Load(dataDir, passphrase string) (*Identity, error) {
	ks, err := readKeystore(dataDir)
	if err != nil {
		return nil, err
	}
	id, err := ks.open(passphrase)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeystorePath(dataDir), err)
	}
	return id, nil
}

// ReadPublicKey reads the identity's public key from dataDir's keystore
// without the passphrase (it is kept in clear), and checks its proof of work.
func ReadPublicKey(dataDir string) (ed25519.PublicKey, error) {
	ks, err := readKeystore(dataDir)
	if err != nil {
		return nil, err
	}
	pub, err := ks.publicPart()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeystorePath(dataDir), err)
	}
	return pub, nil
}

func readKeystore(dataDir string) (*keystore, error) {
	path := KeystorePath(dataDir)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoKeystore, path)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: read keystore: %w", err)
	}
	var ks keystore
	if err := json.Unmarshal(data, &ks); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrCorruptKeystore, path, err)
	}
	if ks.Version != keystoreVersion {
		return nil, fmt.Errorf("%w %s: version %d, this build reads %d", ErrCorruptKeystore, path, ks.Version, keystoreVersion)
	}
	return &ks, nil
}

// publicPart decodes and checks the clear fields.
func (ks *keystore) publicPart() (ed25519.PublicKey, error) {
	pub, err := ParsePeerID(ks.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: public_key: %w", ErrCorruptKeystore, err)
	}
	if err := VerifyPoW(pub, ks.PoWNonce, ks.PoWDifficulty); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptKeystore, err)
	}
	return pub, nil
}

// open recovers the full identity and checks that the private key belongs
// to the stored public key.
func (ks *keystore) open(passphrase string) (*Identity, error) {
	pub, err := ks.publicPart()
	if err != nil {
		return nil, err
	}
	seed, err := ks.seed(pub, passphrase)
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: private key seed is %d bytes, want %d", ErrCorruptKeystore, len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !pub.Equal(priv.Public()) {
		return nil, fmt.Errorf("%w: private key does not match public_key", ErrCorruptKeystore)
	}
	return &Identity{PublicKey: pub, PrivateKey: priv, Nonce: ks.PoWNonce, Difficulty: ks.PoWDifficulty}, nil
}

func (ks *keystore) seed(pub ed25519.PublicKey, passphrase string) ([]byte, error) {
	switch ks.Encryption {
	case schemeNone:
		seed, err := base64.StdEncoding.DecodeString(ks.Seed)
		if err != nil {
			return nil, fmt.Errorf("%w: seed: %w", ErrCorruptKeystore, err)
		}
		return seed, nil
	case schemeArgonXCha:
		if passphrase == "" {
			return nil, ErrPassphraseRequired
		}
		return ks.decrypt(pub, passphrase)
	default:
		return nil, fmt.Errorf("%w: unknown encryption %q", ErrCorruptKeystore, ks.Encryption)
	}
}

// seal encodes id as keystore JSON, encrypting the private key when a
// passphrase is given.
func seal(id *Identity, passphrase string, rand io.Reader) ([]byte, error) {
	if len(id.PrivateKey) != ed25519.PrivateKeySize || len(id.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: key sizes %d/%d", ErrBadPublicKey, len(id.PublicKey), len(id.PrivateKey))
	}
	ks := keystore{
		Version:       keystoreVersion,
		PublicKey:     hex.EncodeToString(id.PublicKey),
		PoWNonce:      id.Nonce,
		PoWDifficulty: id.Difficulty,
		Encryption:    schemeNone,
	}
	seed := id.PrivateKey.Seed()
	if passphrase == "" {
		ks.Seed = base64.StdEncoding.EncodeToString(seed)
	} else if err := ks.encrypt(id.PublicKey, seed, passphrase, rand); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(&ks, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("identity: encode keystore: %w", err)
	}
	return append(data, '\n'), nil
}
