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
