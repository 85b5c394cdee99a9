#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 base),
# from /autograder/source where the zip was unpacked. It
#   1. makes sure python3 with venv is installed (apt; Ubuntu 22.04's python3 is 3.10),
#   2. builds the grader's virtual environment OUTSIDE /autograder/source, readable by every
#      user, because run_autograder makes the source folder root-only and student code,
#      which runs as the sandbox user, still imports NumPy from the venv,
#   3. creates the unprivileged user student code runs as,
#   4. checks that the grader imports and that the sandbox user can use the venv.
# Any failure stops the build here, in Gradescope's build log, rather than at grading time.
#
# Overrides (for local testing only): LOGREG2_SYSTEM_PYTHON, LOGREG2_VENV, LOGREG2_SANDBOX_USER.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${LOGREG2_SYSTEM_PYTHON:-/usr/bin/python3}"
VENV="${LOGREG2_VENV:-/opt/logreg2-venv}"
SANDBOX_USER="${LOGREG2_SANDBOX_USER:-lr2sandbox}"

if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "setup.sh: installing python3 and python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "setup.sh: $PYTHON is $("$PYTHON" -V 2>&1); the grader needs Python 3.10 or newer" >&2
    exit 1
fi
# The runtime locks: what grading imports and nothing the tests need (no pytest, ipykernel, psutil),
# both generated from pyproject.toml by `make locks`; on 3.10 a few pins are older releases.
if "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    LOCK="$SOURCE/requirements.lock"
else
    LOCK="$SOURCE/requirements-py310.lock"
fi
echo "setup.sh: $("$PYTHON" -V 2>&1) at $PYTHON; venv $VENV from $(basename "$LOCK")"

if ! id -u "$SANDBOX_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SANDBOX_USER"
fi
# Numbered users, one per concurrent session (a grading claims one, see grader/sandbox.py): Gradescope
# grades one submission per container, but `python -m grader batch` run here keeps students apart too.
for n in 1 2 3 4; do
    if ! id -u "$SANDBOX_USER$n" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$SANDBOX_USER$n"
    fi
done

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# Exactly the pins: a dependency missing from the lock fails pip check here, not a student's grading.
"$VENV/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check --no-deps -r "$LOCK"
"$VENV/bin/python" -m pip check --disable-pip-version-check
chmod -R u+rwX,go+rX,go-w "$VENV"
d="$VENV"
while [ "$d" != "/" ]; do chmod o+x "$d"; d="$(dirname "$d")"; done

chmod 755 "$SOURCE/run_autograder"
(cd "$SOURCE" && "$VENV/bin/python" -E -s -B -c \
    'import grader.gradescope, grader.checking.grading, grader.reporting.report, grader.sandbox.child.runner, nbformat, IPython, matplotlib')
if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u "$SANDBOX_USER" -- "$VENV/bin/python" -E -s -B -c 'import numpy, matplotlib.pyplot')
fi
echo "setup.sh: done; student code will run as $SANDBOX_USER"
