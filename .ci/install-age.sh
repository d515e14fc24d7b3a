#!/usr/bin/env bash
# Installs Debian's age for the backup tests (internal/backup), which check
# that an operator can decrypt a node's backup with the distribution's own
# age command, not only with the library that wrote it. Idempotent: a
# machine that already has /usr/bin/age is left as it is.
set -euo pipefail

age=/usr/bin/age

if [ -x "$age" ]; then
	echo "install-age: $age is already installed, skipping"
	exit 0
fi

# apt needs root; use sudo when the script runs as another user.
as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-age: need root (or sudo) to apt-get install age" >&2
		exit 1
	fi
	as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y age

if [ ! -x "$age" ]; then
	echo "install-age: apt-get finished but $age is missing" >&2
	exit 1
fi
"$age" --version
