#!/usr/bin/env bash
# Installs Debian's prometheus package for promtool, which deploy/rules_test.go
# runs (`promtool check rules`, `promtool test rules`) on the alert rules.
# Idempotent: a machine that already has promtool is left as it is.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
	echo "install-prometheus: $(command -v promtool) is already installed, skipping"
	exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-prometheus: need root (or sudo) to apt-get install prometheus" >&2
		exit 1
	fi
	as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
# Only the package's files are wanted: no service is started in CI (the
# package's unit needs systemd, which a CI container does not run).
"${as_root[@]}" apt-get install -y --no-install-recommends prometheus
promtool --version
