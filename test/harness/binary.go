package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary builds cmd/bitcraps once per test process and returns its path.
func Binary() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bitcraps-bin-")
		if err != nil {
			buildErr = fmt.Errorf("temp dir for binary: %w", err)
			return
		}
		buildPath = filepath.Join(dir, "bitcraps")
		cmd := exec.Command("go", "build", "-o", buildPath, "github.com/bitcraps/bitcraps/cmd/bitcraps")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build bitcraps: %w\n%s", err, out)
		}
	})
	return buildPath, buildErr
}
