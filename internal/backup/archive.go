package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
)

// maxManifestBytes bounds the manifest read before anything is trusted.
const maxManifestBytes = 4 << 20

// writeArchive writes the staged files m lists, manifest first, as a tar
// stream compressed with zstd and encrypted to recipients. Nothing
// unencrypted reaches w.
func writeArchive(w io.Writer, staging string, m *Manifest, recipients []age.Recipient) error {
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRecipients, err)
	}
	zw, err := zstd.NewWriter(enc)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeEntry(tw, ManifestFile, int64(len(raw)), strings.NewReader(string(raw))); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := copyEntry(tw, staging, f); err != nil {
			return err
		}
	}
	// Close in order: each layer flushes into the next; age writes its
	// final chunk last, so a reader can tell a whole archive from a cut one.
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finish tar: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish zstd: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("finish age: %w", err)
	}
	return nil
}

func copyEntry(tw *tar.Writer, staging string, f File) error {
	src, err := os.Open(filepath.Join(staging, filepath.FromSlash(f.Path)))
	if err != nil {
		return err
	}
	defer src.Close()
	return writeEntry(tw, f.Path, f.Size, io.LimitReader(src, f.Size))
}

func writeEntry(tw *tar.Writer, name string, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	if _, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}

// extractArchive decrypts r with identities and unpacks it into dst (which
// must exist and be empty), checking every file against the manifest, and
// reads the stream to its authenticated end: a tampered or truncated
// archive is ErrCorrupt, an archive none of the identities opens is
// ErrWrongKey. The manifest is not yet Checked.
func extractArchive(r io.Reader, identities []age.Identity, dst string) (*Manifest, error) {
	dec, err := age.Decrypt(r, identities...)
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch):
		return nil, fmt.Errorf("%w: %w", ErrWrongKey, err)
	case err != nil:
		return nil, fmt.Errorf("%w: decrypt: %w", ErrCorrupt, err)
	}
	zr, err := zstd.NewReader(dec)
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	m, err := readManifest(tr)
	if err != nil {
		return nil, err
	}
	want := map[string]File{}
	for _, f := range m.Files {
		if !safePath(f.Path) {
			return nil, fmt.Errorf("%w: manifest names the path %q, outside the data dir", ErrCorrupt, f.Path)
		}
		want[f.Path] = f
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: read archive: %w", ErrCorrupt, err)
		}
		f, ok := want[h.Name]
		if !ok || h.Typeflag != tar.TypeReg || h.Size != f.Size {
			return nil, fmt.Errorf("%w: entry %q (%d bytes) is not in the manifest as such", ErrCorrupt, h.Name, h.Size)
		}
		delete(want, h.Name)
		if err := extractFile(tr, dst, f); err != nil {
			return nil, err
		}
	}
	for p := range want {
		return nil, fmt.Errorf("%w: manifest lists %s, the archive lacks it", ErrCorrupt, p)
	}
	// Read to the end: age authenticates its last chunk only there.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("%w: after the last file: %w", ErrCorrupt, err)
	}
	return m, nil
}

func readManifest(tr *tar.Reader) (*Manifest, error) {
	h, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("%w: read manifest: %w", ErrCorrupt, err)
	}
	if h.Name != ManifestFile || h.Size > maxManifestBytes {
		return nil, fmt.Errorf("%w: first entry is %q (%d bytes), want %s", ErrCorrupt, h.Name, h.Size, ManifestFile)
	}
	raw, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("%w: read manifest: %w", ErrCorrupt, err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %w", ErrCorrupt, err)
	}
	return &m, nil
}

func extractFile(r io.Reader, dst string, f File) error {
	path := filepath.Join(dst, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	err = errors.Join(err, out.Close())
	switch {
	case err != nil:
		return fmt.Errorf("%w: unpack %s: %w", ErrCorrupt, f.Path, err)
	case n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256:
		return fmt.Errorf("%w: %s does not match its manifest entry", ErrCorrupt, f.Path)
	}
	return nil
}

// ParseRecipients reads age public keys ("age1..."), one per entry.
func ParseRecipients(keys []string) ([]age.Recipient, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no recipient (--backup-recipient / BITCRAPS_BACKUP_RECIPIENTS)", ErrRecipients)
	}
	var out []age.Recipient
	for _, k := range keys {
		// X25519 only: what Debian's age (1.1) can also decrypt.
		r, err := age.ParseX25519Recipient(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("%w: recipient %q: want an age public key (age1..., as age-keygen prints): %w", ErrRecipients, k, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadIdentities reads an age identity file (as age-keygen writes it).
func ReadIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --identity %s: %w", ErrRecipients, path, err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("%w: --identity %s: %w", ErrRecipients, path, err)
	}
	return ids, nil
}
