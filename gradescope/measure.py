"""Measure run_autograder's wall time and memory on hostile submissions, on about half a CPU.

    .venv/bin/python gradescope/measure.py [CASE ...] [--cpu-share half|full] [--zip ZIP]

Not shipped in the zip.  Each case unpacks the zip into a fresh AUTOGRADER_ROOT,
writes the submission, and runs ``run_autograder`` (as root: student code runs as the
sandbox user) pinned to CPU 0 with ``taskset``.  "Half a CPU" without cgroups: a busy
loop pinned to the same CPU at the same priority, so the scheduler gives each about half.
Memory is sampled every 50 ms over the whole process tree of run_autograder (the
zygote is a child subreaper, so processes that escape their session stay in the tree):
the sum of RSS (an upper bound: forked pages are shared) and the sum of PSS (shared pages
divided among their users, what a memory cgroup would roughly charge).

``--cgroup`` (root, cgroup v1 memory and cpu controllers mounted) runs instead inside
a fresh cgroup with Gradescope's defaults, 768 MB of memory and a CFS quota of half a
CPU, and also reports the cgroup's peak usage and how many processes its OOM killer
killed.  The cgroup is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORRECT = (PROJECT_ROOT / "assignments/logreg2/examples/correct.py").read_text()
SIGNATURES = {
    "graph_forward": "a, b, c", "graph_backward": "a, b, c", "forward_difference": "f, x, h=1e-5",
    "centered_difference": "f, x, h=1e-5", "sigmoid": "z", "forward_single": "w, b, x", "loss": "y_hat, y",
    "backward_single": "w, b, x, y", "gradients_loop": "w, b, X, y", "cost": "w, b, X, y",
    "gradients_vectorized": "w, b, X, y", "update": "w, b, dw, db, alpha",
    "gradient_descent": "X, y, alpha, epsilon, max_iters",
}


def every_function(body: str, prelude: str = "") -> str:
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return prelude + "\n" + "\n".join(f"def {name}({args}):\n{indented}\n" for name, args in SIGNATURES.items())


CASES = {
    "correct": CORRECT,
    "hang_all": every_function("while True:\n    pass"),
    "sleep_just_under_limit": every_function("time.sleep(3.9)\nreturn None", "import time"),
    "memory_hog": every_function(
        "chunks = []\nwhile True:\n    chunks.append(np.ones(16 * 1024 * 1024 // 8))",
        "import numpy as np\nKEEP = np.ones(300 * 1024 * 1024 // 8)  # 300 MB held by the mainline"),
    "memory_hog_in_call": every_function(
        "chunks = []\nwhile True:\n    chunks.append(np.ones(16 * 1024 * 1024 // 8))", "import numpy as np"),
    "memory_hog_4_forks": every_function(
        "for _ in range(4):\n    if os.fork() == 0:\n        chunks = []\n        try:\n            while True:\n"
        "                chunks.append(np.ones(16 * 1024 * 1024 // 8))\n        except MemoryError:\n"
        "            while True:\n                pass\nwhile True:\n    pass", "import os\nimport numpy as np"),
    "fork_bomb": every_function(
        "while True:\n    try:\n        if os.fork() == 0:\n            os.setsid()\n            x = np.ones(8 * 1024 * 1024 // 8)\n"
        "            while True:\n                x += 1\n    except OSError:\n        while True:\n            pass",
        "import os\nimport numpy as np"),
    "output_flood": every_function(
        "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n    sys.stderr.write('y' * 65536)",
        "import sys\nfor _ in range(2000):\n    print('z' * 65536)"),
}


def notebook_of_hanging_cells(count: int) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "while True:\n    pass"} for _ in range(count)]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


NOTEBOOK_CASES = {"notebook_100_hanging_cells": lambda: notebook_of_hanging_cells(100)}


def _tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack.extend(int(k) for k in f.read().split())
        except OSError:
            pass
    return found


def _memory(pids: list[int]) -> tuple[int, int]:
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss // 1024, pss // 1024


CGROUP_V1 = Path("/sys/fs/cgroup")


class Cgroup:
    """A memory + cpu cgroup (v1) limited like Gradescope's container: 768 MB, half a CPU."""

    def __init__(self, name: str, memory_mb: int = 768, cpu_share: float = 0.5) -> None:
        self.memory = CGROUP_V1 / "memory" / name
        self.cpu = CGROUP_V1 / "cpu" / name
        self.memory.mkdir()
        self.cpu.mkdir()
        (self.memory / "memory.limit_in_bytes").write_text(str(memory_mb * 1024 * 1024))
        swap = self.memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(memory_mb * 1024 * 1024))
        (self.cpu / "cpu.cfs_period_us").write_text("100000")
        (self.cpu / "cpu.cfs_quota_us").write_text(str(int(100000 * cpu_share)))

    def wrap(self, command: list[str]) -> list[str]:
        enter = f'echo $$ > {self.memory}/cgroup.procs && echo $$ > {self.cpu}/cgroup.procs && exec "$@"'
        return ["sh", "-c", enter, "sh", *command]

    def stats(self) -> dict:
        oom = dict(line.split() for line in (self.memory / "memory.oom_control").read_text().splitlines())
        return {"cgroup_peak_mb": int((self.memory / "memory.max_usage_in_bytes").read_text()) // (1024 * 1024),
                "cgroup_oom_kills": int(oom.get("oom_kill", -1))}

    def remove(self) -> None:
        for folder in (self.memory, self.cpu):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def run_case(name: str, submission: str, filename: str, zip_path: Path, python: str, half: bool,
             cgroup: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"measure-{name}-") as tmp:
        os.chmod(tmp, 0o755)
        root = Path(tmp) / "autograder"
        for folder in ("source", "submission", "results"):
            (root / folder).mkdir(parents=True)
        root.chmod(0o755)
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                archive.extract(info, root / "source")
                (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
        shutil.copy2(root / "source/run_autograder", root / "run_autograder")
        (root / "submission" / filename).write_text(submission)
        env = {**os.environ, "AUTOGRADER_ROOT": str(root), "LOGREG2_PYTHON": python}
        group = Cgroup(f"lr2measure-{os.getpid()}-{name}") if cgroup else None
        command = group.wrap([str(root / "run_autograder")]) if group else ["taskset", "-c", "0", str(root / "run_autograder")]
        hog = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", "while True: pass"]) if half and not group else None
        peak_rss = peak_pss = peak_procs = 0
        started = time.monotonic()
        try:
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None:
                pids = _tree(proc.pid)
                rss, pss = _memory(pids)
                peak_rss, peak_pss, peak_procs = max(peak_rss, rss), max(peak_pss, pss), max(peak_procs, len(pids))
                time.sleep(0.05)
            seconds = time.monotonic() - started
            extra = group.stats() if group else {}
        finally:
            if hog:
                hog.kill()
                hog.wait()
            if group:
                group.remove()
        report = json.loads((root / "results/results.json").read_text())
        return {"case": name, "seconds": round(seconds, 1), "peak_rss_mb": peak_rss, "peak_pss_mb": peak_pss,
                "peak_processes": peak_procs, **extra, "score": report["score"],
                "status": report["extra_data"].get("status")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"default: all of {sorted(CASES) + sorted(NOTEBOOK_CASES)}")
    parser.add_argument("--cpu-share", choices=("half", "full"), default="half")
    parser.add_argument("--cgroup", action="store_true", help="run in a 768 MB, half-CPU cgroup (root, cgroup v1)")
    parser.add_argument("--zip", type=Path, default=PROJECT_ROOT / "dist/gradescope-logreg2.zip")
    parser.add_argument("--python", default=str(PROJECT_ROOT / ".venv/bin/python"))
    args = parser.parse_args()
    names = args.cases or sorted(CASES) + sorted(NOTEBOOK_CASES)
    for name in names:
        if name in CASES:
            row = run_case(name, CASES[name], "logreg2.py", args.zip, args.python, args.cpu_share == "half", args.cgroup)
        else:
            row = run_case(name, NOTEBOOK_CASES[name](), "logreg2.ipynb", args.zip, args.python,
                           args.cpu_share == "half", args.cgroup)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
