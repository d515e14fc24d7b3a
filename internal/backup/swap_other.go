//go:build !linux

package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// swapIn moves dataDir aside and staging into its place. Without Linux's
// RENAME_EXCHANGE these are two renames: a crash between them leaves the
// old content at dataDir.replaced-TIME and the restored copy at staging.
func swapIn(staging, dataDir string, now time.Time) (string, error) {
	replaced := ""
	if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
		replaced = dataDir + ".replaced-" + now.UTC().Format(nameStamp)
		if err := os.Rename(dataDir, replaced); err != nil {
			return "", fmt.Errorf("move %s aside: %w", dataDir, err)
		}
	}
	if err := os.Rename(staging, dataDir); err != nil {
		return replaced, fmt.Errorf("move the restored copy to %s: %w", dataDir, err)
	}
	return replaced, syncDir(filepath.Dir(dataDir))
}
