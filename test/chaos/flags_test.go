//go:build chaos

package chaos

import (
	"flag"
	"time"
)

var (
	duration   = flag.Duration("duration", 5*time.Minute, "how long the tables play under faults (the checks come after)")
	seed       = flag.Uint64("seed", 0, "seed of the fault schedule and the load (0: from the clock; printed)")
	withFaults = flag.Bool("faults", true, "inject faults (false: the same run without faults, for comparison)")
)
