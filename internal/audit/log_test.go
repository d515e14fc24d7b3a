package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEntryFieldsAndClock(t *testing.T) {
	key := newKey(t)
	l, err := Open(t.TempDir(), key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e1, err := l.Append(KindServiceStart, map[string]string{"service": "ledger"})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := l.Append(KindConfigLoaded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e1.Seq != 1 || e2.Seq != 2 || e2.PrevHash != e1.Hash || e1.PrevHash != hex.EncodeToString(make([]byte, 32)) {
		t.Fatalf("chain fields wrong: %+v %+v", e1, e2)
	}
	if e1.Time != "2026-11-22T10:00:00.124456789Z" || e2.Time != "2026-11-22T10:00:00.125456789Z" {
		t.Fatalf("times %q %q do not come from the clock", e1.Time, e2.Time)
	}
	if string(e2.Detail) != "{}" || string(e1.Detail) != `{"service":"ledger"}` {
		t.Fatalf("details %s %s", e1.Detail, e2.Detail)
	}
	if h := l.Head(); h.Seq != 2 || h.Hash != e2.Hash {
		t.Fatalf("head %+v", h)
	}
}

func TestDetailIsCanonical(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	details := []any{
		json.RawMessage(`{ "b" : 1,  "a":"<&>" }`),
		map[string]any{"z": "é ☃ \u2028", "a": []int{1, 2}},
		struct {
			Table string `json:"table"`
		}{"t1"},
	}
	for _, d := range details {
		if _, err := l.Append(KindTableCreated, d); err != nil {
			t.Fatalf("append %v: %v", d, err)
		}
	}
	l.Close()
	if _, err := VerifyFile(Path(dir), pub(key)); err != nil {
		t.Fatal(err)
	}
	if lines := readLines(t, dir); !bytes.Contains(lines[0], []byte(`"detail":{"b":1,"a":"\u003c\u0026\u003e"}`)) {
		t.Fatalf("raw detail not compacted: %s", lines[0])
	}
}

func TestBadEntriesRefused(t *testing.T) {
	key := newKey(t)
	l, err := Open(t.TempDir(), key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cases := []struct {
		kind   Kind
		detail any
	}{
		{"", nil},
		{"Table Created", nil},
		{Kind(bytes.Repeat([]byte("a"), 65)), nil},
		{KindMoneyOp, 5},
		{KindMoneyOp, "text"},
		{KindMoneyOp, []int{1}},
		{KindMoneyOp, json.RawMessage(`{"a":`)},
		{KindMoneyOp, map[string]string{"x": string(bytes.Repeat([]byte("y"), MaxDetailBytes))}},
		{KindMoneyOp, make(chan int)},
	}
	for _, c := range cases {
		if _, err := l.Append(c.kind, c.detail); !errors.Is(err, ErrBadEntry) {
			t.Errorf("Append(%q, %T): got %v, want ErrBadEntry", c.kind, c.detail, err)
		}
	}
	if h := l.Head(); h.Seq != 0 {
		t.Fatalf("refused entries advanced the log to %d", h.Seq)
	}
}

func TestReopenContinuesChain(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 3)
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.Append(KindServiceStop, nil)
	if err != nil || e.Seq != 4 {
		t.Fatalf("append after reopen: seq %d, %v", e.Seq, err)
	}
	l.Close()
	if sum, err := VerifyFile(Path(dir), pub(key)); err != nil || sum.Entries != 4 {
		t.Fatalf("%+v, %v", sum, err)
	}
}

func TestTornTailCutOnOpen(t *testing.T) {
	key := newKey(t)
	for name, tail := range map[string][]byte{
		"half a line":      []byte(`{"seq":4,"time":"2026-11-22T10:00:00.1Z","kind":"money.op","det`),
		"zeros after sync": make([]byte, 300),
		"one byte":         []byte("{"),
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeLog(t, key, 3)
			good, _ := os.ReadFile(Path(dir))
			appendRaw(t, dir, tail)
			if sum, err := VerifyFile(Path(dir), pub(key)); err != nil || sum.Entries != 3 || sum.TornBytes != int64(len(tail)) {
				t.Fatalf("offline verify of a crashed log: %+v, %v", sum, err)
			}
			l, err := Open(dir, key, stepClock(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if l.TornBytes() != int64(len(tail)) {
				t.Fatalf("TornBytes %d, want %d", l.TornBytes(), len(tail))
			}
			if now, _ := os.ReadFile(Path(dir)); !bytes.Equal(now, good) {
				t.Fatal("torn tail not cut back to the last complete entry")
			}
			if e, err := l.Append(KindServiceStart, nil); err != nil || e.Seq != 4 {
				t.Fatalf("append after recovery: %d, %v", e.Seq, err)
			}
			l.Close()
			if sum, err := VerifyFile(Path(dir), pub(key)); err != nil || sum.Entries != 4 || sum.TornBytes != 0 {
				t.Fatalf("after recovery: %+v, %v", sum, err)
			}
		})
	}
}

func TestTornFirstLineCut(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/audit", 0o700); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, dir, []byte(`{"seq":1,"ti`))
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := l.Append(KindServiceStart, nil); err != nil || e.Seq != 1 {
		t.Fatalf("first append after cutting a torn first line: %d, %v", e.Seq, err)
	}
	l.Close()
}

func TestCorruptLastEntryRefused(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 3)
	data, _ := os.ReadFile(Path(dir))
	i := bytes.LastIndex(data, []byte(`"amount":3000000`))
	data[i+len(`"amount":`)] = '4'
	if err := os.WriteFile(Path(dir), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, key, stepClock(), nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

func TestOtherKeyCannotContinue(t *testing.T) {
	dir := writeLog(t, newKey(t), 2)
	if _, err := Open(dir, newKey(t), stepClock(), nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

func TestSecondWriterLockedOut(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, key, stepClock(), nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: got %v, want ErrLocked", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(KindServiceStop, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: got %v, want ErrClosed", err)
	}
	l2, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	l2.Close()
}

func TestWriteErrorBreaksLog(t *testing.T) {
	key := newKey(t)
	l, err := Open(t.TempDir(), key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.f.Close() // the next write fails, as on a full or vanished disk
	if _, err := l.Append(KindMoneyOp, nil); err == nil {
		t.Fatal("append on a failed file succeeded")
	}
	if _, err := l.Append(KindMoneyOp, nil); !errors.Is(err, ErrBroken) {
		t.Fatalf("append after a write error: got %v, want ErrBroken", err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 40
	seqs := make(chan uint64, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				e, err := l.Append(KindMoneyOp, map[string]string{"id": fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- e.Seq
			}
		})
	}
	wg.Wait()
	close(seqs)
	seen := map[uint64]bool{}
	for s := range seqs {
		if seen[s] || s < 1 || s > writers*each {
			t.Fatalf("seq %d duplicated or out of range", s)
		}
		seen[s] = true
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if sum, err := VerifyFile(Path(dir), pub(key)); err != nil || sum.Entries != writers*each {
		t.Fatalf("%+v, %v", sum, err)
	}
}

func appendRaw(t *testing.T, dir string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(Path(dir), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}
