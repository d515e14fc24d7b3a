package audit

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestAppendedLogVerifies(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 20)
	sum, err := VerifyFile(Path(dir), pub(key))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Entries != 20 || sum.TornBytes != 0 || len(sum.HeadHash) != 64 {
		t.Fatalf("summary %+v", sum)
	}
}

// Every single-bit change anywhere but the final newline is caught, and at
// the line that holds it.
func TestFlipAnyByteDetected(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 4)
	orig, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	for pos := 0; pos < len(orig)-1; pos++ {
		data := bytes.Clone(orig)
		data[pos] ^= 0x01
		_, err := verifyBytes(key, data)
		var verr *VerifyError
		if !errors.As(err, &verr) || !errors.Is(err, ErrTampered) {
			t.Fatalf("flip at byte %d (%q): got %v, want a VerifyError", pos, orig[pos], err)
		}
		if want := bytes.Count(orig[:pos], []byte("\n")) + 1; verr.Line != want {
			t.Fatalf("flip at byte %d: reported line %d, want %d (%v)", pos, verr.Line, want, err)
		}
	}
}

// Cutting the final newline turns the last entry into an unfinished line:
// indistinguishable from a crash mid-append, as documented.
func TestFinalNewlineCutLooksTorn(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 3)
	orig, _ := os.ReadFile(Path(dir))
	sum, err := verifyBytes(key, orig[:len(orig)-1])
	lines := readLines(t, dir)
	if err != nil || sum.Entries != 2 || sum.TornBytes != int64(len(lines[2])-1) {
		t.Fatalf("got %+v, %v", sum, err)
	}
}

func TestDroppedEntryDetected(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 6)
	lines := readLines(t, dir)
	for drop := 0; drop < len(lines)-1; drop++ {
		data := bytes.Join(append(append([][]byte{}, lines[:drop]...), lines[drop+1:]...), nil)
		_, err := verifyBytes(key, data)
		assertBadAt(t, err, drop+1, uint64(drop+2), "removed")
	}
	// Dropping the last entries leaves a valid, shorter log: only a head
	// kept elsewhere shows it.
	sum, err := verifyBytes(key, bytes.Join(lines[:5], nil))
	if err != nil || sum.Entries != 5 {
		t.Fatalf("truncated log: %+v, %v", sum, err)
	}
}

func TestSwappedEntriesDetected(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 6)
	lines := readLines(t, dir)
	for i := 0; i+1 < len(lines); i++ {
		swapped := append([][]byte{}, lines...)
		swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
		_, err := verifyBytes(key, bytes.Join(swapped, nil))
		assertBadAt(t, err, i+1, uint64(i+2), "reordered")
	}
}

func TestDuplicatedEntryDetected(t *testing.T) {
	key := newKey(t)
	lines := readLines(t, writeLog(t, key, 3))
	data := bytes.Join([][]byte{lines[0], lines[1], lines[1], lines[2]}, nil)
	_, err := verifyBytes(key, data)
	assertBadAt(t, err, 3, 2, "inserted")
}

func TestRewrittenChainNeedsTheKey(t *testing.T) {
	// An attacker who edits an entry and recomputes every hash still cannot
	// sign: the first edited entry fails on its signature.
	key := newKey(t)
	lines := readLines(t, writeLog(t, key, 3))
	forger := newKey(t)
	e, _ := decodeLine(bytes.TrimSuffix(lines[1], []byte("\n")))
	e.Detail = []byte(`{"amount":999000000,"op":"buy_in"}`)
	var prev [32]byte
	first, _ := decodeLine(bytes.TrimSuffix(lines[0], []byte("\n")))
	copy(prev[:], mustHex(t, first.Hash))
	seal(e, prev, forger)
	forged, _ := encodeLine(e)
	_, err := verifyBytes(key, bytes.Join([][]byte{lines[0], append(forged, '\n')}, nil))
	assertBadAt(t, err, 2, 2, "signature")
}

func TestOtherSignerRejected(t *testing.T) {
	key, other := newKey(t), newKey(t)
	dir := writeLog(t, key, 2)
	_, err := VerifyFile(Path(dir), pub(other))
	assertBadAt(t, err, 1, 1, "signature")
	if _, err := VerifyFile(Path(dir), pub(key)[:10]); !errors.Is(err, ErrBadSigner) {
		t.Fatalf("short signer key: got %v", err)
	}
}

func TestOverlongLineRejected(t *testing.T) {
	key := newKey(t)
	data := append(bytes.Repeat([]byte("x"), maxLineBytes+10), '\n')
	_, err := verifyBytes(key, data)
	assertBadAt(t, err, 1, 1, "longer")
}

func TestVerifyReport(t *testing.T) {
	key := newKey(t)
	dir := writeLog(t, key, 3)
	ok := VerifyReport(Path(dir), pub(key))
	if !ok.OK || ok.Entries != 3 || ok.FirstBad != nil || ok.Error != "" || ok.Signer != strings.ToLower(ok.Signer) || len(ok.Signer) != 64 {
		t.Fatalf("good log report %+v", ok)
	}
	lines := readLines(t, dir)
	if err := os.WriteFile(Path(dir), bytes.Join([][]byte{lines[0], lines[2]}, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := VerifyReport(Path(dir), pub(key))
	if bad.OK || bad.Entries != 1 || bad.FirstBad == nil || bad.FirstBad.Line != 2 || bad.FirstBad.Seq != 3 || bad.Error == "" {
		t.Fatalf("tampered log report %+v", bad)
	}
	missing := VerifyReport(Path(t.TempDir()), pub(key))
	if missing.OK || missing.FirstBad != nil || !strings.Contains(missing.Error, "no audit log") {
		t.Fatalf("missing log report %+v", missing)
	}
}

func assertBadAt(t *testing.T, err error, line int, seq uint64, reason string) {
	t.Helper()
	var verr *VerifyError
	if !errors.As(err, &verr) || !errors.Is(err, ErrTampered) {
		t.Fatalf("got %v, want a VerifyError", err)
	}
	if verr.Line != line || verr.Seq != seq || !strings.Contains(err.Error(), reason) {
		t.Fatalf("got %v, want line %d seq %d mentioning %q", err, line, seq, reason)
	}
}
