# gglift developer and CI entry points. `make demo` and `make test` work on a fresh Debian
# machine with Python 3.9+: everything else they need is installed from here.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two workers match the CI machine; override with `make test PYTEST_JOBS=auto`.
PYTEST_JOBS ?= 2

.PHONY: demo test venv system-deps clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	bash tools/install-system-deps.sh

demo: $(STAMP)
	bash examples/demo.sh $(BIN)

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n $(PYTEST_JOBS) -q

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache examples/*/build
