package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bitcraps/bitcraps/internal/backup"
)

// Backups takes a node's backups on demand (the "backup" service).
type Backups interface {
	// Create backs the node up now to `to` (nil: its --backup-to),
	// telling progress each step; progress must not block. The error is
	// ErrBackupBusy while another backup runs.
	Create(ctx context.Context, to []string, progress func(backup.Progress)) (backup.Result, error)
}

// ErrBackupBusy answers a backup asked for while one runs.
var ErrBackupBusy = errors.New("a backup is already running")

// backupRequest is the optional body of POST /api/v1/backups.
type backupRequest struct {
	To []string `json:"to"`
}

// backupLine is one line of the answer's NDJSON stream: progress lines,
// then one line with the result and, unless every destination confirmed,
// the error naming the ones that failed.
type backupLine struct {
	Progress *backup.Progress `json:"progress,omitempty"`
	Result   *backup.Result   `json:"result,omitempty"`
	Error    *Error           `json:"error,omitempty"`
}

// backupProgressBuffer: a backup has a handful of steps per destination;
// past this a slow client misses progress lines, never the result.
const backupProgressBuffer = 64

// backupOutcome is what Backups.Create returned.
type backupOutcome struct {
	res backup.Result
	err error
}

func (s *Server) mountBackups() {
	s.handle("POST /api/v1/backups", func(w http.ResponseWriter, r *http.Request) error {
		var req backupRequest
		if err := decodeBody(w, r, &req, true); err != nil {
			return err
		}
		progress := make(chan backup.Progress, backupProgressBuffer)
		done := make(chan backupOutcome, 1)
		go func() {
			res, err := s.opts.Backups.Create(r.Context(), req.To, func(p backup.Progress) {
				select {
				case progress <- p:
				default:
				}
			})
			done <- backupOutcome{res, err}
		}()
		return s.streamBackup(w, progress, done)
	})
}

// streamBackup answers with a plain JSON error if the backup fails before
// its first step (busy, bad destination), else streams its progress and
// ends with the result.
func (s *Server) streamBackup(w http.ResponseWriter, progress <-chan backup.Progress, done <-chan backupOutcome) error {
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	started := false
	write := func(line backupLine) {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		_ = rc.SetWriteDeadline(time.Now().Add(s.limits.streamWrite))
		_ = enc.Encode(line)
		_ = rc.Flush()
	}
	for {
		select {
		case p := <-progress:
			write(backupLine{Progress: &p})
		case o := <-done:
			for len(progress) > 0 {
				p := <-progress
				write(backupLine{Progress: &p})
			}
			if !started && o.err != nil {
				return backupRefusal(o.err)
			}
			line := backupLine{Result: &o.res}
			if o.err != nil {
				line.Error = &Error{http.StatusBadGateway, "backup_failed", o.err.Error()}
			}
			write(line)
			return nil
		}
	}
}

func backupRefusal(err error) error {
	switch {
	case errors.Is(err, ErrBackupBusy):
		return &Error{http.StatusConflict, "busy", err.Error()}
	case errors.Is(err, backup.ErrDestination), errors.Is(err, backup.ErrRecipients):
		return badRequest(err.Error())
	}
	return err
}
