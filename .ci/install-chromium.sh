#!/usr/bin/env bash
# Debian's chromium for the browser end-to-end tests (test/browser), which
# drive /usr/bin/chromium headless.
exec bash "$(dirname "$0")/install-deb.sh" chromium /usr/bin/chromium
