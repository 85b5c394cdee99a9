"""What runs inside the sandbox, loaded by path as ``python -I child/runner.py``.

The rule of this folder: its modules import only the standard library, what student code may
use (NumPy, and Matplotlib pre-imported so every fork has it warm) and each other (as top-level
names, the folder being the script's own), never anything of ``grader`` or the reference.
Landlock lets student code read this folder and nothing else of the grader, so nothing here
may hold an answer.  ``tests/test_layout.py`` parses every import to keep it so.  The host
imports ``protocol``, ``landlock`` and ``testfunctions`` from here as ordinary modules.
"""
