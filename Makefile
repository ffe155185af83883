# lvs.cluster: the two commands a user needs are `make demo` and `make test`.
# Every target installs what it needs first (scripts/bootstrap.sh is idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The lab tool (lab/, installed editable into the venv by scripts/bootstrap.sh).
LAB       := $(VENV)/bin/lvslab
TOPOLOGY  ?= lab/topologies/demo.yml
HOST      ?=

.PHONY: help bootstrap requirements test unit format-check rules ee host-test differential sanity lint lab-test demo lab-up lab-down lab-status lab-figures lab-ssh bench build check-build docs-build

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

bootstrap:  ## Install Debian packages, the pinned virtualenv and the lab tool in it (idempotent)
	bash scripts/bootstrap.sh

# freeze --all keeps setuptools (the lab's build backend); pip is the venv's own.
requirements:  ## Re-pin requirements.txt from requirements.in
	rm -rf build/req-venv && python3 -m venv build/req-venv
	build/req-venv/bin/pip install -q -r requirements.in
	{ echo "# Generated from requirements.in by 'make requirements'. Every package pinned."; build/req-venv/bin/pip freeze --all --exclude pip --exclude-editable; } > requirements.txt

build: bootstrap  ## Build the collection tarball into build/
	mkdir -p build && rm -f build/lvs-cluster-*.tar.gz
	ansible-galaxy collection build --force --output-path build .

host-test: bootstrap  ## Tuning modules on the host's SMP kernel, and the preflight vs keepalived -t differential test, in netns + veth the tests make (root)
	$(PY) -m pytest -q -p no:cacheprovider tests/integration/host

# The long run of the differential test (its CI run is part of host-test: 200 examples, fixed seed).
EXAMPLES  ?= 5000
ifeq ($(SEED),)
SEED      := $(shell date +%s)
endif
differential: bootstrap  ## Preflight vs keepalived's config test on many generated inventories (EXAMPLES=5000, SEED=...; root)
	@echo "differential: $(EXAMPLES) examples, seed $(SEED) (repeat with SEED=$(SEED))"
	LVS_DIFFERENTIAL_EXAMPLES=$(EXAMPLES) LVS_DIFFERENTIAL_SEED=$(SEED) LVS_DIFFERENTIAL_SHRINK=1 \
		$(PY) -m pytest -q -p no:cacheprovider tests/integration/host/test_keepalived_differential.py

check-build: build  ## Install the tarball into a fresh collections path and ansible-doc every module and role entry point
	bash scripts/check-build.sh

docs-build: build  ## Lint the changelog fragments and the plugin and role docs, build the reference site into build/docs/ (offline)
	bash scripts/docs.sh

test: bootstrap  ## Run every test: unit, sanity, lint, then the real-kernel lab scenarios; seconds per stage at the end
	bash scripts/test.sh

unit: bootstrap  ## Unit tests (parsers, differs, argv building, the lab tool's logic)
	$(PY) -m pytest -q tests/unit

format-check: bootstrap  ## ruff format --check and ruff check over the repo (ruff.toml)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

rules: bootstrap  ## promtool check and test of the shipped Prometheus alert rules (tests/prometheus/)
	promtool check rules roles/monitoring/files/etc/prometheus/rules/*.rules.yml
	promtool test rules tests/prometheus/*.test.yml

ee: build  ## ansible-builder introspect and create for the execution environment (no container build)
	bash scripts/ee.sh

sanity: bootstrap  ## ansible-test sanity, offline-scripted
	bash scripts/sanity.sh

lint: bootstrap  ## ansible-lint --profile production
	ansible-lint --profile production

lab-test: bootstrap  ## Molecule scenarios on User-Mode Linux guests (needs root)
	bash scripts/molecule.sh

demo: bootstrap  ## Build the lab and roll out the demo cluster with site.yml
	bash scripts/demo.sh

lab-up: bootstrap  ## Bring up the lab topology (TOPOLOGY=...)
	$(LAB) up $(TOPOLOGY)

lab-down: bootstrap  ## Tear the lab down
	$(LAB) down $(TOPOLOGY)

lab-status: bootstrap  ## Show the lab's guests and links (TOPOLOGY=...)
	$(LAB) status $(TOPOLOGY)

lab-figures: bootstrap  ## Measure lab boot time and Ansible per-task cost (docs/lab.md)
	bash lab/bench/measure.sh boot tasks down

lab-ssh: bootstrap  ## Open a shell on a lab guest: make lab-ssh HOST=dir1
	$(LAB) ssh $(TOPOLOGY) $(HOST)

bench: bootstrap  ## Benchmarks that print figures (see docs/benchmarks.md)
	bash scripts/bench.sh
