package table

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/internal/metric"
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
	phases    *prometheus.HistogramVec
}

// NewMetrics registers the series with reg; nil reg gives nil Metrics.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.GamesRequestsTotal, Help: "Requests to the game manager, by kind and result code (ok or a user error code).",
		}, []string{"kind", "code"}),
		settled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.GamesRoundsSettledTotal, Help: "Certified rounds settled in the local ledger.",
		}),
		ledgerErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.GamesLedgerRefusalsTotal, Help: "Ledger ops of tables the ledger refused, by op kind.",
		}, []string{"kind"}),
		tables: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.GamesTables, Help: "Tables this node hosts or sits at.",
		}),
		announced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.GamesAnnouncementsTotal, Help: "Table announcements this node sent.",
		}),
		followed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.GamesFollowedTotal,
			Help: "What the chains of tables this node does not sit at did with what they were sent, by kind (certificate, unseating, settle_gossip, announcement, history_ask, follower) and result (accepted, refused).",
		}, []string{"kind", "result"}),
		watched: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metric.GamesWatchedTables,
			Help: "Tables in play this node follows without sitting at them, by how current its view is (live, catching_up, stale).",
		}, []string{"sync"}),
		behind: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.GamesWatchedRoundsBehind,
			Help: "The most certified rounds one followed table is behind the newest this node has heard of.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.settled, m.ledgerErr, m.tables, m.announced, m.followed, m.watched, m.behind} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("games metrics: %w", err)
		}
	}
	// Every known label value from the start, so the first refusal alerts
	// and a dashboard shows zeros rather than gaps. The requests' error
	// codes are many and appear as they happen; "ok" is there for each kind.
	for _, k := range []string{"bet", "cancel", "create", "export", "join", "leave", "roll", "rounds", "subscribe"} {
		m.requests.WithLabelValues(k, "ok")
	}
	for _, s := range []string{messages.SyncLive, messages.SyncCatchingUp, messages.SyncStale} {
		m.watched.WithLabelValues(s)
	}
	for _, k := range ledger.Kinds() {
		m.ledgerErr.WithLabelValues(k.String())
	}
	for _, k := range []string{"certificate", "unseating", "settle_gossip", "announcement", "history_ask", "follower"} {
		m.followed.WithLabelValues(k, "accepted")
		m.followed.WithLabelValues(k, "refused")
	}
	phases, err := metric.RoundPhases(reg)
	if err != nil {
		return nil, fmt.Errorf("games metrics: %w", err)
	}
	m.phases = phases
	return m, nil
}

func (m *Metrics) request(kind, code string) {
	if m != nil {
		m.requests.WithLabelValues(kind, code).Inc()
	}
}

// roundSettled counts a round settled in the ledger; certifiedAt, when
// known (this node certified it), times the settlement phase.
func (m *Metrics) roundSettled(certifiedAt time.Time) {
	if m != nil {
		m.settled.Inc()
		if !certifiedAt.IsZero() {
			m.phases.WithLabelValues(metric.PhaseCertifiedToSettled).Observe(time.Since(certifiedAt).Seconds())
		}
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
