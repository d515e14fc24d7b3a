package identity

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFile puts data at the keystore path so that a crash leaves either the
// old file or the new one, never a torn one: write a temp file, fsync it,
// then rename (replace) or hard-link (create only, so a keystore that
// appeared meanwhile is never overwritten), then fsync the directory.
func writeFile(dataDir string, data []byte, replace bool) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("identity: create data dir: %w", err)
	}
	tmp, err := writeTemp(dataDir, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after a rename this is a harmless no-op
	final := KeystorePath(dataDir)
	if replace {
		err = os.Rename(tmp, final)
	} else {
		err = os.Link(tmp, final)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w at %s", ErrKeystoreExists, final)
		}
	}
	if err != nil {
		return fmt.Errorf("identity: install keystore %s: %w", final, err)
	}
	return syncDir(dataDir)
}

func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+KeystoreFile+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("identity: create temp keystore: %w", err)
	}
	name := f.Name()
	err = f.Chmod(0o600) // CreateTemp already uses 0600; state it anyway
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("identity: write temp keystore: %w", err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return fmt.Errorf("identity: open data dir for sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("identity: sync data dir: %w", err)
	}
	return nil
}
