# filedex: the Makefile is the front door. `make test` is what CI runs.
GO      ?= go
BUILD   := build
PKGS    := ./...
# Go sources the artifacts depend on (all of them: the core is inside every engine).
# Embedded files (migrations' SQL) count: a changed migration must rebuild the .wasm and .so.
GOSRC   := $(shell git ls-files '*.go' '*.sql' 2>/dev/null) go.mod go.sum
CC      ?= gcc

SOAK_SYNC_ROUNDS ?= 200

.PHONY: soak-sync
.PHONY: all build docs embed wasmtime test test-go test-examples test-wasi test-wasip1 capi wasm lint fmt check tidy-check cross clean bench-bindings fuzz soak soak-rounds soak-fuzz bench bench-quick bench-peers

all: build

build:
	$(GO) build -o $(BUILD)/filedex ./cmd/filedex

# ---- engines -----------------------------------------------------------------

# C ABI: libfiledex.so (cgo c-shared); the header is hand-written in bindings/capi.
capi: $(BUILD)/libfiledex.so $(BUILD)/filedex_rpc

$(BUILD)/libfiledex.so: $(GOSRC) bindings/capi/free.c
	$(GO) build -buildmode=c-shared -o $@ ./bindings/capi

# The C example, built against the public header (not cgo's generated one),
# with an rpath so it runs from anywhere.
$(BUILD)/filedex_rpc: examples/c/filedex_rpc.c bindings/capi/filedex.h $(BUILD)/libfiledex.so
	$(CC) -Wall -Wextra -Werror -O2 -I bindings/capi $< -L $(BUILD) -Wl,-rpath,'$$ORIGIN' -lfiledex -lpthread -o $@

# WASI: the reactor (go:wasmexport, c-shared) and the CLI as a command. WAL needs
# the dot-lock VFS under wasip1: WASI has no shared memory, so SQLite's default
# VFS cannot map the WAL index (-tags sqlite3_dotlk locks with a lock directory).
wasm: $(BUILD)/libfiledex.wasm $(BUILD)/filedex.wasm

$(BUILD)/libfiledex.wasm: $(GOSRC)
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -tags sqlite3_dotlk -o $@ ./bindings/wasi

$(BUILD)/filedex.wasm: $(GOSRC)
	GOOS=wasip1 GOARCH=wasm $(GO) build -tags sqlite3_dotlk -o $@ ./cmd/filedex

# wasmtime, the third WASI runtime of the conformance suite: internal/wasmtimerun is a
# module of its own (wasmtime-go is cgo and about 200 MB of module, which users of the
# main module should not download).
wasmtime: $(BUILD)/wasmtimerun

