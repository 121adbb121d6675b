# agentconsole — the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
BIN       := bin/agentconsole
NODE_DIR  := .build
TAILWIND  := $(NODE_DIR)/node_modules/.bin/tailwindcss
CSS_OUT   := static/css/app.css
HTMX_OUT  := static/js/htmx.min.js
SPECTRAL  := $(NODE_DIR)/node_modules/.bin/spectral
API_DOC   := handlers/openapi/openapi.yaml
API_CLIENT_DIR := cmd/agentconsole/internal/apiclient
FUZZTIME  ?= 5s
# make test fuzzes for a number of inputs, not a duration: a duration's deadline can land
# while a worker runs or minimises an input, and Go then fails the run with "context
# deadline exceeded" (it did once in CI) although nothing was found.
FUZZ_TEST ?= 20000x

.PHONY: help run build assets css generate check-generated vet lint-api test fuzz bench soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(TAILWIND): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(TAILWIND) ## install npm packages, vendor htmx, build Tailwind CSS
	@mkdir -p static/css static/js
	cp $(NODE_DIR)/node_modules/htmx.org/dist/htmx.min.js $(HTMX_OUT)
	$(TAILWIND) -c tailwind.config.js -i $(NODE_DIR)/app.css -o $(CSS_OUT) --minify 2>/dev/null

css: assets

generate: ## generate Go code from templ files, and the API client from the OpenAPI document
	$(GO) tool templ generate -log-level error
	$(GO) tool oapi-codegen -config $(API_CLIENT_DIR)/oapi-codegen.yaml $(API_DOC)

# Statically linked (CGO_ENABLED=0: the pure-Go DNS resolver and os/user): no libc and
# loader pages in the resident set, 1.3 MiB less file-backed memory than with cgo.
build: assets generate ## build the binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/agentconsole

run: build ## start the console (private PostgreSQL when DATABASE_URL is unset) with demo data
	$(BIN) serve --dev

# Regenerate templ code, the API client and CSS, and fail if that changed a committed
# file: generated files are committed, so they must match their sources (the API client
# must match handlers/openapi/openapi.yaml).
check-generated: $(TAILWIND)
	@before=$$(cat $$(find views -name '*_templ.go' | sort) $(API_CLIENT_DIR)/client.gen.go $(CSS_OUT) $(HTMX_OUT) 2>/dev/null | sha256sum); \
	$(MAKE) --no-print-directory -s assets generate >/dev/null; \
	after=$$(cat $$(find views -name '*_templ.go' | sort) $(API_CLIENT_DIR)/client.gen.go $(CSS_OUT) $(HTMX_OUT) | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "generated templ code, API client or CSS was out of date (now regenerated): commit it"; exit 1; fi; \
	echo "generated code and CSS are up to date"

# The API document is linted with Spectral's spectral:oas ruleset (.spectral.yaml):
# any error or warning fails, so clients can be generated from it.
lint-api: $(TAILWIND) ## lint the OpenAPI document with Spectral (spectral:oas); any warning fails
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity warn --format text $(API_DOC)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.build/*'))" || { gofmt -l .; echo "gofmt needed"; exit 1; }

# Statement modes other than the default (prepared): the API contract tests and one
# browser journey run again in each (the full suite runs in the default mode; the
# scale-out test runs describe and simple through PgBouncer).
MODE_TESTS := TestSeed00|TestStaleSaves|TestBrowserAgentCreateValidateCloneDeleteRestore

test: check-generated vet lint-api ## vet, generated-code check, unit, integration and browser tests, short fuzzing
	.ci/ensure-chromium
	.ci/ensure-scaleout
	$(GO) test -race -count=1 -timeout 20m ./...
	for mode in describe simple; do \
		echo "statement mode $$mode:"; \
		TEST_DATABASE_STATEMENTS=$$mode $(GO) test -race -count=1 -timeout 10m -run '$(MODE_TESTS)' ./web || exit 1; \
	done
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_TEST)

# Each fuzz target runs for FUZZTIME from its seed corpus (make test: FUZZ_TEST inputs each). Minimising
# new inputs is capped: left at its default it can outlast FUZZTIME and fail the run.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzAgentBody$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./handlers
	$(GO) test -run '^$$' -fuzz '^FuzzConsoleForm$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./handlers
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./db/catalog
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./db/cards
	$(GO) test -run '^$$' -fuzz '^FuzzCompare$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 100x ./db/versiondiff

bench: build ## speed and memory against PostgreSQL's own limit (see README)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(GO) run ./cmd/agentconsole-bench

soak: build ## ~10 minutes of mixed load with database outages, then a consistency check
	$(GO) run ./cmd/agentconsole-soak

clean:
	rm -rf bin
