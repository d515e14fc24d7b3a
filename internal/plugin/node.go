package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/messages"
)

// ErrAPI is wrapped by every refusal of a node API call (an answer of 400
// or more); *APIError has the details.
var ErrAPI = errors.New("node API refused the call")

// APIError is a refused call: the API's status and error document.
type APIError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

func (e *APIError) Unwrap() error { return ErrAPI }

// Node is a plugin's client of its node's API (the HTTP API's routes and
// JSON bodies, carried over the plugin connection, within the plugin's
// rights).
type Node struct{ c messages.PluginNodeClient }

// Call makes one API call with in as its JSON body (nil: none) and decodes
// the answer into out (nil: ignored).
func (n *Node) Call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
	}
	resp, err := n.c.Call(ctx, &messages.PluginAPIRequest{Method: method, Path: path, Body: body})
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.Status >= 400 {
		e := &APIError{Method: method, Path: path, Status: int(resp.Status)}
		var doc struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(resp.Body, &doc) == nil {
			e.Code, e.Message = doc.Error.Code, doc.Error.Message
		}
		return e
	}
	if out != nil && len(resp.Body) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// Send signs body as this node's player and carries it over the mesh to
// the other players of table, to their plugin of the same name, where it
// arrives as a "mesh_message" event (needs the "mesh" right).
func (n *Node) Send(ctx context.Context, table string, body []byte) error {
	if _, err := n.c.Send(ctx, &messages.PluginSendRequest{TableId: table, Body: body}); err != nil {
		return fmt.Errorf("send to table %s: %w", table, err)
	}
	return nil
}
