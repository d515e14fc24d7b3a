// Package config turns flags and BITCRAPS_* environment variables into one
// validated Config, so that a node with a bad setting refuses to start with
// a message naming the setting and the value, instead of running with a
// silent fallback.
//
// Precedence, highest first: a flag given on the command line, its
// environment variable, the profile's default (server, mobile or testing).
// An environment variable set to the empty string counts as unset, because
// container tooling often writes VAR= for "not configured".
//
// Every setting is declared once, in settings.go, with its flag, variable,
// meaning and parser; the --help text, the README table (MarkdownTable) and
// Resolve all read that one table, so they cannot drift apart.
package config
