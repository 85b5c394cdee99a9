# Every target builds the virtual environment it needs first, so a fresh clone
# needs nothing but Python 3.10+ with venv.
SYSTEM_PYTHON := $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STUDENT ?= assignments/logreg2/examples/correct.py
ASSIGNMENT ?= logreg2

.PHONY: venv grade test

venv: $(VENV)/.stamp

$(VENV)/.stamp: requirements.lock
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

grade: venv
	@mkdir -p reports
	$(PY) -m grader grade "$(STUDENT)" --assignment $(ASSIGNMENT) \
		--out "reports/$$(basename "$(STUDENT)" | sed 's/\.[^.]*$$//').json"

test: venv
	$(PY) -m pytest -q tests

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
