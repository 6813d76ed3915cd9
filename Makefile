# filedex: the Makefile is the front door. `make test` is what CI runs.
GO      ?= go
BUILD   := build
PKGS    := ./...

.PHONY: all build test test-go test-wasip1 lint fmt check tidy-check cross clean soak bench bench-quick bench-peers

all: build

build:
	$(GO) build -o $(BUILD)/filedex ./cmd/filedex

test: test-go

test-go:
	$(GO) test -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy-check:
	@cp go.mod /tmp/filedex.go.mod.bak; cp go.sum /tmp/filedex.go.sum.bak; \
	$(GO) mod tidy; \
	if ! diff -q go.mod /tmp/filedex.go.mod.bak >/dev/null || ! diff -q go.sum /tmp/filedex.go.sum.bak >/dev/null; then \
		echo "go mod tidy changed go.mod/go.sum"; cp /tmp/filedex.go.mod.bak go.mod; cp /tmp/filedex.go.sum.bak go.sum; exit 1; fi

# Cross-builds prove the core stays portable: wasip1 needs the dot-lock VFS (no shared memory for WAL).
cross:
	GOOS=wasip1 GOARCH=wasm $(GO) build -tags sqlite3_dotlk ./core/... ./migrations/...
	GOOS=darwin GOARCH=arm64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) build ./...

check: lint tidy-check cross

# The scan building blocks' tests run as a WASI module too (GOOS=wasip1 under wazero's CLI,
# built from the Go module proxy): the walker takes a different code path there.
WAZERO_VERSION := v1.12.0
test-wasip1:
	GOBIN=$(abspath $(BUILD))/bin $(GO) install github.com/tetratelabs/wazero/cmd/wazero@$(WAZERO_VERSION)
	PATH="$(abspath $(BUILD))/bin:$$($(GO) env GOROOT)/lib/wasm:$$PATH" GOWASIRUNTIME=wazero \
		GOOS=wasip1 GOARCH=wasm $(GO) test ./core/internal/...

clean:
	rm -rf $(BUILD)

# Benchmarks (benchmarks/README.md). `make bench` is the full run behind the committed
# benchmarks/RESULTS.md and takes long (1M-entry libraries, 100k-file trees); `make bench-quick`
# finishes in under 5 minutes on 2 cores. TREE=/usr adds a real tree; BENCH_FLAGS passes flags.
TREE        ?=
BENCH_FLAGS ?=
BENCH_ARGS   = $(if $(TREE),-tree $(TREE)) $(BENCH_FLAGS)

bench: bench-peers
	$(GO) run ./benchmarks/cmd/fdxbench $(BENCH_ARGS)

bench-quick: bench-peers
	$(GO) run ./benchmarks/cmd/fdxbench -quick $(BENCH_ARGS)

bench-peers:
	@./benchmarks/install-peers.sh

# Long reliability runs, never part of `make test` (record what you ran in docs/reliability.md):
# SIGKILL-and-resume rounds of tag edits and of scans over a SOAK_ENTRIES-file tree, each
# followed by Check, then FUZZTIME of fuzzing per target. Tallies are printed at the end of
# each part. Example of a short run: make soak SOAK_ROUNDS=10 SOAK_ENTRIES=10000 FUZZTIME=30s
SOAK_ROUNDS  ?= 100
SOAK_ENTRIES ?= 100000
SOAK_SEED    ?= 1
FUZZTIME     ?= 10m
FUZZ_TARGETS ?= FuzzRestoreFile FuzzDamagedDatabase FuzzCustomData

soak:
	FILEDEX_SOAK_ROUNDS=$(SOAK_ROUNDS) FILEDEX_SOAK_ENTRIES=$(SOAK_ENTRIES) FILEDEX_SOAK_SEED=$(SOAK_SEED) \
		$(GO) test -count=1 -v -timeout 0 -run '^TestSoak$$' ./core
	@for f in $(FUZZ_TARGETS); do \
		echo "== fuzz $$f for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./core || exit 1; \
	done
