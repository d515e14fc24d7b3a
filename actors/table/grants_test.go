package table

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bitcraps/bitcraps/internal/ledger"
)

func TestDecodeLedgerOpsTakesOneOpOrAChunkOfGrants(t *testing.T) {
	grant := ledger.Op{Kind: ledger.KindGrant, Owner: "aa", Amount: 1}
	buyIn := ledger.Op{Kind: ledger.KindBuyIn, Owner: "aa", Table: "t", Amount: 1, Seq: 1}
	encode := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tooMany := make([]ledger.Op, grantSyncChunk+1)
	for i := range tooMany {
		tooMany[i] = grant
	}
	for _, tc := range []struct {
		name    string
		payload []byte
		want    int
		refused bool
	}{
		{"one op (a broadcast)", encode(buyIn), 1, false},
		{"a chunk of grants (a peer connected)", encode([]ledger.Op{grant, grant}), 2, false},
		{"a list with another kind", encode([]ledger.Op{grant, buyIn}), 0, true},
		{"more grants than one chunk", encode(tooMany), 0, true},
		{"garbage", []byte("[{"), 0, true},
	} {
		ops, err := decodeLedgerOps(tc.payload)
		switch {
		case tc.refused && err == nil:
			t.Errorf("%s: decoded %d ops, want a refusal", tc.name, len(ops))
		case tc.refused && len(tc.payload) > 2 && !errors.Is(err, errNotGrant):
			t.Errorf("%s: %v, want errNotGrant", tc.name, err)
		case !tc.refused && (err != nil || len(ops) != tc.want):
			t.Errorf("%s: %d ops, %v; want %d", tc.name, len(ops), err, tc.want)
		}
	}
}
