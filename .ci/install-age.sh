#!/usr/bin/env bash
# Debian's age for the backup tests (internal/backup), which check that an
# operator can decrypt a node's backup with the distribution's own age.
exec bash "$(dirname "$0")/install-deb.sh" age /usr/bin/age
