# gglift developer and CI entry points. `make demo` and `make test` work on a fresh Debian
# machine with Python 3.9+: everything else they need is installed from here.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two workers match the CI machine; override with `make test PYTEST_JOBS=auto`.
PYTEST_JOBS ?= 2

.PHONY: demo test venv system-deps clean check-c cross

# The C runtime is compiled at install time, so a change to its sources reinstalls.
$(STAMP): pyproject.toml setup.py $(wildcard runtime_c/src/*.[ch] runtime_c/include/*.h runtime_c/exports.map gglift/native/_build_ffi.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	bash tools/install-system-deps.sh

# The demo gets its own environment with only what it runs: gglift itself (a regular install,
# as users get it) and the Greengrass Core SDK the example's ported code imports.
DEMO_VENV ?= build/demo-venv
DEMO_STAMP := $(DEMO_VENV)/.installed

$(DEMO_STAMP): pyproject.toml setup.py $(wildcard gglift/*.py gglift/*/*.py templates/*.j2 templates/init/*.j2 templates/init/src/*.j2 runtime_c/src/*.[ch] runtime_c/include/*.h)
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install -q --disable-pip-version-check . 'greengrasssdk==1.6.1'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	bash examples/demo.sh $(DEMO_VENV)/bin

test: system-deps $(STAMP)
	$(MAKE) check-c
	$(BIN)/python -m pytest -n $(PYTEST_JOBS) -q

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache examples/*/build

# ---- C runtime (runtime_c/) ------------------------------------------------------------------
# check-c: header as C89/C99/C++, strict library builds, C tests under ASan+UBSan and valgrind,
# a bounded libFuzzer run. cross: aarch64 and armhf builds whose tests run under qemu-user.
check-c: system-deps
	$(MAKE) -C runtime_c check

cross: system-deps $(STAMP)
	$(MAKE) -C runtime_c cross
	$(BIN)/python -m pytest -q tests/native/test_cross.py
