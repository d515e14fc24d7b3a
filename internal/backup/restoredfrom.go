package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// restoredFromFile marks a data dir Restore wrote, until the node first
// starts on it and reports where it came from (TakeRestoredFrom).
const restoredFromFile = "backup-restored.json"

// RestoredFrom says which backup a data dir was restored from.
type RestoredFrom struct {
	Name       string    `json:"name"`
	PeerID     string    `json:"peer_id"`
	CreatedAt  time.Time `json:"created_at"`
	RestoredAt time.Time `json:"restored_at"`
	StateHash  string    `json:"ledger_state_hash"`
	// HighestCertified is each table's round in the backup: the node
	// catches up from there.
	HighestCertified map[string]uint64 `json:"highest_certified_rounds"`
}

// Behind is how old the backup was when the node started on it.
func (r RestoredFrom) Behind(now time.Time) time.Duration { return now.Sub(r.CreatedAt) }

func writeRestoredFrom(dir, name string, m *Manifest, now time.Time) error {
	raw, err := json.MarshalIndent(RestoredFrom{Name: name, PeerID: m.PeerID, CreatedAt: m.CreatedAt, RestoredAt: now.UTC(),
		StateHash: m.Ledger.StateHash, HighestCertified: m.HighestCertified}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, restoredFromFile), append(raw, '\n'), 0o600)
}

// TakeRestoredFrom reads and removes dataDir's restore marker: nil when
// the dir was not just restored. The node calls it once at start, to say
// how far behind it starts.
func TakeRestoredFrom(dataDir string) (*RestoredFrom, error) {
	path := filepath.Join(dataDir, restoredFromFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r RestoredFrom
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, os.Remove(path)
}
