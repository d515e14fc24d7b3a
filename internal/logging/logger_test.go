package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestJSONLinesWriteDurationsAsStringsAndParse(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, true, false).Info("round certified", "table", "t1", "round", 3, "took", 1500*time.Millisecond)
	fields, err := ParseLine(bytes.TrimSpace(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if fields["took"] != "1.5s" || fields["table"] != "t1" || fields["msg"] != "round certified" {
		t.Fatalf("fields %v: want took 1.5s, table t1", fields)
	}
}

func TestParseLineRefusesARepeatedKey(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, true, false).With("service", "games").Info("x", "service", "games")
	_, err := ParseLine(bytes.TrimSpace(buf.Bytes()))
	if !errors.Is(err, ErrBadLine) || !strings.Contains(err.Error(), `key "service" repeated`) {
		t.Fatalf("line %s: err %v, want the repeated key named", buf.Bytes(), err)
	}
	for _, bad := range []string{`{"a":{"b":1,"b":2}}`, `{"a":1} {"b":2}`, `not json`} {
		if _, err := ParseLine([]byte(bad)); !errors.Is(err, ErrBadLine) {
			t.Errorf("%s: err %v, want ErrBadLine", bad, err)
		}
	}
}

func TestDeadLettersDropToDebugOnlyWhileStopping(t *testing.T) {
	var buf bytes.Buffer
	var stopping Stopping
	log := slog.New(QuietDeadLetters(New(&buf, true, false).Handler(), &stopping)).With("component", "actor")
	log.Info("[DeadLetter]", "pid", "a")
	if !strings.Contains(buf.String(), "DeadLetter") {
		t.Fatalf("a dead letter while running was dropped: %q", buf.String())
	}
	buf.Reset()
	stopping.Store(true)
	log.Info("[DeadLetter]", "pid", "b")
	log.Info("actor stopped")
	if strings.Contains(buf.String(), "DeadLetter") || !strings.Contains(buf.String(), "actor stopped") {
		t.Fatalf("while stopping: %q, want only the other line", buf.String())
	}
}
