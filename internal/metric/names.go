package metric

// Series names, one constant each: the packages that register a series, the
// tests that scrape one and the deploy checks all use these.
const (
	ActiveGames                      = "bitcraps_active_games"
	ActorRestartsTotal               = "bitcraps_actor_restarts_total"
	ApiConnectionsRefusedTotal       = "bitcraps_api_connections_refused_total"
	ApiSseEventsDroppedTotal         = "bitcraps_api_sse_events_dropped_total"
	ApiSseStreams                    = "bitcraps_api_sse_streams"
	ApiSseStreamsDroppedTotal        = "bitcraps_api_sse_streams_dropped_total"
	ApiSseStreamsRefusedTotal        = "bitcraps_api_sse_streams_refused_total"
	AppStartupDurationSeconds        = "bitcraps_app_startup_duration_seconds"
	AppState                         = "bitcraps_app_state"
	AuditAppendFailuresTotal         = "bitcraps_audit_append_failures_total"
	AuditDroppedTotal                = "bitcraps_audit_dropped_total"
	AuditEntriesTotal                = "bitcraps_audit_entries_total"
	AuditFsyncDurationSeconds        = "bitcraps_audit_fsync_duration_seconds"
	BleFragmentsTotal                = "bitcraps_ble_fragments_total"
	BleMessagesLostTotal             = "bitcraps_ble_messages_lost_total"
	BuildInfo                        = "bitcraps_build_info"
	ConsensusEvidenceTotal           = "bitcraps_consensus_evidence_total"
	ConsensusFailuresTotal           = "bitcraps_consensus_failures_total"
	ConsensusFramesDroppedTotal      = "bitcraps_consensus_frames_dropped_total"
	ConsensusInstances               = "bitcraps_consensus_instances"
	ConsensusLateBetsTotal           = "bitcraps_consensus_late_bets_total"
	ConsensusMessagesRefusedTotal    = "bitcraps_consensus_messages_refused_total"
	ConsensusPersistSeconds          = "bitcraps_consensus_persist_seconds"
	ConsensusRoundIntervalSeconds    = "bitcraps_consensus_round_interval_seconds"
	ConsensusRoundPhaseSeconds       = "bitcraps_consensus_round_phase_seconds"
	ConsensusRoundSeconds            = "bitcraps_consensus_round_seconds"
	ConsensusRoundsCertifiedTotal    = "bitcraps_consensus_rounds_certified_total"
	ConsensusRoundsVoidTotal         = "bitcraps_consensus_rounds_void_total"
	ConsensusViewChangesTotal        = "bitcraps_consensus_view_changes_total"
	ConsensusWithheldRevealsTotal    = "bitcraps_consensus_withheld_reveals_total"
	GamesAnnouncementsTotal          = "bitcraps_games_announcements_total"
	GamesFollowedTotal               = "bitcraps_games_followed_total"
	GamesLedgerRefusalsTotal         = "bitcraps_games_ledger_refusals_total"
	GamesRequestsTotal               = "bitcraps_games_requests_total"
	GamesRoundsSettledTotal          = "bitcraps_games_rounds_settled_total"
	GamesTables                      = "bitcraps_games_tables"
	GamesWatchedRoundsBehind         = "bitcraps_games_watched_rounds_behind"
	GamesWatchedTables               = "bitcraps_games_watched_tables"
	IdentityPowSeconds               = "bitcraps_identity_pow_seconds"
	LedgerCommitDurationSeconds      = "bitcraps_ledger_commit_duration_seconds"
	LedgerCommitOps                  = "bitcraps_ledger_commit_ops"
	LedgerCommitsTotal               = "bitcraps_ledger_commits_total"
	LedgerHalted                     = "bitcraps_ledger_halted"
	LedgerOpsTotal                   = "bitcraps_ledger_ops_total"
	LedgerQueueFullTotal             = "bitcraps_ledger_queue_full_total"
	LedgerSnapshotsTotal             = "bitcraps_ledger_snapshots_total"
	LedgerVerifyDurationSeconds      = "bitcraps_ledger_verify_duration_seconds"
	LedgerVerifyFailuresTotal        = "bitcraps_ledger_verify_failures_total"
	MeshDedupEvictionsTotal          = "bitcraps_mesh_dedup_evictions_total"
	MeshDisconnectsTotal             = "bitcraps_mesh_disconnects_total"
	MeshDroppedTotal                 = "bitcraps_mesh_dropped_total"
	MeshJoinAttemptsTotal            = "bitcraps_mesh_join_attempts_total"
	MeshMemberlistHealthScore        = "bitcraps_mesh_memberlist_health_score"
	MeshMembersRejectedTotal         = "bitcraps_mesh_members_rejected_total"
	MeshPeerRttSeconds               = "bitcraps_mesh_peer_rtt_seconds"
	MeshPeers                        = "bitcraps_mesh_peers"
	MeshRoutedTotal                  = "bitcraps_mesh_routed_total"
	MessagesProcessedTotal           = "bitcraps_messages_processed_total"
	ServiceHealth                    = "bitcraps_service_health"
	StateTransitionsTotal            = "bitcraps_state_transitions_total"
	TableAbsentSeats                 = "bitcraps_table_absent_seats"
	TableRoundsBehind                = "bitcraps_table_rounds_behind"
	TableUnseatsAskedTotal           = "bitcraps_table_unseats_asked_total"
	Tables                           = "bitcraps_tables"
	TablesDissolvedTotal             = "bitcraps_tables_dissolved_total"
	TransportConnections             = "bitcraps_transport_connections"
	TransportDialsTotal              = "bitcraps_transport_dials_total"
	TransportDropsTotal              = "bitcraps_transport_drops_total"
	TransportHandshakeFailuresTotal  = "bitcraps_transport_handshake_failures_total"
	TransportReceivedBytesTotal      = "bitcraps_transport_received_bytes_total"
	TransportReceivedMessagesTotal   = "bitcraps_transport_received_messages_total"
	TransportRefusedConnectionsTotal = "bitcraps_transport_refused_connections_total"
	TransportSentBytesTotal          = "bitcraps_transport_sent_bytes_total"
	TransportSentMessagesTotal       = "bitcraps_transport_sent_messages_total"
	TransportThrottledTotal          = "bitcraps_transport_throttled_total"
)

