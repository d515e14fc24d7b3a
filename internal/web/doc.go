// Package web is the live craps table a player opens in a browser: a lobby
// of tables, the felt with clickable betting areas, the dice, the players'
// bets, a live feed from the node's event stream, and each round's
// certificate checked in the browser itself.
//
// It exists apart from internal/api so the page is plain files (HTML, CSS,
// JavaScript modules) embedded with go:embed: no CDN, no internet, no build
// step, and nothing of the page's logic in Go. The page speaks only the
// public JSON API of DESIGN.md "Interfaces", so it can never do more than
// the CLI can. Handler serves the files; the API server mounts it at "/".
package web
