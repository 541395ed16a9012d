# gradsign: GradSign zero-cost NAS scores in pure Go.
#
#   make score    the default score through the CLI (NAS-Bench-201 index 0, N=128, seed 0)
#   make test     every test: vet, unit, reference, CLI, fuzz seeds and a short fuzz run
#   make bench    layer and whole-score benchmarks
#   make assets   rebuild assets/ from the shared source data (../shared/data)

GO       ?= go
FUZZTIME ?= 5s
BENCHTIME ?= 3x

.PHONY: score test fuzz bench assets check-go crosscheck check-torch

score: check-go
	$(GO) run ./tools/gradsign score

check-go:
	@command -v $(GO) >/dev/null || { echo "make: Go 1.26 or later is needed (https://go.dev/dl)"; exit 1; }

test: check-go
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) test ./...
	$(MAKE) --no-print-directory fuzz

# A short run of each fuzz target beyond its seed corpus (which `go test` always runs).
fuzz: check-go
	$(GO) test -run '^$$' -fuzz '^FuzzParseArch$$' -fuzztime $(FUZZTIME) ./engine/nb201
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./engine/safetensors

bench: check-go
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./engine/matmul ./engine/layers ./engine/gradsign

assets: check-go
	$(GO) run ./tools/mkassets -src ../shared/data -dst assets

# Random NAS-Bench-201 networks scored by the CLI and by the official procedure in PyTorch
# (Debian's python3-torch, installed if missing) on the same weights and images.
crosscheck: check-go check-torch
	$(GO) build -o bin/gradsign ./tools/gradsign
	$(GO) run ./tools/crosscheck -cli bin/gradsign -k $(or $(K),10) -n $(or $(N),32)

check-torch:
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch; }
