# gradsign: GradSign zero-cost NAS scores in pure Go.
#
#   make serve    build the web app and serve it on http://127.0.0.1:8080 (ADDR=host:port for another)
#   make score    the default score through the CLI (NAS-Bench-201 index 0, N=128, seed 0)
#   make test     every test: vet, unit, reference, CLI, the engine under wasm, the web app in
#                 headless Chromium, and a short fuzz run
#   make bench    layer and whole-score benchmarks
#   make gpubench the WebGPU backend's timings in Chromium (on a machine with a GPU)
#   make assets   rebuild assets/ from the shared source data (../shared/data)

GO       ?= go
FUZZTIME ?= 50000x
BENCHTIME ?= 3x

WEB      ?= build/web
ADDR     ?= 127.0.0.1:8080
KERNEL   ?= build/kernel
GOROOT_DIR = $(shell $(GO) env GOROOT)
# Go's js/wasm binaries run under Node.js with the browser's SIMD kernel installed.
WASMEXEC = $(CURDIR)/tools/wasmexec/go_js_wasm_exec

.PHONY: zoo nb301-table swap-table nas space rankings reference-proxies gpubench test-webgpu lint kernel check-wabt serve web score test test-go test-wasm test-browser fuzz bench assets reference check-go check-chromium crosscheck check-torch browserbench bench-table

serve: web
	$(GO) run ./tools/serve -dir $(WEB) -addr $(ADDR)

# The web app: the engine as wasm (stripped), its SIMD kernel, the ui/ files, the assets, uPlot.
web: check-go kernel node_modules/.package-lock.json
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(WEB)/gradsign.wasm ./wasm
	$(GO) run ./tools/webbuild -out $(WEB) -goroot $(GOROOT_DIR) -kernel $(KERNEL)

# The browser's GEMM kernel: WebAssembly text from tools/mkkernel, assembled by wabt's wat2wasm
# (Debian's, installed if missing), with and without relaxed-SIMD multiply-adds.
kernel: check-go check-wabt
	@mkdir -p $(KERNEL)
	$(GO) run ./tools/mkkernel > $(KERNEL)/sgemm-simd.wat
	$(GO) run ./tools/mkkernel -relaxed > $(KERNEL)/sgemm-relaxed.wat
	wat2wasm $(KERNEL)/sgemm-simd.wat -o $(KERNEL)/sgemm-simd.wasm
	wat2wasm --enable-relaxed-simd $(KERNEL)/sgemm-relaxed.wat -o $(KERNEL)/sgemm-relaxed.wasm

check-wabt:
	@command -v wat2wasm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wabt; }

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js 18 or later) is needed"; exit 1; }
	npm ci --no-audit --no-fund

score: check-go
	$(GO) run ./tools/gradsign score

check-go:
	@command -v $(GO) >/dev/null || { echo "make: Go 1.26 or later is needed (https://go.dev/dl)"; exit 1; }

test: test-go test-wasm test-browser test-webgpu fuzz

# Native: vet, formatting, staticcheck, tidy modules, and every Go test (layers, references,
# CLI, native-vs-wasm CLI).
test-go: check-go kernel lint
	$(GO) test ./...

# staticcheck (pinned, installed into bin/) on the native build and on the wasm build, vet,
# gofmt, go.mod/go.sum as go mod tidy leaves them, and every page module parsed by Node.js (a
# syntax error would otherwise show only in the browser tests).
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint: check-go
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm ./engine/...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) mod tidy -diff
	GOBIN=$(CURDIR)/bin $(GO) install $(STATICCHECK)
	bin/staticcheck $$($(GO) list ./... | grep -v '/wasm$$')
	GOOS=js GOARCH=wasm bin/staticcheck ./wasm ./engine/...
	@for f in ui/*.js ui/test/*.mjs tools/*/*.mjs; do node --input-type=module --check < $$f || { echo "$$f: syntax error"; exit 1; }; done

