#!/usr/bin/env bash
# Installs Debian's chromium for the browser end-to-end tests (test/browser),
# which drive /usr/bin/chromium headless. The browser comes from the
# distribution's packages, never from a test tool's download. Idempotent: a
# machine that already has /usr/bin/chromium is left as it is.
set -euo pipefail

chromium=/usr/bin/chromium

if [ -x "$chromium" ]; then
	echo "install-chromium: $chromium is already installed, skipping"
	exit 0
fi

# apt needs root; use sudo when the script runs as another user.
as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-chromium: need root (or sudo) to apt-get install chromium" >&2
		exit 1
	fi
	as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y chromium

if [ ! -x "$chromium" ]; then
	echo "install-chromium: apt-get finished but $chromium is missing" >&2
	exit 1
fi
# Debian's launcher script prints a harmless shell warning on some kernels;
# the version line is what matters.
"$chromium" --version 2>/dev/null || true
