package plugins

import (
	"context"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/messages"
)

// List is every plugin's status (api.Plugins).
func (d *Directory) List() any { return d.Statuses() }

// Statuses is every plugin's status, by name.
func (d *Directory) Statuses() []Status { return d.listSorted() }

// Call forwards an HTTP request to a running plugin (api.Plugins).
func (d *Directory) Call(ctx context.Context, name string, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	st, ok := d.Get(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s", api.ErrNoPlugin, name)
	}
	conn := d.conn(name)
	if conn == nil {
		return nil, fmt.Errorf("%w: plugin %s is %s %s", api.ErrPluginDown, name, st.State, st.Reason)
	}
	return conn.HandleHTTP(ctx, r)
}

var _ api.Plugins = (*Directory)(nil)
