// Package atomicfile writes a file so that a crash leaves the old file or
// the new one, never a torn one. Files a node reads back at start (the API
// token, exported tables) must never be half-written: a torn token would
// refuse the next start, a torn export would fail verification.
package atomicfile
