package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// Report is the result of Verify: the body of GET /api/v1/ledger/verify.
type Report struct {
	OK bool `json:"ok"`
	// StateHash is the hash of the stored balances.
	StateHash string `json:"state_hash"`
	// ReplayStateHash is the hash of the balances rebuilt from the op log.
	ReplayStateHash string `json:"replay_state_hash"`
	TotalGrants     int64  `json:"total_grants"`
	TotalWallets    int64  `json:"total_wallets"`
	TotalChips      int64  `json:"total_chips"`
	TotalBanks      int64  `json:"total_banks"`
	Accounts        int    `json:"accounts"`
	Ops             uint64 `json:"ops"`
	Evidence        int    `json:"evidence"`
	// Money is the node's money mode (ModeTreasury, ModePlayMoney); empty
	// when the deployment is not known (an offline check).
	Money string `json:"money,omitempty"`
	// PlayMoneyGrants counts the play-money grants in the op log, and
	// TreasuryGrants the treasury grants by the key that signed them: in
	// a treasury deployment only that key's are allowed.
	PlayMoneyGrants int                     `json:"play_money_grants"`
	TreasuryGrants  map[identity.PeerID]int `json:"treasury_grants,omitempty"`
	// Problems says what is wrong, one line each (empty when OK).
	Problems []string `json:"problems"`
}

// maxProblems bounds a report: past the first few, more lines add
// nothing a reader can act on.
const maxProblems = 20

func (r *Report) countGrant(op Op) {
	switch {
	case op.TreasuryGrantOp():
		if r.TreasuryGrants == nil {
			r.TreasuryGrants = map[identity.PeerID]int{}
		}
		r.TreasuryGrants[op.Treasury]++
	case op.Kind == KindGrant:
		r.PlayMoneyGrants++
	}
}

// checkGrants adds a problem for every grant the replay found that this
// deployment's policy would refuse: a store kept from play money under a
// treasury, or from another treasury. A node halts on it at start.
func (m Money) checkGrants(rep *Report) {
	if m.anyMode {
		return
	}
	rep.Money = m.Mode()
	if m.Treasury != "" && rep.PlayMoneyGrants > 0 {
		rep.problem("%d play-money grants in a treasury deployment (--treasury-key %s): start the node on a fresh data dir",
			rep.PlayMoneyGrants, m.Treasury.Short())
	}
	for key, n := range rep.TreasuryGrants {
		switch {
		case m.Treasury == "":
			rep.problem("%d grants signed by treasury %s, but this node runs play money (no --treasury-key)", n, key.Short())
		case key != m.Treasury:
			rep.problem("%d grants signed by %s, which is not this deployment's treasury %s", n, key.Short(), m.Treasury.Short())
		}
	}
	rep.OK = len(rep.Problems) == 0
}

func (r *Report) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	} else if len(r.Problems) == maxProblems {
		r.Problems = append(r.Problems, "(more problems not listed)")
	}
}

// Verify checks the ledger at one instant: Σ wallets + Σ chips + Σ banks =
// Σ grants exactly, no balance is negative, and replaying the op log from
// empty rebuilds exactly the stored state (balances, op index, sequence
// numbers, tables, freezes). Writes go on meanwhile. An error means the
// check could not run; a failed check is a Report with OK false.
func (l *Ledger) Verify() (Report, error) {
	start := time.Now()
	var rep Report
	err := l.read(func(pebble.Reader) error {
		snap := l.db.NewSnapshot()
		defer snap.Close()
		var err error
		rep, err = verifyReader(snap, l.rules.certs)
		if err == nil {
			l.rules.money.checkGrants(&rep)
		}
		return err
	})
	if err == nil {
		l.metrics.verified(rep.OK, time.Since(start))
	}
	return rep, err
}

