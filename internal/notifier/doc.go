// Package notifier is the notifier plugin: it POSTs the node's events it
// was told to (table events, node state transitions) as JSON to one URL,
// in order, with a bounded queue (a slow or dead receiver loses events,
// counted and numbered, and never holds memory or the node) and a bounded
// number of retries per event. cmd/bitcraps-notifier serves it.
package notifier