# The engine's tests compiled to WebAssembly and run under Node.js with the SIMD kernel (plain
# SIMD128: Node.js 20 has relaxed SIMD only behind a flag), then the matrix tests with the
# relaxed-SIMD kernel and with Go's own.
test-wasm: check-go kernel
	GOOS=js GOARCH=wasm $(GO) test -exec $(WASMEXEC) ./engine/...
	GRADSIGN_NODE_FLAGS=--experimental-wasm-relaxed-simd GRADSIGN_WANT_KERNEL=wasm-relaxed-simd GOOS=js GOARCH=wasm $(GO) test -count=1 -run 'SIMD|Kernels' -exec $(WASMEXEC) ./engine/matmul
	GRADSIGN_NO_KERNEL=1 GOOS=js GOARCH=wasm $(GO) test -exec $(WASMEXEC) ./engine/matmul

# The web app end to end in headless Chromium (Debian's, installed if missing).
test-browser: web check-chromium
	$(GO) build -o bin/ ./tools/serve ./tools/gradsign ./tools/webbuild
	node --test ui/test/

# The WebGPU backend's conformance suite (every op, the five reference files, chunks and
# workers) in headless Chromium on SwiftShader's CPU adapter: the Go test binary built for
# js/wasm, run in a page by tools/gputest.
test-webgpu: check-go check-chromium node_modules/.package-lock.json
	@mkdir -p build
	GOOS=js GOARCH=wasm $(GO) test -c -o build/webgpu.test.wasm ./engine/backend/webgpu
	node tools/gputest/run.mjs engine/backend/webgpu build/webgpu.test.wasm -test.v

check-chromium:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# A short run of each fuzz target beyond its seed corpus (which `go test` always runs), counted
# in inputs rather than seconds (a time limit can end a fuzz run with "context deadline
# exceeded" on a loaded machine).
fuzz: check-go
	$(GO) test -run '^$$' -fuzz '^FuzzParseArch$$' -fuzztime $(FUZZTIME) ./engine/nb201
	$(GO) test -run '^$$' -fuzz '^FuzzParseCell$$' -fuzztime $(FUZZTIME) ./engine/nb101
	$(GO) test -run '^$$' -fuzz '^FuzzParseGenotype$$' -fuzztime $(FUZZTIME) ./engine/darts
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./engine/safetensors
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./engine/onnx
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/scorefile
	$(GO) test -run '^$$' -fuzz '^FuzzMemorySize$$' -fuzztime $(FUZZTIME) ./tools/gradsign

# Benchmarks: the Go benchmarks (kernels, layers, whole scores), then one table of whole
# scores beside the official PyTorch loop, then the browser's table (headless Chromium).
bench: check-go check-torch
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./engine/matmul ./engine/layers ./engine/gradsign
	$(MAKE) --no-print-directory bench-table browserbench

bench-table: check-go check-torch
	$(GO) build -o bin/gradsign ./tools/gradsign
	$(GO) run ./tools/benchtable

# torchvision's 18 architecture families scored as a person brings them (ONNX, fresh weights)
# beside PyTorch float32 and the float64 exact score: results/zoo/zoo.md (resumable, a row a model).
zoo: check-go check-torch
	$(GO) build -o bin/gradsign ./tools/gradsign
	$(GO) run ./tools/zoo -out results/zoo

assets: check-go
	$(GO) run ./tools/mkassets -src ../shared/data -dst assets

# The paper's second result (needs the whole-space file complete): the four algorithms,
# vanilla and GradSign-assisted, 500 runs each, seed 0, into results/search (the JSON of
# RESULTS.md's table, and each run's trajectory for the figures), the assisted ones again with
# each GradSign evaluation charged CHARGE seconds (default: the whole-space run's wall time per
# architecture on two Xeon cores, about 56 a minute), then the figures (tools/searchplot).
CHARGE ?= 1.1
nas: check-go
	$(GO) build -o bin/gradsign ./tools/gradsign
	for a in rs rea reinforce bohb; do \
	  bin/gradsign search --algo $$a --runs 500 --seed 0 --json --out results/search/$${a}_vanilla_500runs_seed0.trajectories.jsonl > results/search/$${a}_vanilla_500runs_seed0.json && \
	  bin/gradsign search --algo $$a --gradsign --runs 500 --seed 0 --json --out results/search/$${a}_gradsign_500runs_seed0.trajectories.jsonl > results/search/$${a}_gradsign_500runs_seed0.json && \
	  bin/gradsign search --algo $$a --gradsign --charge-scoring $(CHARGE) --runs 500 --seed 0 --json --out results/search/$${a}_gradsign_charged$(CHARGE)s_500runs_seed0.trajectories.jsonl > results/search/$${a}_gradsign_charged$(CHARGE)s_500runs_seed0.json || exit 1; \
	done
	for d in cifar10 cifar100 imagenet16; do $(GO) run ./tools/searchplot -charge $(CHARGE) -dataset $$d || exit 1; done

