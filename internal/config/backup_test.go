package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	recipientA = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	recipientB = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
)

// Backup settings: repeated flags add up, the env var is a comma list, a
// schedule needs somewhere to go and someone to encrypt to, and a bad
// recipient or destination names the setting.
func TestBackupSettings(t *testing.T) {
	c := mustResolve(t, []string{"--backup-interval", "1h", "--backup-to", "/mnt/b", "--backup-to", "s3://bucket/node-a",
		"--backup-recipient", recipientA}, env{"BITCRAPS_BACKUP_KEEP_DAILY": "30"})
	if c.BackupInterval != time.Hour || !slices.Equal(c.BackupTo, []string{"/mnt/b", "s3://bucket/node-a"}) ||
		!slices.Equal(c.BackupRecipients, []string{recipientA}) || c.BackupKeepHourly != 24 || c.BackupKeepDaily != 30 {
		t.Fatalf("%+v", c)
	}
	c = mustResolve(t, nil, env{"BITCRAPS_BACKUP_RECIPIENTS": recipientA + "," + recipientB, "BITCRAPS_BACKUP_INTERVAL": "0s"})
	if c.BackupInterval != 0 || len(c.BackupRecipients) != 2 {
		t.Fatalf("%+v", c)
	}
	for _, tc := range []struct {
		args []string
		e    env
		want string
	}{
		{nil, env{"BITCRAPS_BACKUP_INTERVAL": "1h"}, "--backup-to"},
		{nil, env{"BITCRAPS_BACKUP_INTERVAL": "30s", "BITCRAPS_BACKUP_TO": "/b", "BITCRAPS_BACKUP_RECIPIENTS": recipientA}, "--backup-interval"},
		{nil, env{"BITCRAPS_BACKUP_RECIPIENTS": "ssh-ed25519 AAAA"}, "--backup-recipient"},
		{nil, env{"BITCRAPS_BACKUP_TO": "s3:///prefix"}, "--backup-to"},
		{nil, env{"BITCRAPS_BACKUP_TO": "https://example.org/x"}, "--backup-to"},
		{nil, env{"BITCRAPS_BACKUP_KEEP_HOURLY": "-1"}, "--backup-keep-hourly"},
	} {
		_, err := resolve(t, tc.args, tc.e)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want an error naming %s", tc.args, tc.e, err, tc.want)
		}
	}
}
