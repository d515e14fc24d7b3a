package plugin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/bitcraps/bitcraps/internal/config"
)

// Rights an operator may grant a plugin over its node's API. Without a
// right, a call through Env.Node is refused with 403 before it reaches the
// API.
const (
	// RightRead: every GET of /api/v1 (tables, rounds, balance, peers,
	// status), but not event streams (events come through HandleEvent).
	RightRead = "read"
	// RightPlay: play as the node's player: create, join and leave tables,
	// bet and roll (POST under /api/v1/tables).
	RightPlay = "play"
	// RightMesh: send signed plugin messages to a table's players over the
	// mesh (PluginNode.Send).
	RightMesh = "mesh"
)

// KnownRights are the rights a plugin file may name (config.PluginRights).
var KnownRights = config.PluginRights

// Allowed says whether rights permit one API call; the error says which
// right is missing, or why the call is never allowed.
func Allowed(rights []string, method, path string) error {
	if !strings.HasPrefix(path, "/api/v1/") || strings.Contains(path, "..") {
		return fmt.Errorf("%s %s: plugins call only /api/v1/ routes", method, path)
	}
	switch {
	case strings.HasSuffix(path, "/events"):
		return fmt.Errorf("%s %s: event streams reach plugins through HandleEvent, not the API", method, path)
	case strings.HasPrefix(path, "/api/v1/plugins"):
		return fmt.Errorf("%s %s: a plugin does not call plugins", method, path)
	case method == http.MethodGet:
		return need(rights, RightRead, method, path)
	case method == http.MethodPost && strings.HasPrefix(path, "/api/v1/tables"):
		return need(rights, RightPlay, method, path)
	}
	return fmt.Errorf("%s %s: no right lets a plugin make this call", method, path)
}

func need(rights []string, right, method, path string) error {
	if slices.Contains(rights, right) {
		return nil
	}
	return fmt.Errorf("%s %s needs the %q right, which the operator did not grant this plugin", method, path, right)
}