$(BUILD)/wasmtimerun: $(wildcard internal/wasmtimerun/*.go) internal/wasmtimerun/go.mod internal/wasmtimerun/go.sum
	cd internal/wasmtimerun && $(GO) build -o $(abspath $(BUILD))/wasmtimerun .

# A self-contained filedex whose --engine wasi needs no libfiledex.wasm beside it.
embed: $(BUILD)/libfiledex.wasm
	cp $(BUILD)/libfiledex.wasm wasmhost/libfiledex.wasm
	$(GO) build -tags filedex_embed -o $(BUILD)/filedex ./cmd/filedex

# ---- tests -------------------------------------------------------------------

# `make test` builds every engine first: FILEDEX_REQUIRE_ARTIFACTS turns a missing
# .so/.wasm into a failure instead of a skip, so a clean clone tests all engines.
test: capi wasm wasmtime test-go test-examples

test-go:
	FILEDEX_REQUIRE_ARTIFACTS=1 $(GO) test -count=1 $(PKGS)

# The examples are tests: each exits non-zero on any failed check.
# Node is required: its leg fails (never skips) when node is missing.
test-examples: capi wasm
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && set -e && \
	$(BUILD)/filedex_rpc --selftest "{\"library\":\"$$tmp/c\"}" && \
	python3 examples/python/filedex.py $(BUILD)/libfiledex.so --selftest "{\"library\":\"$$tmp/py\"}" && \
	{ command -v node >/dev/null || { echo "FAIL: node not found: the Node example needs Node >= 20"; exit 1; }; } && \
	mkdir -p $$tmp/node && node --no-warnings --liftoff-only examples/node/filedex.mjs selftest $(BUILD)/libfiledex.wasm $$tmp/node && \
	node --no-warnings --liftoff-only examples/node/filedex.mjs command $(BUILD)/filedex.wasm $$tmp/node -- --library $$tmp/node/lib version

# The core's (and bindings') tests compiled for wasip1 and run under wazero by
# internal/wasirun, with the package directory mounted at its own path.
# Packages whose tests must pass under wasip1 (a regexp over import paths).
WASI_TEST_PKGS ?= /(core|migrations|bindings)(/|$$)
test-wasi:
	$(GO) build -o $(BUILD)/wasirun ./internal/wasirun
	@set -e; for p in $$($(GO) list ./... | grep -E '$(WASI_TEST_PKGS)' | grep -v -e /bindings/capi -e /bindings/wasi); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$p); \
		if [ -z "$$($(GO) list -f '{{join .TestGoFiles ""}}{{join .XTestGoFiles ""}}' $$p)" ]; then continue; fi; \
		echo "== $$p (wasip1)"; \
		GOOS=wasip1 GOARCH=wasm $(GO) test -c -tags sqlite3_dotlk -o $(BUILD)/wasitest/$$(basename $$dir).test.wasm $$p; \
		$(BUILD)/wasirun -cache $(BUILD)/wazero-cache -dir $$dir -tmp $(BUILD)/wasitmp $(BUILD)/wasitest/$$(basename $$dir).test.wasm -test.v=false; \
	done

# BenchmarkCall: 2000 trivial calls per engine; BenchmarkWasmStart: a few starts (each
# takes about a second, so 2000 of them took over half an hour).
bench-bindings: capi wasm
	FILEDEX_REQUIRE_ARTIFACTS=1 $(GO) test -run '^$$' -bench 'BenchmarkCall' -benchtime 2000x ./internal/conformance
	FILEDEX_REQUIRE_ARTIFACTS=1 $(GO) test -run '^$$' -bench 'BenchmarkWasmStart' -benchtime 5x ./internal/conformance

# Issue #5's fuzz targets, one at a time, a minute each on one worker: request decoding (and
# its fast paths, checked against encoding/json) and
# every string the API turns into a path, a glob or a position — the sandbox check, the
# index's path lookup (entry.get/list/move, tag.apply, find/dupes "under") and label paths,
# list cursors, name globs, full-text queries and ignore globs. Each prints its executions;
# a finding fails the run and leaves the input in PKG/testdata/fuzz/TARGET.
FUZZ_API_TARGETS ?= ./bindings:FuzzDispatch ./bindings:FuzzFastEnvelope ./bindings:FuzzFastParams ./bindings:FuzzFastResult ./bindings:FuzzSandboxPath ./bindings:FuzzSandboxEntryPath ./core:FuzzResolvePath ./core:FuzzCursor \
	./core:FuzzGlob ./core:FuzzFTSExpr ./core/internal/walk:FuzzIgnore
FUZZ_API_TIME ?= 60s
fuzz:
	@out=$$(mktemp) && trap 'rm -f $$out' EXIT && for pt in $(FUZZ_API_TARGETS); do \
		p=$${pt%%:*}; f=$${pt##*:}; \
		echo "== fuzz $$f ($$p) for $(FUZZ_API_TIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZ_API_TIME) -parallel 1 $$p >$$out 2>&1; rc=$$?; \
		awk '/^fuzz: elapsed/ {last=$$0; next} {print} END {if (last != "") print "last: " last}' $$out; \
		[ $$rc -eq 0 ] || exit 1; \
	done

# ---- hygiene -----------------------------------------------------------------

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	cd internal/wasmtimerun && $(GO) vet .

# docs/rpc.md's method reference, regenerated from the method table (a test fails when stale).
docs:
	FILEDEX_UPDATE_DOCS=1 $(GO) test -count=1 -run TestRPCDoc_UpToDate ./bindings

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy-check:
	@cp go.mod /tmp/filedex.go.mod.bak; cp go.sum /tmp/filedex.go.sum.bak; \
	$(GO) mod tidy; \
	if ! diff -q go.mod /tmp/filedex.go.mod.bak >/dev/null || ! diff -q go.sum /tmp/filedex.go.sum.bak >/dev/null; then \
		echo "go mod tidy changed go.mod/go.sum"; cp /tmp/filedex.go.mod.bak go.mod; cp /tmp/filedex.go.sum.bak go.sum; exit 1; fi

# Cross-builds prove the core stays portable: wasip1 needs the dot-lock VFS (no shared memory for WAL).
cross:
	GOOS=wasip1 GOARCH=wasm $(GO) build -tags sqlite3_dotlk ./core/... ./migrations/... ./bindings ./bindings/wasi
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
	rm -rf $(BUILD) wasmhost/libfiledex.wasm

# Benchmarks (benchmarks/README.md). `make bench` is the full run behind the committed
# benchmarks/RESULTS.md and takes long (1M-entry libraries, 100k-file trees); `make bench-quick`
# finishes in under 5 minutes on 2 cores. TREE=/usr adds a real tree; BENCH_FLAGS passes flags.
TREE        ?=
BENCH_FLAGS ?=
BENCH_ARGS   = $(if $(TREE),-tree $(TREE)) $(BENCH_FLAGS)

bench: bench-peers wasm
	$(GO) run ./benchmarks/cmd/fdxbench $(BENCH_ARGS)

bench-quick: bench-peers wasm
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
# package:target pairs: every fuzz target of the repository (go test -fuzz takes one at a time).
FUZZ_TARGETS ?= ./core:FuzzRestoreFile ./core:FuzzDamagedDatabase ./core:FuzzCustomData \
	./core:FuzzGlob ./core:FuzzFTSExpr ./core:FuzzResolvePath ./core:FuzzCursor ./bindings:FuzzDispatch ./bindings:FuzzFastEnvelope ./bindings:FuzzFastParams ./bindings:FuzzFastResult \
	./bindings:FuzzSandboxPath ./bindings:FuzzSandboxEntryPath ./cmd/filedex:FuzzParseSize ./cmd/filedex:FuzzParseTime ./core/internal/walk:FuzzIgnore \
	./core/internal/walk:FuzzSplit ./core/internal/contentkind:FuzzDetect \
	./core/internal/media:FuzzProbe ./core/internal/cas:FuzzParse ./internal/sqlitestat:FuzzAnalyze ./bindings:FuzzCheckText
# FUZZ_PARALLEL workers per target; 1 keeps the other core free on a 2-core machine.
FUZZ_PARALLEL ?= 1
# FUZZ_MINIMIZE bounds the minimization of each new interesting input. go test's default
# (60 s) spent whole runs minimizing: every mutated database file reaches new SQLite code,
# and each minimization step of a 200 KiB input is a full restore (FuzzRestoreFile made 5
# executions in 30 s). Findings are kept unminimized; minimize one by hand if needed.
FUZZ_MINIMIZE ?= 10x
# FUZZ_TMPDIR: the targets that write libraries do it on a RAM file system when there is
# one, since fsync dominated their executions (4x faster per restore on /dev/shm).
FUZZ_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm)

soak: soak-rounds soak-fuzz

# Sync: N rounds of random edits, partitions and simulated crashes across 3 devices on an
# embedded hub (127.0.0.1, random port); reports rows lost or duplicated (goal 0). Not in `make test`.
soak-sync:
	FILEDEX_SOAK_SYNC_ROUNDS=$(SOAK_SYNC_ROUNDS) $(GO) test -count=1 -v -timeout 0 -run '^TestSync_Soak$$' ./internal/syncnet

soak-rounds:
	FILEDEX_SOAK_ROUNDS=$(SOAK_ROUNDS) FILEDEX_SOAK_ENTRIES=$(SOAK_ENTRIES) FILEDEX_SOAK_SEED=$(SOAK_SEED) \
		$(GO) test -count=1 -v -timeout 0 -run '^TestSoak$$' ./core

# -timeout 0: go test's default 10-minute timeout counts the baseline-coverage pass too, so a
# 10-minute fuzz run ended in "fuzzing process terminated without fuzzing: EOF" (not a finding).
# Every target runs even after one fails (a finding stops only its own target); the
# failures are listed at the end and make the run fail.
soak-fuzz:
	@failed=""; for pt in $(FUZZ_TARGETS); do \
		p=$${pt%%:*}; f=$${pt##*:}; \
		echo "== fuzz $$f ($$p) for $(FUZZTIME)"; \
		$(if $(FUZZ_TMPDIR),TMPDIR=$(FUZZ_TMPDIR)) $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZ_MINIMIZE) -timeout 0 -parallel $(FUZZ_PARALLEL) $$p || failed="$$failed $$f"; \
	done; \
	if [ -n "$$failed" ]; then echo "== fuzz findings in:$$failed"; exit 1; fi; echo "== fuzz: no findings"
