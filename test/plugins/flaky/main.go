// Command flaky is a plugin for tests of the plugins service: it panics or
// exits when asked over its HTTP routes, records each start in a file, and
// records the events it receives. Tests build it from this tree
// (harness.PluginBinary); it is not shipped.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/bitcraps/bitcraps/internal/plugin"
	"github.com/bitcraps/bitcraps/messages"
)

type flaky struct {
	plugin.Base
	starts string
	mu     sync.Mutex
	events []*messages.PluginEvent
}

func (f *flaky) Info() *messages.PluginInfo {
	return &messages.PluginInfo{Name: "flaky", Version: "0.1.0", Events: []string{"node_state"},
		Settings: []*messages.PluginSetting{{Name: "starts", Meaning: "file that gets one line per start", Required: true}}}
}

func (f *flaky) Init(_ context.Context, env plugin.Env) error {
	f.starts = env.Settings["starts"]
	out, err := os.OpenFile(f.starts, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	_, err = fmt.Fprintf(out, "started pid %d\n", os.Getpid())
	return err
}

func (f *flaky) HandleEvent(_ context.Context, ev *messages.PluginEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return nil
}

// HandleHTTP: POST /panic panics in the handler (a real crash: gRPC does
// not recover it), POST /exit exits with status 3, GET /events lists the
// events received.
func (f *flaky) HandleHTTP(_ context.Context, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	switch r.Method + " " + r.Path {
	case "POST /panic":
		panic("flaky: asked to panic")
	case "POST /exit":
		os.Exit(3)
	case "GET /events":
		f.mu.Lock()
		body, err := json.Marshal(f.events)
		f.mu.Unlock()
		return &messages.PluginHTTPResponse{Status: http.StatusOK, Body: body}, err
	}
	return f.Base.HandleHTTP(context.Background(), r)
}

func main() { plugin.Serve(&flaky{}) }
