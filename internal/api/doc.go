// Package api is the node's HTTP face: health probes, Prometheus metrics and
// the JSON API a player's CLI and web page use. It holds no game or money
// logic; every handler asks the node's actors (through the Backend) and turns
// their answers and errors into JSON.
package api
