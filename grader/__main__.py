"""Entry point for ``python -m grader``."""

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the grader's small arrays gain nothing from BLAS threads
from grader.cli import main  # noqa: E402

sys.exit(main())
