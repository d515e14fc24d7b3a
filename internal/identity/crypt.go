package identity

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// kdfParams are stored with each keystore so that stronger defaults later
// still open old files.
type kdfParams struct {
	Salt      string `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// Argon2id costs: RFC 9106's second recommended setting (t=3, 64 MiB, p=4),
// meant for machines that cannot spare 2 GiB; a phone can still unlock in
// well under a second.
var defaultKDF = kdfParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Upper bounds on stored costs, so that a crafted keystore cannot make the
// node spend minutes or gigabytes before failing.
const (
	maxKDFTime      = 64
	maxKDFMemoryKiB = 1 << 20 // 1 GiB
	saltSize        = 16      // RFC 9106 recommends 128 bits
)

// aad binds the clear fields to the ciphertext.
func aad(pub ed25519.PublicKey, nonce uint64, difficulty int) []byte {
	b := make([]byte, 0, 32+len(pub)+16)
	b = append(b, "BITCRAPS_KEYSTORE_V1"...)
	b = append(b, pub...)
	b = binary.BigEndian.AppendUint64(b, nonce)
	return binary.BigEndian.AppendUint64(b, uint64(difficulty))
}

func (ks *keystore) encrypt(pub ed25519.PublicKey, seed []byte, passphrase string, rand io.Reader) error {
	salt := make([]byte, saltSize)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return fmt.Errorf("identity: keystore salt: %w", err)
	}
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return fmt.Errorf("identity: keystore nonce: %w", err)
	}
	p := defaultKDF
	p.Salt = base64.StdEncoding.EncodeToString(salt)
	aead, err := chacha20poly1305.NewX(p.key(passphrase, salt))
	if err != nil {
		return fmt.Errorf("identity: keystore cipher: %w", err)
	}
	ct := aead.Seal(nil, nonce, seed, aad(pub, ks.PoWNonce, ks.PoWDifficulty))
	ks.Encryption = schemeArgonXCha
	ks.KDF = &p
	ks.AEADNonce = base64.StdEncoding.EncodeToString(nonce)
	ks.Ciphertext = base64.StdEncoding.EncodeToString(ct)
	return nil
}

func (ks *keystore) decrypt(pub ed25519.PublicKey, passphrase string) ([]byte, error) {
	p := ks.KDF
	if p == nil {
		return nil, fmt.Errorf("%w: encrypted keystore without kdf parameters", ErrCorruptKeystore)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	salt, err := base64.StdEncoding.DecodeString(p.Salt)
	if err != nil {
		return nil, fmt.Errorf("%w: kdf salt: %w", ErrCorruptKeystore, err)
	}
	nonce, err := base64.StdEncoding.DecodeString(ks.AEADNonce)
	if err != nil || len(nonce) != chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("%w: aead_nonce must be %d bytes of base64", ErrCorruptKeystore, chacha20poly1305.NonceSizeX)
	}
	ct, err := base64.StdEncoding.DecodeString(ks.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext: %w", ErrCorruptKeystore, err)
	}
	aead, err := chacha20poly1305.NewX(p.key(passphrase, salt))
	if err != nil {
		return nil, fmt.Errorf("identity: keystore cipher: %w", err)
	}
	seed, err := aead.Open(nil, nonce, ct, aad(pub, ks.PoWNonce, ks.PoWDifficulty))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return seed, nil
}

func (p *kdfParams) check() error {
	if p.Time < 1 || p.Time > maxKDFTime || p.Threads < 1 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxKDFMemoryKiB {
		return fmt.Errorf("%w: kdf costs out of range (time %d, memory %d KiB, threads %d)",
			ErrCorruptKeystore, p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

func (p *kdfParams) key(passphrase string, salt []byte) []byte {
	return argon2.IDKey([]byte(passphrase), salt, p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
}
