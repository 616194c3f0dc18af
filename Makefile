# Two commands matter: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
SAMPLE_DB := data/outcomes.db

.PHONY: run replicas test setup sample bench lint clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(SAMPLE_DB): | $(STAMP)
	$(PY) -m sample_data build --db sqlite:///$(abspath $(SAMPLE_DB))

sample: $(STAMP)
	rm -f $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
	$(MAKE) $(SAMPLE_DB)

# Streamlit reads STREAMLIT_SERVER_PORT itself (default 8501); it listens on 127.0.0.1 only
# (.streamlit/config.toml) unless STREAMLIT_SERVER_ADDRESS says otherwise. The sample database is rebuilt
# when it no longer ends with last month, so the demo is current on any date (docs/time.md).
# serve.py is app.py with a start-up step: it warms the figures before anyone asks (docs/performance.md).
run: $(STAMP)
	@[ -n "$$OUTCOMES_DATABASE_URL" ] || $(PY) -m sample_data ensure --db sqlite:///$(abspath $(SAMPLE_DB))
	OUTCOMES_SAMPLE=$${OUTCOMES_SAMPLE:-$$([ -z "$$OUTCOMES_DATABASE_URL" ] && echo 1 || echo 0)} \
	OUTCOMES_DATABASE_URL=$${OUTCOMES_DATABASE_URL:-sqlite:///$(abspath $(SAMPLE_DB))} \
	  $(PY) -m streamlit run serve.py

# One app process per core (or PROCESSES=N) behind nginx on http://127.0.0.1:8500 (PORT=...), on the same
# database as `make run`; nginx's configuration is generated into a temporary folder (docs/deploy.md).
replicas: $(STAMP)
	@[ -n "$$OUTCOMES_DATABASE_URL" ] || $(PY) -m sample_data ensure --db sqlite:///$(abspath $(SAMPLE_DB))
	OUTCOMES_SAMPLE=$${OUTCOMES_SAMPLE:-$$([ -z "$$OUTCOMES_DATABASE_URL" ] && echo 1 || echo 0)} \
	OUTCOMES_DATABASE_URL=$${OUTCOMES_DATABASE_URL:-sqlite:///$(abspath $(SAMPLE_DB))} \
	  $(PY) -m deploy replicas --port $${PORT:-8500} $(if $(PROCESSES),--processes $(PROCESSES))

# Three workers on two cores: much of the suite waits on browsers and app servers rather than computing
# (8 min 57 s against 9 min 24 s with two, on this machine).
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 3 --dist loadfile

# Byte-compiled first, as an installed application is: where PYTHONDONTWRITEBYTECODE is set, every
# command would otherwise compile the project's source as it starts (docs/performance.md).
# SOAK=30 adds a 30-minute soak (sessions rerunning, the server's memory sampled): run it on a quiet machine.
bench: $(STAMP)
	$(PY) -m compileall -q app.py serve.py pages ui metrics storage data_loaders core reports sample_data benchmarks deploy
	$(PY) -m benchmarks $(if $(SOAK),--soak-minutes $(SOAK))

clean:
	rm -rf $(VENV) data/outcomes.db*

# Known vulnerabilities in the installed packages (docs/deploy.md). Loud but not fatal when offline.
.PHONY: audit
audit: $(STAMP)
	$(PY) .ci/audit.py
