package fragment

import "testing"

// FuzzAdd feeds arbitrary bytes as fragments: the reassembler must reject
// or store them, never panic, and never exceed its bounds.
func FuzzAdd(f *testing.F) {
	frags, _ := NewSplitter(3).Split([]byte("seed message for the fuzzer"), 23)
	for _, fr := range frags {
		f.Add(fr)
	}
	f.Add([]byte{Version, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	ra := NewReassembler(Config{MaxPendingPerPeer: 4, MaxMessageBytes: 1024})
	f.Fuzz(func(t *testing.T, b []byte) {
		ra.Add("fuzz", b, t0)
		if ra.Pending() > 4 {
			t.Fatalf("pending %d over the bound", ra.Pending())
		}
	})
}
