#!/usr/bin/env bash
# Installs one Debian package a test needs, from the distribution's own
# packages (never a tool's download): install-deb.sh PACKAGE BINARY [APT-ARGS...].
# Idempotent: a machine where BINARY is already on the PATH (or at that path)
# is left as it is. apt needs root; sudo is used when the script runs as
# another user.
set -euo pipefail

pkg=$1 bin=$2
shift 2

if command -v "$bin" >/dev/null 2>&1; then
	echo "install-deb: $(command -v "$bin") is already installed, skipping $pkg"
	exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deb: need root (or sudo) to apt-get install $pkg" >&2
		exit 1
	fi
	as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y "$@" "$pkg"

if ! command -v "$bin" >/dev/null 2>&1; then
	echo "install-deb: apt-get installed $pkg but $bin is missing" >&2
	exit 1
fi
# Some launchers print a harmless shell warning; the version line matters.
"$bin" --version 2>/dev/null || true
