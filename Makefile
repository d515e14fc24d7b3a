# bitcraps — see README.md. Two commands on a fresh machine: `make run`, `make test`.
GO      ?= go
BIN     := bin/bitcraps
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# go1.26.10: 1.26.8 has 11 standard-library advisories reachable from this code,
# fixed in 1.26.9/1.26.10 (issue 12). The go command fetches it from the module
# proxy once; `go env GOTOOLCHAIN=local` on a machine does not override this.
export GOTOOLCHAIN := go1.26.10
# `make vuln` checks against this vulnerability database, offline once downloaded.
VULNDB      ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK ?= v1.9.0
# The backup tests store archives on a real S3-compatible server on
# loopback: versitygw, built from the module proxy (about 70 s, once).
VERSITYGW ?= v1.8.0
# Tests get a generous timeout: the suite includes multi-process and crash tests.
TESTFLAGS ?= -race -count=1 -timeout 75m

.PHONY: build run test versitygw bench byzantine chaos cluster cluster-stop lint vuln manifests generate fuzz demo clean

# The plugins shipped in the repo (README: Plugins), each its own binary
# beside bin/bitcraps.
PLUGINS := bitcraps-bot bitcraps-notifier bitcraps-chat

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/bitcraps
	$(GO) build -o bin/ $(addprefix ./cmd/,$(PLUGINS))

# A node with embedded defaults: data in ./data, HTTP on 127.0.0.1:8080.
run: build
	./$(BIN) node --data ./data --http 127.0.0.1:8080 --bind 127.0.0.1

# The lifecycle simulator's long run (internal/game): SIM_SEEDS seeded runs
# of bft, game and lifecycle under crashes, pauses, partitions and Byzantine
# players, without -race (the race run above plays 96 of them).
SIM_SEEDS ?= 2000

test: versitygw
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...
	$(GO) test -count=1 -timeout 30m -run TestLifecycleSimulator ./internal/game/ -args -seeds $(SIM_SEEDS)

# Installs versitygw into $(go env GOPATH)/bin unless that version is there.
versitygw:
	@bin="$$($(GO) env GOPATH)/bin/versitygw"; \
	if [ -x "$$bin" ] && $(GO) version -m "$$bin" 2>/dev/null | grep -q "mod.*versitygw.*$(VERSITYGW)"; then \
		echo "versitygw $(VERSITYGW) is installed"; \
	else \
		$(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW); \
	fi

# Benchmarks measure speed and memory; nothing here asserts a wall-clock limit.
# The cluster benchmarks in test/ need many rounds for a p50 and a p99.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 60m $$($(GO) list ./... | grep -v '/test$$')
	$(GO) test -run '^$$' -bench 'NodeStartup' -benchtime 5x -timeout 10m ./test/
	$(GO) test -run '^$$' -bench 'RoundLatency' -benchtime 200x -timeout 30m ./test/
	$(GO) test -run '^$$' -bench 'ConcurrentTables' -benchtime 3000x -timeout 30m ./test/

# The actor-level Byzantine tests at the issue's hundred rounds each (make
# test plays 30; the simulators cover thousands of seeds).
byzantine:
	BYZANTINE_ROUNDS=100 $(GO) test $(TESTFLAGS) -run Byzantine ./test/

# Five node processes under a seeded schedule of faults (kill -9 and restart,
# SIGSTOP, actor panics, dropped links) while a load client bets; prints
# availability, rounds/s and recovery times, and fails on any disagreement
# (test/chaos/doc.go). CHAOS_ARGS="--duration 90s --seed 7 --faults=false".
CHAOS_ARGS ?=
chaos:
	$(GO) test -tags chaos -count=1 -v -timeout 60m -run TestChaos ./test/chaos/ -args $(CHAOS_ARGS)

# Five node processes on loopback, joined, each with its own ports, data and
# logs under $(CLUSTER_DIR); prints their URLs. cluster-stop stops them all
# and fails if a process is left (test/cluster/cluster.sh).
CLUSTER_DIR ?= .cluster
cluster: build
	CLUSTER_DIR=$(CLUSTER_DIR) bash test/cluster/cluster.sh start $(BIN)

cluster-stop:
	CLUSTER_DIR=$(CLUSTER_DIR) bash test/cluster/cluster.sh stop

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# govulncheck against the pinned golang.org/x/vulndb, built into the v1 layout
# by .ci/vulndb: fails on any advisory the code can reach (exit status 3).
vuln:
	@dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	db=$$(mktemp -d); trap 'rm -rf "$$db"' EXIT; \
	$(GO) run .ci/vulndb/main.go "$$dir" "$$db" && \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK) -db "file://$$db" ./...

# Validates the rendered Kubernetes manifests offline against the API schema
# of a pinned Kubernetes (strict: an unknown or mistyped field fails): the
# schemas are made by .ci/k8sschemas from k8s.io/kubernetes' swagger.json
# (fetched once by `go mod download`), kubeconform checks `kubectl kustomize`
# output (the Operator's PodMonitor and PrometheusRule have no schema there
# and are skipped), and a deliberately mistyped manifest must fail.
K8S_VERSION ?= v1.32.4
KUBECONFORM ?= v0.8.0
manifests:
	@dir=$$($(GO) mod download -json k8s.io/kubernetes@$(K8S_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	schemas=$$(mktemp -d); trap 'rm -rf "$$schemas"' EXIT; \
	$(GO) run .ci/k8sschemas/main.go "$$dir/api/openapi-spec/swagger.json" "$$schemas" && \
	$(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM) && \
	kc="$$($(GO) env GOPATH)/bin/kubeconform" && \
	loc="$$schemas/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json" && \
	kubectl kustomize deploy/kubernetes | "$$kc" -strict -summary -schema-location "$$loc" - && \
	kubectl kustomize deploy/kubernetes/monitoring | "$$kc" -strict -summary -schema-location "$$loc" -skip PodMonitor,PrometheusRule - && \
	if "$$kc" -strict -schema-location "$$loc" .ci/k8sschemas/testdata/mistyped.yaml >/dev/null; then \
		echo "manifests: kubeconform accepted .ci/k8sschemas/testdata/mistyped.yaml"; exit 1; fi

# Regenerates messages/*.pb.go (and the plugin protocol's gRPC stubs,
# messages/plugin_grpc.pb.go); needs protoc (Debian: protobuf-compiler),
# protoc-gen-go at the version go.mod pins and protoc-gen-go-grpc v1.3.0 (its
# stubs need grpc >= 1.52; go.mod pins grpc 1.85.0, above the advisories of
# the 1.61 go-plugin v1.8.0 asks for).
generate:
	command -v protoc >/dev/null || apt-get install -y protobuf-compiler
	$(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
	$(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.3.0
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" protoc -I . --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative messages/*.proto

# Fuzzes the wire decoder for a minute (the committed corpus runs in `make test`).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 60s ./messages/

# Four in-process nodes on loopback with a bot player each, playing one table.
demo: build
	./$(BIN) demo

clean:
	rm -rf bin
