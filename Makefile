# bitcraps — see README.md. Two commands on a fresh machine: `make run`, `make test`.
GO      ?= go
BIN     := bin/bitcraps
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Tests get a generous timeout: the suite includes multi-process and crash tests.
TESTFLAGS ?= -race -count=1 -timeout 30m

.PHONY: build run test bench lint generate fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/bitcraps

# A node with embedded defaults: data in ./data, HTTP on 127.0.0.1:8080.
run: build
	./$(BIN) node --data ./data --http 127.0.0.1:8080 --bind 127.0.0.1

test:
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...

# Benchmarks measure speed and memory; nothing here asserts a wall-clock limit.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 60m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