// Names lists every series name above: a fresh node exposes each of them
// (internal/node's tests), and a name no package registers fails there.
var Names = []string{
	ActiveGames,
	ActorRestartsTotal,
	ApiConnectionsRefusedTotal,
	ApiSseEventsDroppedTotal,
	ApiSseStreams,
	ApiSseStreamsDroppedTotal,
	ApiSseStreamsRefusedTotal,
	AppStartupDurationSeconds,
	AppState,
	AuditAppendFailuresTotal,
	AuditDroppedTotal,
	AuditEntriesTotal,
	AuditFsyncDurationSeconds,
	BleFragmentsTotal,
	BleMessagesLostTotal,
	BuildInfo,
	ConsensusEvidenceTotal,
	ConsensusFailuresTotal,
	ConsensusFramesDroppedTotal,
	ConsensusInstances,
	ConsensusLateBetsTotal,
	ConsensusMessagesRefusedTotal,
	ConsensusPersistSeconds,
	ConsensusRoundIntervalSeconds,
	ConsensusRoundPhaseSeconds,
	ConsensusRoundSeconds,
	ConsensusRoundsCertifiedTotal,
	ConsensusRoundsVoidTotal,
	ConsensusViewChangesTotal,
	ConsensusWithheldRevealsTotal,
	GamesAnnouncementsTotal,
	GamesFollowedTotal,
	GamesLedgerRefusalsTotal,
	GamesRequestsTotal,
	GamesRoundsSettledTotal,
	GamesTables,
	GamesWatchedRoundsBehind,
	GamesWatchedTables,
	IdentityPowSeconds,
	LedgerCommitDurationSeconds,
	LedgerCommitOps,
	LedgerCommitsTotal,
	LedgerHalted,
	LedgerOpsTotal,
	LedgerQueueFullTotal,
	LedgerSnapshotsTotal,
	LedgerVerifyDurationSeconds,
	LedgerVerifyFailuresTotal,
	MeshDedupEvictionsTotal,
	MeshDisconnectsTotal,
	MeshDroppedTotal,
	MeshJoinAttemptsTotal,
	MeshMemberlistHealthScore,
	MeshMembersRejectedTotal,
	MeshPeerRttSeconds,
	MeshPeers,
	MeshRoutedTotal,
	MessagesProcessedTotal,
	ServiceHealth,
	StateTransitionsTotal,
	TableAbsentSeats,
	TableRoundsBehind,
	TableUnseatsAskedTotal,
	Tables,
	TablesDissolvedTotal,
	TransportConnections,
	TransportDialsTotal,
	TransportDropsTotal,
	TransportHandshakeFailuresTotal,
	TransportReceivedBytesTotal,
	TransportReceivedMessagesTotal,
	TransportRefusedConnectionsTotal,
	TransportSentBytesTotal,
	TransportSentMessagesTotal,
	TransportThrottledTotal,
}