func verifyReader(r pebble.Reader, certs CertificateVerifier) (Report, error) {
	rep, err := checkSums(r)
	if err != nil {
		return rep, err
	}
	rep.Ops, rep.Evidence = 0, 0 // counted again by the replay, from the log
	replayed, complete, err := replayLog(r, certs, &rep)
	if err != nil {
		return rep, err
	}
	if rep.StateHash, err = storeStateHash(r); err != nil {
		return rep, err
	}
	same := false
	if complete {
		if same, err = compareStore(r, replayed, &rep); err != nil {
			return rep, err
		}
	}
	// An exact match of every key means equal balances: hashing (and
	// sorting) the replayed state again would only repeat StateHash.
	rep.ReplayStateHash = rep.StateHash
	if !same {
		rep.ReplayStateHash = memStateHash(replayed)
	}
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// CheckBalances is the cheap half of Verify, for when the full replay
// costs too much (at every start and snapshot of a big ledger): Σ wallets +
// Σ chips + Σ banks = Σ grants, no negative balance, and the state hash.
// It reads every balance and op id once and replays nothing, so the
// Report's ReplayStateHash is empty.
func (l *Ledger) CheckBalances() (Report, error) {
	var rep Report
	err := l.read(func(pebble.Reader) error {
		snap := l.db.NewSnapshot()
		defer snap.Close()
		var err error
		if rep, err = checkSums(snap); err == nil {
			rep.StateHash, err = storeStateHash(snap)
		}
		return err
	})
	return rep, err
}

// checkSums checks the sums and signs of balances and counts the applied
// ops and evidence, without the replay.
func checkSums(r pebble.Reader) (Report, error) {
	rep := Report{Problems: []string{}}
	if err := sumAccounts(r, &rep); err != nil {
		return rep, err
	}
	grants, _, err := newTxn(readerKV{r}).getU64([]byte(keyGrants), "total grants")
	if err != nil {
		rep.problem("total grants unreadable: %v", err)
	}
	rep.TotalGrants = int64(grants)
	if sum, ok := sum3(rep.TotalWallets, rep.TotalChips, rep.TotalBanks); !ok || sum != rep.TotalGrants {
		rep.problem("Σ wallets %d + Σ chips %d + Σ banks %d = %d, but Σ grants = %d",
			rep.TotalWallets, rep.TotalChips, rep.TotalBanks, sum, rep.TotalGrants)
	}
	err = scan(r, prefixOp, func(_, _ []byte) error { rep.Ops++; return nil })
	if err == nil {
		err = scan(r, prefixFrozen, func(_, _ []byte) error { rep.Evidence++; return nil })
	}
	rep.OK = len(rep.Problems) == 0
	return rep, err
}

func sum3(a, b, c int64) (int64, bool) {
	ab, ok1 := addChecked(a, b)
	abc, ok2 := addChecked(ab, c)
	return abc, ok1 && ok2
}

func sumAccounts(r pebble.Reader, rep *Report) error {
	return scan(r, prefixAccount, func(k, v []byte) error {
		rep.Accounts++
		a, err := accountFromKey(k)
		if err != nil {
			rep.problem("%v", err)
			return nil
		}
		bal, err := decodeI64(v, a.String())
		if err != nil {
			rep.problem("%v", err)
			return nil
		}
		if bal < 0 {
			rep.problem("%s is negative: %d", a, bal)
		}
		total := &rep.TotalBanks
		switch a.Kind {
		case Wallet:
			total = &rep.TotalWallets
		case Chips:
			total = &rep.TotalChips
		}
		next, ok := addChecked(*total, bal)
		if !ok {
			rep.problem("Σ %ss overflows at %s", a.Kind, a)
		}
		*total = next
		return nil
	})
}

// compareStore checks that the store holds exactly what the replay built,
// and says whether it does. One pass over the store with map lookups;
// only when keys are missing from the store are the replay's keys sorted,
// to name them in order.
func compareStore(r pebble.Reader, mem memKV, rep *Report) (bool, error) {
	before := len(rep.Problems)
	matched := 0
	err := scan(r, "", func(k, v []byte) error {
		want, ok := mem[string(k)]
		switch {
		case !ok:
			rep.problem("store has %s, which no op explains", describeKey(k))
		case !bytes.Equal(want, v):
			rep.problem("%s differs from its replayed value", describeKey(k))
			matched++
		default:
			matched++
		}
		return nil
	})
	if err != nil || matched == len(mem) {
		return err == nil && len(rep.Problems) == before, err
	}
	for _, k := range sortedKeys(mem, "") {
		if _, closer, err := r.Get([]byte(k)); err == nil {
			closer.Close()
		} else {
			rep.problem("replay has %s but the store does not", describeKey([]byte(k)))
		}
	}
	return false, nil
}

func describeKey(k []byte) string {
	s := string(k)
	switch {
	case bytes.HasPrefix(k, []byte(prefixAccount)):
		if a, err := accountFromKey(k); err == nil {
			return "account " + a.String()
		}
	case bytes.HasPrefix(k, []byte(prefixOp)) && len(k) == len(prefixOp)+len(OpID{}):
		var id OpID
		copy(id[:], k[len(prefixOp):])
		return "op index entry " + id.String()
	case bytes.HasPrefix(k, []byte(prefixLog)) && len(k) == len(prefixLog)+8:
		return fmt.Sprintf("op log entry %d", binary.BigEndian.Uint64(k[len(prefixLog):]))
	}
	return fmt.Sprintf("key %q", s)
}
