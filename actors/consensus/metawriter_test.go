package consensus

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// Saves of one table's record land in the order they were sent, whatever
// the disk does: the newest record is the one a restart loads.
func TestTableRecordsAreWrittenInOrder(t *testing.T) {
	id, err := identity.Generate(rand.NewChaCha8([32]byte{7}), 4)
	if err != nil {
		t.Fatal(err)
	}
	props, err := NewProps(Options{DataDir: t.TempDir(), Identity: id, TickInterval: 10 * time.Millisecond,
		Mesh: actor.NewPID("nonhost", "mesh")})
	if err != nil {
		t.Fatal(err)
	}
	sys := actor.NewActorSystem()
	defer sys.Shutdown()
	svc := sys.Root.Spawn(props())
	const saves = 300
	for v := 1; v <= saves; v++ {
		sys.Root.Send(svc, &messages.ConsensusSaveTable{TableID: "t", Record: fmt.Appendf(nil, `{"version":%d}`, v)})
	}
	res, err := sys.Root.RequestFuture(svc, &messages.ConsensusSaveTable{TableID: "t", Record: []byte(`{"version":"last"}`)}, 10*time.Second).Result()
	if err != nil || res.(*messages.ConsensusAck).Err != nil {
		t.Fatalf("last save: %v %v", err, res)
	}
	res, err = sys.Root.RequestFuture(svc, &messages.ConsensusLoadTables{}, 10*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	got := res.(*messages.ConsensusTables)
	if got.Err != nil || string(got.Records["t"]) != `{"version":"last"}` {
		t.Fatalf("loaded %q (%v), want the last save", got.Records["t"], got.Err)
	}
}
