//go:build unix

package bft

import "syscall"

// cpuNanos is the process's user+system CPU time: on a shared machine the
// wall clock of a benchmark says more about the neighbours than the code.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
