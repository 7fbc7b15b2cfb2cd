# Every target installs what it needs: a fresh machine needs only Python 3, Terraform and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BUILD  := build
STAMP  := $(VENV)/.installed
# Tests run against localaws with simulated time sped up; see docs/localaws.md.
export LOCALAWS_TIME_SCALE ?= 0.01

.PHONY: help install harness test unit integration e2e lint workflows validate checkov demo localaws bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

harness: $(STAMP) ## build the hashicorp/external stand-in and the offline Terraform CLI config
	$(PY) -m tests.tfharness setup --build-dir $(BUILD)

install: $(STAMP) harness ## set up .venv (pinned), the package (editable) and the Terraform harness

# Every workflow file of the repository: the project's CI and the examples' workflows.
WORKFLOWS := $(sort $(wildcard .github/workflows/*.yml examples/*/workflows/*.yml))

lint: $(STAMP) workflows ## ruff, terraform fmt, actionlint and zizmor
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	terraform fmt -check -recursive

# actionlint (with the venv's shellcheck for run: scripts) and zizmor, offline, pedantic: no finding left.
workflows: $(STAMP) ## actionlint and zizmor on every workflow file
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/actionlint $(WORKFLOWS)
	$(VENV)/bin/zizmor --offline --persona=pedantic --no-progress $(WORKFLOWS)

validate: install ## terraform validate of the root module, every submodule and every example
	$(PY) -m tests.tfharness validate-all

# checkov is heavy (about 100 packages, its own pins): it gets a venv of its own, apart from the test venv.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP): constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -c constraints-checkov.txt checkov
	touch $@

checkov: $(CHECKOV_STAMP) ## checkov over the module and the examples: no failed check (each skip has its reason inline)
	$(CHECKOV_VENV)/bin/checkov --directory . --framework terraform --quiet --compact --skip-download \
		--skip-path .venv --skip-path $(CHECKOV_VENV) --skip-path $(BUILD) --skip-path tests

unit: $(STAMP) ## unit tests (no network)
	$(PY) -m pytest -q tests/unit

integration: install ## tests against localaws over HTTP
	$(PY) -m pytest -q $(PYTEST_DIST) tests/integration

# worksteal: an idle worker takes queued tests from a busy one, so the minute-long e2e examples do not pile up
# on one worker at the end. (Each example's apply includes hashicorp/aws's own lifecycle-configuration
# consistency wait: 10 s, then 10 equal GetBucketLifecycleConfiguration reads 5 s apart, ~55 s, however S3
# answers; see tests/localaws/s3.py.)
PYTEST_DIST := -n 2 --dist worksteal

e2e: install ## real Terraform and the real AWS provider against localaws
	$(PY) -m pytest -q $(PYTEST_DIST) -m e2e tests/e2e

test: install lint validate checkov ## every test: lint, validate, unit, integration, end to end
	$(PY) -m pytest -q $(PYTEST_DIST) tests

demo: install ## the main job end to end against localaws
	$(PY) -m tests.demo

localaws: $(STAMP) ## localaws in the foreground (PORT=4566)
	$(PY) -m tests.localaws --port $${PORT:-4566}

bench: install ## benchmarks P1 plan read, P2 rollout detection, P4 history/prune -> bench/report.{json,md} (BENCH_ARGS=--quick)
	$(PY) -m bench $(BENCH_ARGS)

clean: ## remove the virtualenv and build outputs
	rm -rf $(VENV) $(CHECKOV_VENV) $(BUILD) .pytest_cache .ruff_cache
