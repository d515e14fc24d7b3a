package tcp

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/messages"
)

// pace takes n bytes of tokens from lim (nil: unlimited), in burst-sized
// pieces so a frame larger than the bucket is spread over time instead of
// refused. It runs in a connection goroutine, never in the actor, and
// returns false if done closed while waiting.
func (a *Actor) pace(lim *rate.Limiter, n int, direction string, done <-chan struct{}) bool {
	if lim == nil {
		return true
	}
	for n > 0 {
		k := min(n, lim.Burst())
		r := lim.ReserveN(time.Now(), k)
		if d := r.Delay(); d > 0 {
			a.opts.Metrics.Throttled.WithLabelValues(messages.TransportTCP, direction).Inc()
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-done:
				t.Stop()
				r.Cancel()
				return false
			}
		}
		n -= k
	}
	return true
}
