// Package test holds the end-to-end suites that run real bitcraps node
// processes on loopback: lifecycle, clusters, crashes and the browser.
package test
