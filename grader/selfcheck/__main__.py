"""``python -m grader.selfcheck``: build the self-check pack (the Makefile's ``selfcheck-pack``)."""

import sys

from grader.selfcheck.pack import main

sys.exit(main())
