#!/usr/bin/env bash
# make cluster / make cluster-stop: five bitcraps node processes on loopback,
# each with its own ports, data and log folder, joined by gossip to the first.
#
#   cluster.sh start BINARY   start them, wait until every node is ready and
#                             sees the other four alive, print their URLs
#   cluster.sh stop           SIGTERM each, wait for it, SIGKILL past 30 s;
#                             fails if any process is left
#
# CLUSTER_DIR (default .cluster) holds node<i>/{data,log,pid};
# CLUSTER_BASE_PORT (default 28000): node i listens for HTTP on BASE+i, the
# mesh on BASE+100+i and gossip on BASE+200+i; CLUSTER_NODES (default 5).
# Only 127.0.0.1 is ever used.
set -euo pipefail

dir=${CLUSTER_DIR:-.cluster}
base=${CLUSTER_BASE_PORT:-28000}
nodes=${CLUSTER_NODES:-5}
ready_within=${CLUSTER_READY_SECONDS:-90}

http_port() { echo $((base + $1)); }
url() { echo "http://127.0.0.1:$(http_port "$1")"; }

port_taken() {
	ss -Htln "sport = :$1" | grep -q . || ss -Huln "sport = :$1" | grep -q .
}

alive_peers() {
	curl -fsS --max-time 2 "$(url "$1")/api/v1/peers" 2>/dev/null | grep -Eo '"state": *"alive"' | wc -l
}

start() {
	local bin=$1
	if compgen -G "$dir/node*/pid" >/dev/null; then
		echo "cluster: $dir already has running nodes; run make cluster-stop first" >&2
		exit 1
	fi
	for ((i = 0; i < nodes; i++)); do
		for p in $((base + i)) $((base + 100 + i)) $((base + 200 + i)); do
			if port_taken "$p"; then
				echo "cluster: port $p is taken; set CLUSTER_BASE_PORT" >&2
				exit 1
			fi
		done
	done
	for ((i = 0; i < nodes; i++)); do
		local d="$dir/node$i"
		mkdir -p "$d/data" "$d/log"
		local join=()
		if ((i > 0)); then
			join=(--join "127.0.0.1:$((base + 200))")
		fi
		# setsid: the nodes outlive make's shell; the pid file is how stop
		# finds them again.
		setsid "$bin" node --data "$d/data" --bind 127.0.0.1 --http "127.0.0.1:$(http_port "$i")" \
			--port $((base + 100 + i)) --gossip-port $((base + 200 + i)) "${join[@]}" \
			--log-format json >"$d/log/node.log" 2>&1 </dev/null &
		echo $! >"$d/pid"
	done
	local deadline=$((SECONDS + ready_within))
	for ((i = 0; i < nodes; i++)); do
		until curl -fsS --max-time 2 "$(url "$i")/health/ready" >/dev/null 2>&1 &&
			(($(alive_peers "$i") == nodes - 1)); do
			if ((SECONDS > deadline)); then
				echo "cluster: node $i not ready with $((nodes - 1)) live peers after ${ready_within}s; log: $dir/node$i/log/node.log" >&2
				tail -5 "$dir/node$i/log/node.log" >&2 || true
				stop
				exit 1
			fi
			if ! kill -0 "$(cat "$dir/node$i/pid")" 2>/dev/null; then
				echo "cluster: node $i exited; log: $dir/node$i/log/node.log" >&2
				tail -5 "$dir/node$i/log/node.log" >&2 || true
				stop
				exit 1
			fi
			sleep 0.2
		done
	done
	echo "cluster: $nodes nodes ready and joined (data and logs in $dir):"
	for ((i = 0; i < nodes; i++)); do
		echo "  node$i $(url "$i")  pid $(cat "$dir/node$i/pid")  log $dir/node$i/log/node.log"
	done
	echo "stop with: make cluster-stop"
}

stop() {
	local pids=() files=()
	for f in "$dir"/node*/pid; do
		[ -e "$f" ] || continue
		pids+=("$(cat "$f")")
		files+=("$f")
	done
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	# The node stops its services within 20 s of SIGTERM.
	local deadline=$((SECONDS + 30)) left
	while :; do
		left=()
		for p in "${pids[@]}"; do
			if kill -0 "$p" 2>/dev/null; then left+=("$p"); fi
		done
		((${#left[@]} == 0)) && break
		if ((SECONDS > deadline)); then
			echo "cluster: killing ${left[*]} (no exit 30 s after SIGTERM)" >&2
			kill -KILL "${left[@]}" 2>/dev/null || true
			sleep 0.5
			break
		fi
		sleep 0.2
	done
	for p in "${pids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			echo "cluster: process $p is still running" >&2
			exit 1
		fi
	done
	rm -f "${files[@]}"
	echo "cluster: ${#pids[@]} nodes stopped"
}

case "${1:-}" in
start) start "${2:?usage: cluster.sh start BINARY}" ;;
stop) stop ;;
*)
	echo "usage: cluster.sh start BINARY | stop" >&2
	exit 2
	;;
esac
