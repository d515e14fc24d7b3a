#!/usr/bin/env bash
# Debian's prometheus package for promtool, which deploy/rules_test.go runs
# (`promtool check rules`, `promtool test rules`). Only the package's files
# are wanted: its service needs systemd, which a CI container does not run.
exec bash "$(dirname "$0")/install-deb.sh" prometheus promtool --no-install-recommends
