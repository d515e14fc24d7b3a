package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Root services the player routes ask, by their names under the root
// supervisor (team contract: root/<name>).
const (
	gamesService  = "games"
	ledgerService = "ledger"
	meshService   = "mesh"
)

// Services are the node's actors behind the player routes. Handlers ask
// them with RequestFuture and a timeout: the handler's goroutine waits, the
// actors never do.
type Services struct {
	// System is the node's actor system. It is called per request because
	// the node builds the system after the server binds; nil means the
	// services are not up yet (503 not_initialized).
	System func() *actor.ActorSystem
	// Service is the stable PID of a root service by name ("games",
	// "ledger", "mesh"), valid across its restarts.
	Service func(name string) *actor.PID
	// Player is the node's own player: whose balance /api/v1/balance shows.
	Player identity.PeerID
	// Serving says whether the node serves players (Running, or Degraded
	// with the failed part reported); otherwise 503 not_initialized.
	Serving func() bool
	// Timeout bounds a quick request (reads, bets, roll).
	Timeout time.Duration
	// LongTimeout bounds a request that waits on the network or the disk:
	// create, join and leave (the host seats and frees players over the
	// mesh), cancel, and the ledger's full verify. It must exceed the games service's own join
	// timeout, so the player sees the service's specific error, not ours.
	LongTimeout time.Duration
}

// Defaults, each with its reason.
const (
	// Five seconds: the games, ledger and mesh services answer from memory
	// or a local disk in milliseconds; longer means a wedged service.
	DefaultTimeout = 5 * time.Second
	// Thirty seconds: above the games service's 10 s join timeout with
	// room for the host's bank funding to sync, and enough for a verify of
	// a ledger with 100k accounts.
	DefaultLongTimeout = 30 * time.Second
)

func (s *Services) withDefaults() *Services {
	c := *s
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.LongTimeout <= 0 {
		c.LongTimeout = DefaultLongTimeout
	}
	if c.Serving == nil {
		c.Serving = func() bool { return true }
	}
	return &c
}

// errNotServing is the answer of every player route while the node starts
// or stops.
var errNotServing = &Error{http.StatusServiceUnavailable, messages.CodeNotInitialized,
	"the node is not running yet (or stopping); try again when GET /health/ready answers 200"}

// root is the system's root context, or not_initialized.
func (s *Services) root() (*actor.RootContext, error) {
	if !s.Serving() {
		return nil, errNotServing
	}
	sys := s.System()
	if sys == nil {
		return nil, errNotServing
	}
	return sys.Root, nil
}

// ask sends msg to a root service and waits for its answer.
func (s *Services) ask(service string, msg any, timeout time.Duration) (any, error) {
	root, err := s.root()
	if err != nil {
		return nil, err
	}
	res, err := root.RequestFuture(s.Service(service), msg, timeout).Result()
	switch {
	case errors.Is(err, actor.ErrTimeout):
		return nil, &Error{http.StatusGatewayTimeout, "timeout",
			fmt.Sprintf("the %s service did not answer within %s", service, timeout)}
	case errors.Is(err, actor.ErrDeadLetter):
		return nil, &Error{http.StatusServiceUnavailable, "unavailable",
			fmt.Sprintf("the %s service is not running (see GET /health)", service)}
	case err != nil:
		return nil, fmt.Errorf("ask %s: %w", service, err)
	}
	return res, nil
}

// askAs asks and checks the answer's type: a service that answers
// something else is a bug worth a clear 500, not a panic.
func askAs[T any](s *Services, service string, msg any, timeout time.Duration) (T, error) {
	var zero T
	res, err := s.ask(service, msg, timeout)
	if err != nil {
		return zero, err
	}
	out, ok := res.(T)
	if !ok {
		return zero, fmt.Errorf("%s service answered %T to %T, want %T", service, res, msg, zero)
	}
	return out, nil
}

// userErrorStatus maps the games service's stable codes to HTTP statuses.
var userErrorStatus = map[string]int{
	messages.CodeBadRequest:          http.StatusBadRequest,
	messages.CodeGrantRefused:        http.StatusForbidden,
	messages.CodeUnknownTable:        http.StatusNotFound,
	messages.CodeInsufficientBalance: http.StatusConflict,
	messages.CodeTableFull:           http.StatusConflict,
	messages.CodeBetNotAllowed:       http.StatusConflict,
	messages.CodeBankCannotCover:     http.StatusConflict,
	messages.CodeNotShooter:          http.StatusConflict,
	messages.CodeNotSeated:           http.StatusConflict,
	messages.CodeTooManyGames:        http.StatusConflict,
	messages.CodeTableInPlay:         http.StatusConflict,
	messages.CodeTableClosed:         http.StatusConflict,
	messages.CodeNotHost:             http.StatusForbidden,
	messages.CodeNotStarted:          http.StatusConflict,
	messages.CodeTablePaused:         http.StatusConflict,
	messages.CodeHostUnreachable:     http.StatusGatewayTimeout,
	messages.CodeRateLimited:         http.StatusTooManyRequests,
	messages.CodeNotInitialized:      http.StatusServiceUnavailable,
}

// serviceError turns an error a service answered with into the API's
// error: user errors keep their code and message, ledger conditions become
// 503/429, anything else is a 500 with the service named.
func serviceError(service string, err error) error {
	var ue *messages.UserError
	if errors.As(err, &ue) {
		status, ok := userErrorStatus[ue.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		e := &Error{status, ue.Code, ue.Message}
		if ue.Detail != nil {
			return &detailedError{err: e, detail: ue.Detail}
		}
		return e
	}
	switch {
	case errors.Is(err, ledger.ErrBusy):
		return &Error{http.StatusTooManyRequests, messages.CodeRateLimited, err.Error()}
	case errors.Is(err, ledger.ErrClosed), errors.Is(err, ledger.ErrHalted):
		return &Error{http.StatusServiceUnavailable, "unavailable", fmt.Sprintf("%s: %v", service, err)}
	}
	return fmt.Errorf("%s service: %w", service, err)
}
