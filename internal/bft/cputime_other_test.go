//go:build !unix

package bft

func cpuNanos() int64 { return 0 }
