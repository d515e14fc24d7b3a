// Package browser drives the web table in a real browser: Debian's chromium
// (/usr/bin/chromium, installed by .ci/install-chromium.sh, never downloaded
// by a test tool), headless, through the DevTools protocol (chromedp).
//
// It exists because the page's promises — you click the pass line and a bet
// is placed, you roll and see the dice and your chips change, a round's
// certificate is recomputed and marked verified — live in JavaScript that no
// Go test of the API can reach. Screenshots land in test/artifacts/.
package browser
