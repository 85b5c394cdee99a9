"""A batch worker process: ``python -m grader.batch.worker FD``, started by ``grader.batch.pool`` only.

Its own process, started with the environment the pool gives it (one BLAS thread, malloc that keeps
freed memory): that environment is in force from the first allocation, and the batch's is unchanged.
FD is its end of a socket pair to the pool, carrying pickled settings, entries and summaries.
"""

from __future__ import annotations

import multiprocessing.connection
import sys

from grader.batch.pool import worker_main

if __name__ == "__main__":
    worker_main(multiprocessing.connection.Connection(int(sys.argv[1])))
