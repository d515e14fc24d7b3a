package plugins

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"

	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

// EventMeshMessage is the type of a plugin message from another player
// (PluginNode.Send); its data is {"plugin","table_id","from","body","sent_unix_ms"}.
const EventMeshMessage = "mesh_message"

// meshTimeout bounds the games service's answer when a plugin sends: it
// answers from memory.
const meshTimeout = 5 * time.Second

// errNotSeated: a plugin may only talk to a table its node's player sits at.
var errNotSeated = errors.New("this node's player does not sit at the table")

// meshSend is plugin name's PluginNode.Send: sign the message as this
// node's player and route one envelope to each other player of the table.
// It runs on a gRPC goroutine, so it may wait for the games service.
func (o Options) meshSend(system *actor.ActorSystem, name string) plugin.MeshSend {
	return func(ctx context.Context, table string, body []byte) error {
		if o.Mesh == nil || o.Games == nil || o.Signer.Sign == nil {
			return errors.New("this node does not carry plugin messages (no mesh)")
		}
		res, err := system.Root.RequestFuture(o.Games, &messages.GetTable{TableID: table}, meshTimeout).Result()
		if err != nil {
			return fmt.Errorf("table %s: %w", table, err)
		}
		reply, ok := res.(*messages.TableReply)
		switch {
		case !ok:
			return fmt.Errorf("table %s: unexpected answer %T", table, res)
		case reply.Err != nil:
			return fmt.Errorf("table %s: %w", table, reply.Err)
		case !reply.Table.Seated:
			return fmt.Errorf("table %s: %w", table, errNotSeated)
		}
		m := &messages.PluginMeshMessage{Plugin: name, TableId: table, Body: body, SentUnixMs: time.Now().UnixMilli()}
		plugin.SignMeshMessage(m, o.Signer)
		payload, err := proto.Marshal(m)
		if err != nil {
			return err
		}
		for _, p := range reply.Table.Players {
			if p.PeerID == o.PeerID {
				continue
			}
			to, err := hex.DecodeString(p.PeerID)
			if err != nil {
				return fmt.Errorf("table %s: player %q: %w", table, p.PeerID, err)
			}
			env, err := messages.NewEnvelopeTo(o.Signer, to, messages.MessageType_MESSAGE_TYPE_DATA, payload, messages.DefaultTTL)
			if err != nil {
				return err
			}
			system.Root.Send(o.Mesh, &messages.RouteEnvelope{Envelope: env})
		}
		return nil
	}
}

// delivered hands a plugin message from another player to the plugin of
// its name, once its signature is its sender's: a forged one is dropped
// and counted.
func (h *host) delivered(ctx actor.Context, d *messages.MeshDelivery) {
	var m messages.PluginMeshMessage
	if d.Envelope == nil || proto.Unmarshal(d.Envelope.GetPayload(), &m) != nil || m.Plugin == "" {
		return // opaque data, not a plugin message
	}
	child := h.child(m.Plugin)
	if child == nil {
		return // no such plugin here
	}
	err := plugin.VerifyMeshMessage(&m)
	if err == nil && !bytes.Equal(m.From, d.Envelope.GetSender()) {
		err = fmt.Errorf("%w: signed by %x, sent by %x", plugin.ErrForged, m.From, d.Envelope.GetSender())
	}
	if err != nil {
		h.opts.Logger.Warn("plugin message dropped", "plugin", m.Plugin, "from", d.From, "err", err)
		h.opts.Directory.update(m.Plugin, func(e *entry) { e.status.ForgedDropped++ })
		return
	}
	data, _ := json.Marshal(map[string]any{"plugin": m.Plugin, "table_id": m.TableId,
		"from": hex.EncodeToString(m.From), "body": string(m.Body), "sent_unix_ms": m.SentUnixMs})
	ctx.Send(child, &messages.PluginEvent{Type: EventMeshMessage, TableId: m.TableId, Data: data})
}

func (h *host) child(name string) *actor.PID {
	for _, c := range h.children {
		if childName(c) == name {
			return c
		}
	}
	return nil
}
