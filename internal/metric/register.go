package metric

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Register adds c to reg, or returns the identical collector registered
// there before, so a restarted actor, a second transport or a rebuilt
// service shares one set of series. A nil reg registers nothing. Any other
// error (a name clash with a different collector) is returned with c.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

// Unchecked returns the collector of a Register call and drops its error:
// for packages that leave a clashing series unregistered rather than fail
// the node over a metric.
func Unchecked[C prometheus.Collector](c C, _ error) C { return c }
