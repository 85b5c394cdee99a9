# Every target builds the virtual environment it needs first, so a fresh clone
# needs nothing but Python 3.10+ with venv.
SYSTEM_PYTHON := $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STUDENT ?= assignments/logreg2/examples/correct.py
ASSIGNMENT ?= logreg2
# The venv installs the development lock (runtime + tests + benchmarks + tools; Gradescope installs the runtime
# locks only), the one for the system Python's version.
DEV_LOCK := $(shell $(SYSTEM_PYTHON) -c 'import sys; print("requirements-dev-py310.lock" if sys.version_info < (3, 11) else "requirements-dev.lock")')

.PHONY: venv grade test test-fast lint locks

venv: $(VENV)/.stamp

# Exactly the pins (--no-deps, then pip check: a lock that misses a dependency fails here), then the
# checkout itself on the venv's path through a .pth written relative to site-packages, so the grader
# imports from this working tree, from any folder, and still does when checkout and venv move together.
$(VENV)/.stamp: pyproject.toml $(DEV_LOCK) requirements.lock gradescope/requirements-py310.lock
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r $(DEV_LOCK)
	$(PY) -m pip check --disable-pip-version-check
	$(PY) -c 'import os, sysconfig; site = sysconfig.get_path("purelib"); \
		open(os.path.join(site, "logreg2_grader.pth"), "w").write(os.path.relpath(os.getcwd(), site) + "\n")'
	touch $@

grade: venv
	@mkdir -p reports
	$(PY) -m grader grade "$(STUDENT)" --assignment $(ASSIGNMENT) \
		--out "reports/$$(basename "$(STUDENT)" | sed 's/\.[^.]*$$//').json"

test: venv
	$(PY) -m pytest -q tests

# The tests that need no sandbox (tests/conftest.py marks the others `sandbox`): seconds, not minutes.
test-fast: venv
	$(PY) -m pytest -q -m "not sandbox" tests

lint: venv
	$(VENV)/bin/ruff check .

# Regenerate the four locks from pyproject.toml (uv keeps every pin that still fits; wheels only): the runtime ones
# Gradescope installs, for 3.11+ and for 3.10 (its Ubuntu 22.04), and the development ones `make venv` installs.
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --only-binary :all: --custom-compile-command "make locks" pyproject.toml
locks: venv
	$(LOCK_COMPILE) --python-version 3.11 -o requirements.lock
	$(LOCK_COMPILE) --python-version 3.10 -o gradescope/requirements-py310.lock
	$(LOCK_COMPILE) --python-version 3.11 --all-extras -o requirements-dev.lock
	$(LOCK_COMPILE) --python-version 3.10 --all-extras -o requirements-dev-py310.lock

# The property-based tests with Hypothesis' larger profile: up to 100 examples a property, shrunk to a
# minimal failing one (`make test` runs a few in a fixed order, without shrinking).
.PHONY: test-properties
test-properties: venv
	LOGREG2_HYPOTHESIS_PROFILE=thorough $(PY) -m pytest -q tests/test_properties.py

# Gradescope autograder zip: setup.sh, run_autograder, grader/, reference/, rubrics/, locks.
.PHONY: gradescope
gradescope: venv
	$(PY) -m gradescope.build --assignment $(ASSIGNMENT) --out dist/gradescope-$(ASSIGNMENT).zip

# Notebook grading against .py grading and against nbclient executing the notebook.
.PHONY: bench-notebook
bench-notebook: venv
	$(PY) bench/notebook_vs_py.py

# Self-check pack: the visible checks' inputs, answers and known-slip answers, precomputed from the
# reference so that `python -m grader check` runs on a student's machine without it.
.PHONY: selfcheck-pack
selfcheck-pack: venv
	$(PY) -m grader.selfcheck --assignment $(ASSIGNMENT) --out assignments/$(ASSIGNMENT)/selfcheck.json

# Grade a whole class in parallel: one report per student, grades.csv and summary.html in OUTDIR.
# SUBMISSIONS holds one .py, .ipynb or folder per student, or a Gradescope "Export Submissions" folder.
SUBMISSIONS ?= assignments/logreg2/examples/buggy
OUTDIR ?= reports/batch
.PHONY: batch bench-batch
batch: venv
	$(PY) -m grader batch "$(SUBMISSIONS)" --out "$(OUTDIR)" --assignment $(ASSIGNMENT) $(BATCH_FLAGS)

# Batch benchmark: 300 submissions with --jobs 1 and 2, against one fresh `python -c 'import numpy'` each.
bench-batch: venv
	$(PY) bench/batch.py $(BENCH_FLAGS)

# Slurm end to end: deploy/slurm/grade-class.sbatch on a private one-node Slurm cluster started and
# stopped by the test (installs Debian's slurm-wlm and munge first when root and missing).
.PHONY: test-slurm
test-slurm: venv
	tests/slurm/ensure_slurm.sh
	$(PY) -m pytest -q tests/slurm/slurm_e2e.py
