// Package backupactor is the node's "backup" service: it takes backups on
// a schedule (--backup-interval, to --backup-to, encrypted to
// --backup-recipient) and on demand (POST /api/v1/backups), prunes each
// destination by the retention policy, and counts what happened. It is a
// thin shell over internal/backup: the copy, the archive and the uploads
// run on a goroutine, the stores are checkpointed by their own services
// off their mailboxes, and a failing backup makes the service Degraded but
// never touches play.
package backupactor
