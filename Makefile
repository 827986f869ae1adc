# Every target sets itself up from a fresh clone: virtual environment, install, then the work.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= var
STAMP := $(VENV)/.installed

export MAJORWATCH_HOME ?= $(abspath $(HOME_DIR))
export DAGSTER_HOME ?= $(abspath $(HOME_DIR))/dagster

.PHONY: setup run test lint ui portal bench clean browser-deps postgres-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## make run: generate the sample inbox (when var/inbox is empty), run every asset, publish an edition
run: $(STAMP) browser-deps
	$(BIN)/majorwatch run --home $(HOME_DIR)
	@$(BIN)/majorwatch next-steps --home $(HOME_DIR)

browser-deps:
	bash scripts/install-browser-deps.sh

## PostgreSQL's binaries: the tests marked `postgres` start a throwaway server from them (tests/postgres_server.py)
postgres-deps:
	bash scripts/install-postgres.sh

## make lint: ruff, the architecture's import rules (import-linter) and `dg check defs` (the project in pyproject's
## [tool.dg]; it supersedes `dagster definitions validate`)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	tmp=$$(mktemp -d) && touch $$tmp/dagster.yaml && DAGSTER_HOME=$$tmp VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/dg check defs --use-active-venv; rc=$$?; rm -rf $$tmp; exit $$rc

## The tests' temporary folders (every home, warehouse and Dagster instance a test makes) go to tmpfs when
## /dev/shm has room (6 GiB free; a container's is often a few MiB): each pipeline run commits to SQLite and
## DuckDB with about 4,300 fdatasync calls (3 ms each on this disk when busy; a hand-made run took 36 s there
## and 23 s on tmpfs). No test is about data surviving a power cut (the test PostgreSQL runs with fsync=off for
## the same reason). tmpfs is memory: pytest keeps the folders of the last two sessions (this target's two), not 3.
TEST_TMPDIR ?= $(shell [ -w /dev/shm ] && [ "$$(df -Pk /dev/shm | awk 'NR==2 {print $$4}')" -ge 6291456 ] \
	&& echo /dev/shm || echo $${TMPDIR:-/tmp})
## make test: lint, then the whole suite (unit, Dagster, end-to-end, integration on ../shared, browser) on both
## cores, and the portal's schemathesis fuzzing in one process (its pytest plugin collects only the first API
## operation under xdist, so there it would test one endpoint and call it all). Whole files go to a worker in
## the order tests/conftest.py gives (the longest files first); xdist's own reorder would put them last. The
## schemathesis plugin stays out of the xdist run (nothing there uses it; loading it costs each worker seconds).
## The fuzzing runs at the same time as the xdist run (its output is printed after it): run after it, it kept one
## core busy and left the other idle. The target fails when either run fails.
test: $(STAMP) browser-deps postgres-deps lint
	@export TMPDIR=$(TEST_TMPDIR); fuzz_log=$$(mktemp); keep="-o tmp_path_retention_count=2"; \
	$(BIN)/pytest $$keep -p no:xdist tests/test_portal_fuzz.py > $$fuzz_log 2>&1 & fuzz=$$!; \
	$(BIN)/pytest $$keep -n 2 --dist loadfile --no-loadscope-reorder --durations=12 --ignore=tests/test_portal_fuzz.py -p no:schemathesis; \
	suite=$$?; wait $$fuzz; fuzzed=$$?; \
	echo "== tests/test_portal_fuzz.py (schemathesis, one process) =="; cat $$fuzz_log; rm -f $$fuzz_log; \
	test $$suite -eq 0 && test $$fuzzed -eq 0

## make ui: the Dagster UI on the same definitions (http://127.0.0.1:3000), through `dg dev` (`dagster dev` is superseded)
ui: $(STAMP)
	$(BIN)/python -c "from pipelines.instance import prepare_home; prepare_home('$(HOME_DIR)')"
	MAJORWATCH_INBOX=$${MAJORWATCH_INBOX:-$(MAJORWATCH_HOME)/inbox} $(BIN)/dg dev -m pipelines.definitions

portal: $(STAMP)
	$(BIN)/majorwatch portal --home $(HOME_DIR)

## make bench [SCALES="1 10 100 500"]: every benchmark; the pipeline's table goes to benchmarks/results.md and .json
SCALES ?= 1 10
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all --scales $(SCALES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
