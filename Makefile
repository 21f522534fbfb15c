# gglift developer and CI entry points. `make demo` and `make test` work on a fresh Debian
# machine with Python 3.9+: everything else they need is installed from here.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make test` tests what users install: the wheel built (through the sdist) from this checkout,
# installed non-editable in a fresh environment of its own.
TEST_VENV ?= .venv-test
TEST_BIN := $(abspath $(TEST_VENV))/bin
# Two workers match the CI machine; override with `make test PYTEST_JOBS=auto`.
PYTEST_JOBS ?= 2

.PHONY: demo test test-venv venv system-deps clean check-c cross nucleus-lite

# The C runtime is compiled at install time, so a change to its sources reinstalls.
$(STAMP): pyproject.toml setup.py $(wildcard runtime_c/src/*.[ch] runtime_c/include/*.h runtime_c/exports.map runtime_c/cmake/*.cmake gglift/native/_build_ffi.py)
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

# The test environment: a fresh venv, the sdist and wheel built from the checkout (`python -m
# build` makes the wheel from the unpacked sdist, so both must carry everything gglift needs at
# run time), the wheel installed non-editable with the test extras.
test-venv:
	rm -rf $(TEST_VENV) dist
	$(PYTHON) -m venv $(TEST_VENV)
	$(TEST_BIN)/python -m pip install -q --upgrade pip build
	$(TEST_BIN)/python -m build -q --outdir dist .
	$(TEST_BIN)/python -m pip install -q "$$(ls dist/gglift-*.whl)[test]"

# pytest runs outside the checkout, so neither it nor the subprocesses of the tests can import
# gglift from the source tree (tests/conftest.py checks that the wheel is what they import).
test: system-deps test-venv
	$(MAKE) check-c
	$(MAKE) nucleus-lite
	cd $(TEST_VENV) && GGLIFT_TEST_VENV=$(abspath $(TEST_VENV)) GGLIFT_TEST_WHEEL=$$(ls $(CURDIR)/dist/gglift-*.whl) \
	  $(TEST_BIN)/pytest -c $(CURDIR)/pyproject.toml --rootdir $(CURDIR) -n $(PYTEST_JOBS) -q $(CURDIR)/tests

# Nucleus lite's real IPC server (ggipcd) for tests/v2, built from ../shared beside the repository
# (GGLIFT_SHARED_DIR overrides) into a cache; without it (or without root) those tests skip.
GGLIFT_SHARED_DIR ?= $(abspath ..)/shared
nucleus-lite:
	@if [ -x "$(GGLIFT_SHARED_DIR)/nucleus-lite/build.sh" ] && [ "$$(id -u)" = 0 ]; then \
		bash "$(GGLIFT_SHARED_DIR)/nucleus-lite/build.sh"; \
	else echo "nucleus-lite: skipped (needs root and $(GGLIFT_SHARED_DIR)/nucleus-lite)"; fi

clean:
	rm -rf $(VENV) $(TEST_VENV) build dist *.egg-info .pytest_cache examples/*/build

# ---- C runtime (runtime_c/) ------------------------------------------------------------------
# check-c: header as C89/C99/C++, strict library builds, C tests under ASan+UBSan and valgrind,
# a bounded libFuzzer run. cross: aarch64 and armhf builds whose tests run under qemu-user.
check-c: system-deps
	$(MAKE) -C runtime_c check

cross: system-deps $(STAMP)
	$(MAKE) -C runtime_c cross
	$(BIN)/python -m pytest -q tests/native/test_cross.py
