package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// swapIn puts staging in dataDir's place in one step: renameat2 with
// RENAME_EXCHANGE swaps the two names atomically, so a crash leaves either
// the old dir or the restored one at dataDir, never neither. The old
// content then moves to dataDir.replaced-TIME. With no dataDir yet, a
// plain rename does.
func swapIn(staging, dataDir string, now time.Time) (string, error) {
	parent := filepath.Dir(dataDir)
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(staging, dataDir); err != nil {
			return "", fmt.Errorf("move the restored copy to %s: %w", dataDir, err)
		}
		return "", syncDir(parent)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, staging, unix.AT_FDCWD, dataDir, unix.RENAME_EXCHANGE); err != nil {
		return "", fmt.Errorf("swap the restored copy in for %s: %w", dataDir, err)
	}
	replaced := dataDir + ".replaced-" + now.UTC().Format(nameStamp)
	if err := os.Rename(staging, replaced); err != nil {
		return "", fmt.Errorf("restored; but moving the old content to %s: %w", replaced, err)
	}
	return replaced, syncDir(parent)
}
