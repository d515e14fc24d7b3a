package mesh

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/actors/transport"
	"github.com/bitcraps/bitcraps/actors/transport/ble"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// startBLEMeshNode is a mobile-mode node: a mesh actor (gossip off) over the
// real transport actor whose only child is the real ble actor, on an
// in-memory radio.
func startBLEMeshNode(t *testing.T, sys *actor.ActorSystem, air *ble.MemoryAir, name string, seed uint64) *meshNode {
	t.Helper()
	n, id := startMeshOnly(t, sys, name, messages.TransportBLE, "transport-"+name, seed)
	trPID := n.tcp
	radio := air.NewRadio(name, 185)
	bleOpts := ble.Options{
		Mode: config.BLEOn, Mobile: true, OpenRadio: func() (ble.Radio, error) { return radio, nil },
		Local: link.LocalFrom(id), Difficulty: testDifficulty, Reassembly: time.Second, Logger: testLogger(),
	}
	if _, err := ble.Props(bleOpts); err != nil {
		t.Fatal(err)
	}
	props, err := transport.NewProps(transport.Options{
		BLE:        func() *actor.Props { p, _ := ble.Props(bleOpts); return p },
		Subscriber: n.mesh,
		Logger:     testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := sys.Root.SpawnNamed(props(), "transport-"+name)
	if err != nil || !pid.Equal(trPID) {
		t.Fatalf("spawn transport-%s: %v", name, err)
	}
	t.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
	n.subscribe()
	return n
}

// TestLineTopologyOverBLE is the multi-hop BLE mesh: four phones in a row,
// each in radio range of its neighbours only.
func TestLineTopologyOverBLE(t *testing.T) {
	sys := quietSystem(t)
	air := ble.NewMemoryAir(400)
	names := []string{"A", "B", "C", "D"}
	for i := range names {
		for j := i + 2; j < len(names); j++ {
			air.Separate(names[i], names[j])
		}
	}
	var line []*meshNode
	for i, name := range names {
		line = append(line, startBLEMeshNode(t, sys, air, name, uint64(400+i)))
	}
	crossLine(t, waitLine(t, line))
}