# The DARTS question (RESULTS.md): every genotype of a DARTS table at C = 16, N = 32, seed 0 —
# the exact GradSign, the official code's (raw), the structural zeros' count and share, synflow,
# naswot and params — resumable (run it again to go on), then its table with bootstrap intervals
# (FILE.md) and its figure (tools/proxyplot, FILE's name with .svg). nb301-table: NAS-Bench-301's
# 1,218 against its surrogate accuracy; swap-table: SWAP's 1,000 against trained accuracy.
DARTS_RUN = --all --channels 16 --n 32 --seed 0 --proxies gradsign,synflow,naswot,params --raw --resume
nb301-table swap-table: check-go
	$(GO) build -o bin/gradsign ./tools/gradsign
	$(eval T := results/$(subst -table,,$@)/$(subst -table,,$@)_all_c16_cifar10_n32_seed0)
	bin/gradsign eval --space $(if $(filter nb301-table,$@),darts,swap) $(DARTS_RUN) --out $(T).csv
	bin/gradsign eval --merge --intervals --markdown $(T).csv > $(T).md
	$(GO) run ./tools/proxyplot -in $(T).csv -out $(T).svg

# The web app's whole-space asset from the whole-space file (as far as its run has gone).
space: check-go
	$(GO) run ./tools/mkspace

# The web app's table of how every proxy ranks the 1,000-architecture sample (N = 128), from
# its score file (TestRankingsAsset checks that they agree).
rankings: check-go
	$(GO) run ./tools/gradsign eval --merge --json results/eval_cifar10_sample1000_n128_seed0.csv > assets/proxy_rankings.json

# The web app's reference set: 200 architectures scored at N = 16, 32, 64, 128, seed 0.
reference: check-go
	$(GO) run ./tools/mkreference -k 200 -out assets/reference.json

# The reference set's baseline proxies where the browser computes them (N = 16 and 32; grasp
# only 16), so that the page can rank a result's proxies: about 6 minutes each on 2 cores.
PROXIES_16 := gradsign,grad_norm,snip,grasp,fisher,synflow,jacob_cov,naswot,plain
PROXIES_32 := gradsign,grad_norm,snip,fisher,synflow,jacob_cov,naswot,plain
reference-proxies: check-go
	$(GO) build -o bin/gradsign ./tools/gradsign
	bin/gradsign eval --indices results/reference_indices.txt --n 16 --seed 0 --proxies $(PROXIES_16) --out results/reference_n16.csv
	bin/gradsign eval --indices results/reference_indices.txt --n 32 --seed 0 --proxies $(PROXIES_32) --out results/reference_n32.csv
	$(GO) run ./tools/mkreference -proxy-files results/reference_n16.csv,results/reference_n32.csv -out assets/reference.json

# Random NAS-Bench-201 networks scored by the CLI and by the official procedure in PyTorch
# (Debian's python3-torch, installed if missing) on the same weights and images.
crosscheck: check-go check-torch
	$(GO) build -o bin/gradsign ./tools/gradsign
	$(GO) run ./tools/crosscheck -cli bin/gradsign -k $(or $(K),10) -n $(or $(N),32)

check-torch:
	@/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch python3-torchvision; }

# The WebGPU backend's timings beside the wasm engine and the native CLI, in Chromium on this
# machine's GPU (tools/gpubench says how to point it at another Chrome or adapter).
gpubench: web check-chromium
	$(GO) build -o bin/ ./tools/serve ./tools/gradsign
	node tools/gpubench/bench.mjs $(or $(N),128)

# In-browser timings (headless Chromium: 1 worker with and without the SIMD kernel, all workers)
# beside the native CLI on one core and on all.
browserbench: web check-chromium
	$(GO) build -o bin/ ./tools/serve ./tools/gradsign
	node tools/browserbench/bench.mjs $(or $(N),16)
