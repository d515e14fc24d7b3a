package table

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/messages"
)

// Metrics are the game manager's Prometheus series. A nil *Metrics counts
// nothing.
type Metrics struct {
	requests  *prometheus.CounterVec
	settled   prometheus.Counter
	ledgerErr *prometheus.CounterVec
	tables    prometheus.Gauge
	announced prometheus.Counter
	followed  *prometheus.CounterVec
	watched   *prometheus.GaugeVec
	behind    prometheus.Gauge
}

// NewMetrics registers the series with reg; nil reg gives nil Metrics.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_games_requests_total", Help: "Requests to the game manager, by kind and result code (ok or a user error code).",
		}, []string{"kind", "code"}),
		settled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_games_rounds_settled_total", Help: "Certified rounds settled in the local ledger.",
		}),
		ledgerErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_games_ledger_refusals_total", Help: "Ledger ops of tables the ledger refused, by op kind.",
		}, []string{"kind"}),
		tables: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_games_tables", Help: "Tables this node hosts or sits at.",
		}),
		announced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_games_announcements_total", Help: "Table announcements this node sent.",
		}),
		followed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_games_followed_total",
			Help: "What the chains of tables this node does not sit at did with what they were sent, by kind (certificate, unseating, settle_gossip, announcement, history_ask, follower) and result (accepted, refused).",
		}, []string{"kind", "result"}),
		watched: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bitcraps_games_watched_tables",
			Help: "Tables in play this node follows without sitting at them, by how current its view is (live, catching_up, stale).",
		}, []string{"sync"}),
		behind: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_games_watched_rounds_behind",
			Help: "The most certified rounds one followed table is behind the newest this node has heard of.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.settled, m.ledgerErr, m.tables, m.announced, m.followed, m.watched, m.behind} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("games metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) request(kind, code string) {
	if m != nil {
		m.requests.WithLabelValues(kind, code).Inc()
	}
}

func (m *Metrics) roundSettled() {
	if m != nil {
		m.settled.Inc()
	}
}

func (m *Metrics) ledgerRefused(kind string) {
	if m != nil {
		m.ledgerErr.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) setTables(n int) {
	if m != nil {
		m.tables.Set(float64(n))
	}
}

func (m *Metrics) announcement() {
	if m != nil {
		m.announced.Inc()
	}
}

// watching sets the followed tables by sync state and the most rounds
// one is behind.
func (m *Metrics) watching(bySync map[string]int, behind uint64) {
	if m != nil {
		for _, s := range []string{messages.SyncLive, messages.SyncCatchingUp, messages.SyncStale} {
			m.watched.WithLabelValues(s).Set(float64(bySync[s]))
		}
		m.behind.Set(float64(behind))
	}
}

func (m *Metrics) follow(kind string, err error) {
	if m != nil {
		result := "accepted"
		if err != nil {
			result = "refused"
		}
		m.followed.WithLabelValues(kind, result).Inc()
	}
}
