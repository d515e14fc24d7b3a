package messages

// Between the "backup" service (actors/backup) and the services whose
// stores it copies. The checkpoints are written off the owners' mailboxes.

// LedgerCheckpoint asks the ledger service for a pebble checkpoint of its
// store in Dir (which must not exist). Answer: *CheckpointTaken.
type LedgerCheckpoint struct{ Dir string }

// ConsensusCheckpoint asks the consensus service for a pebble checkpoint
// of its store in Dir (which must not exist). Answer: *CheckpointTaken.
type ConsensusCheckpoint struct{ Dir string }

// CheckpointTaken answers LedgerCheckpoint and ConsensusCheckpoint.
type CheckpointTaken struct{ Err error }
