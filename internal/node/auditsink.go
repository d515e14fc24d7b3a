package node

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/metric"
)

// auditQueue bounds the entries waiting for the audit writer. Actors hand
// entries over without blocking (an fsync must never run in Receive); 1,024
// covers bursts of service events many times over.
const auditQueue = 1024

// auditSink moves audit entries from actors (which must not block) to the
// audit log's writer goroutine.
type auditSink struct {
	log     *audit.Log
	logger  *slog.Logger
	entries chan auditEntry
	dropped prometheus.Counter
	done    sync.WaitGroup
	once    sync.Once
}

type auditEntry struct {
	kind   audit.Kind
	detail any
}

func openAudit(dataDir string, id *identity.Identity, logger *slog.Logger, reg *prometheus.Registry) (*auditSink, error) {
	l, err := audit.Open(dataDir, id.PrivateKey, time.Now, audit.NewMetrics(reg))
	if err != nil {
		return nil, fmt.Errorf("open audit trail: %w", err)
	}
	s := &auditSink{log: l, logger: logger, entries: make(chan auditEntry, auditQueue),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.AuditDroppedTotal,
			Help: "Audit entries dropped because the writer's queue was full.",
		})}
	reg.MustRegister(s.dropped)
	s.done.Add(1)
	go s.write()
	return s, nil
}

func (s *auditSink) write() {
	defer s.done.Done()
	for e := range s.entries {
		if _, err := s.log.Append(e.kind, e.detail); err != nil {
			s.logger.Error("audit append failed", "kind", e.kind, "err", err)
		}
	}
}

// record queues an entry without blocking; a full queue is counted and logged.
func (s *auditSink) record(kind audit.Kind, detail any) {
	select {
	case s.entries <- auditEntry{kind, detail}:
	default:
		s.dropped.Inc()
		s.logger.Warn("audit queue full, entry dropped", "kind", kind)
	}
}

// hook adapts record to the supervisor's Audit option.
func (s *auditSink) hook(kind string, detail any) { s.record(audit.Kind(kind), detail) }

// close drains the queue and closes the log.
func (s *auditSink) close() error {
	s.once.Do(func() { close(s.entries) })
	s.done.Wait()
	if err := s.log.Close(); err != nil {
		return fmt.Errorf("close audit trail: %w", err)
	}
	return nil
}
