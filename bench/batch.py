"""Benchmark of `python -m grader batch`: a class of submissions, graded with --jobs 1 and --jobs 2.

    .venv/bin/python bench/batch.py [--count 300] [--jobs 1,2] [--classes correct,mixed,notebooks] [--profile]

Builds three classes in a temporary folder:

- ``correct``: COUNT copies of the correct example (each with its own comment
  line, so every file has its own bytes, inputs and report, as real students do);
- ``mixed``: COUNT submissions: correct and one-bug ``.py`` files, notebooks
  built from them, and a few whose ``cost`` never returns (they time out under
  the short limits used here);
- ``notebooks``: COUNT ``.ipynb`` files, half of correct work, half of one-bug work.

Times the whole ``python -m grader batch`` process (wall clock, start-up
included) for each class and job count, prints submissions per second, and in
the same run the floor "one fresh ``python -c 'import numpy'`` per submission"
through the same number of parallel workers.  Memory: the resident size of
every batch worker and sandbox zygote is sampled while the batch runs; flat
means the median sample of the last tenth of the run is within 10 % of the
second tenth's (every worker has started by then), and each tenth's median and
maximum are printed, plus the peak RSS of any single process (getrusage of
children).

It also times one ``python -m grader grade`` of the correct example (what ``make
grade`` runs: a fresh process, zygote start included), and ends with the issue's
targets, each figure beside its target, the floor and the ratio, with the load
average before and after (the machine's other work slows every figure), and the
CPU budget each target leaves a submission (the machine's CPU during a class over
its count, beside it; in the mixed class after the hanging calls' own spinning,
in the notebooks class with the students' own cells measured apart).

``--profile`` grades a few correct submissions in this process and prints where
the time of one submission goes, item by item (sandbox round trip vs. judging
in the grader); ``bench/cpu_profile.py`` profiles both sides of the sandbox.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
CORRECT = EXAMPLES / "correct.py"
BUGGY = sorted((EXAMPLES / "buggy").glob("*.py"))
LIMITS = ["--call-seconds", "3", "--cell-seconds", "3"]
HANG = "\n\ndef cost(w, b, X, y):\n    while True:\n        pass\n"


def notebook_from(source: str) -> str:
    import nbformat

    cells = [nbformat.v4.new_code_cell(block.strip("\n")) for block in source.split("\n\n\n") if block.strip()]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def build_correct(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    source = CORRECT.read_text()
    for i in range(count):
        (folder / f"student{i:04d}.py").write_text(f"# student {i}\n{source}")
    return folder


def build_mixed(folder: Path, count: int) -> tuple[Path, dict[str, int]]:
    """About 60 % correct .py, 25 % one-bug .py, 13 % notebooks, 2 % (at least 2) that time out."""
    folder.mkdir(parents=True)
    correct = CORRECT.read_text()
    hanging = max(2, count // 50)
    notebooks = count * 13 // 100
    buggy = count // 4
    kinds = {"timeout": hanging, "notebook": notebooks, "buggy": buggy,
             "correct": count - hanging - notebooks - buggy}
    i = 0
    for kind, n in kinds.items():
        for j in range(n):
            name = f"student{i:04d}"
            if kind == "timeout":
                (folder / f"{name}.py").write_text(f"# {i}\n{correct}{HANG}")
            elif kind == "notebook":
                source = correct if j % 2 == 0 else BUGGY[j % len(BUGGY)].read_text()
                (folder / f"{name}.ipynb").write_text(notebook_from(f"# {i}\n{source}"))
            elif kind == "buggy":
                (folder / f"{name}.py").write_text(f"# {i}\n" + BUGGY[j % len(BUGGY)].read_text())
            else:
                (folder / f"{name}.py").write_text(f"# {i}\n{correct}")
            i += 1
    return folder, kinds


def build_notebooks(folder: Path, count: int) -> Path:
    """COUNT notebooks: even ones of correct work, odd ones of one-bug work (each bug in turn)."""
    folder.mkdir(parents=True)
    correct = CORRECT.read_text()
    for i in range(count):
        source = correct if i % 2 == 0 else BUGGY[(i // 2) % len(BUGGY)].read_text()
        (folder / f"student{i:04d}.ipynb").write_text(notebook_from(f"# {i}\n{source}"))
    return folder


class MemorySampler(threading.Thread):
    """Samples the RSS of the batch's workers and zygotes (descendants of one process) every 0.25 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, dict[int, int]]] = []
        self.workers: set[int] = set()  # which sampled processes are batch workers (the rest are zygotes)
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            sample = {}
            try:
                for proc in root.children(recursive=True):
                    try:
                        cmd = " ".join(proc.cmdline())
                        if "runner.py" in cmd:  # a zygote, not one of its short-lived sessions
                            parent = proc.parent()
                            if parent is None or "runner.py" in " ".join(parent.cmdline()):
                                continue
                        elif "grader.batch.worker" not in cmd and "forkserver" not in cmd:  # not a batch worker
                            continue
                        else:
                            self.workers.add(proc.pid)
                        sample[proc.pid] = proc.memory_info().rss
                    except psutil.Error:
                        continue
            except psutil.Error:
                break
            self.samples.append((time.monotonic(), sample))
            self.stop.wait(0.25)

    def figures(self) -> dict[str, float]:
        """MB: all sampled processes in the second tenth of the run (every worker and zygote has
        started) and in the last tenth, and the largest worker.  A tenth's figure is the median of
        its samples: a leak raises every sample, while one submission's transient peak (a zygote
        replaced, a large notebook parsed) is one sample and shows in the maxima printed beside."""
        usable = [s for _, s in self.samples if s]
        if len(usable) < 4:
            return {}
        tenth = max(1, len(usable) // 10)
        worker = [rss for s in usable for pid, rss in s.items() if pid in self.workers]
        return {"first": statistics.median(sum(s.values()) for s in usable[tenth:2 * tenth]) / 2**20,
                "last": statistics.median(sum(s.values()) for s in usable[-tenth:]) / 2**20,
                "worker_peak": max(worker, default=0) / 2**20}

    def summary(self) -> str:
        usable = [(t, s) for t, s in self.samples if s]
        if len(usable) < 4:
            return "memory: too few samples"
        tenth = max(1, len(usable) // 10)
        first = [sum(s.values()) for _, s in usable[:tenth]]
        last = [sum(s.values()) for _, s in usable[-tenth:]]
        peak_one = max(max(s.values()) for _, s in usable)
        tenths = [[sum(s.values()) for _, s in usable[i * len(usable) // 10:(i + 1) * len(usable) // 10]] or [0]
                  for i in range(10)]
        return (f"workers+zygotes RSS: first tenth {max(first) / 2**20:.0f} MB, last tenth {max(last) / 2**20:.0f} MB, "
                f"largest single process {peak_one / 2**20:.0f} MB; by tenth of the run (MB), median: "
                + " ".join(f"{statistics.median(t) / 2**20:.0f}" for t in tenths)
                + "; max: " + " ".join(f"{max(t) / 2**20:.0f}" for t in tenths))


def machine_cpu_seconds() -> float:
    """User plus system CPU of the whole machine since boot, from ``/proc/stat``.  The sandbox's
    processes are re-parented to a zygote that ignores SIGCHLD, so no ``getrusage`` sees their CPU:
    on an otherwise idle machine, this is the batch's."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2]) / os.sysconf("SC_CLK_TCK")  # user, nice, system


def time_batch(folder: Path, out: Path, jobs: int) -> tuple[float, str, MemorySampler, float]:
    """Wall seconds, the batch's last line, its memory samples and the machine's CPU seconds meanwhile."""
    if out.exists():
        shutil.rmtree(out)
    cpu = machine_cpu_seconds()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                             "--jobs", str(jobs), *LIMITS], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    elapsed = time.monotonic() - started
    cpu = machine_cpu_seconds() - cpu
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        import json

        reasons = {json.loads(p.read_text())["tests"][0]["output"] for p in out.glob("*.json")
                   if not p.name.startswith(".") and json.loads(p.read_text())["extra_data"].get("status") == "grader_error"}
        raise SystemExit(f"batch failed ({proc.returncode}):\n{stderr[-1500:]}\nreasons: {sorted(reasons)[:5]}")
    tally = stdout.strip().splitlines()[-1]
    return elapsed, tally, sampler, cpu


def time_floor(count: int, jobs: int) -> tuple[float, float]:
    """``count`` fresh interpreters importing NumPy, ``jobs`` at a time: wall and CPU seconds."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}

    def one(_: int) -> None:
        subprocess.run([sys.executable, "-c", "import numpy"], env=env, check=True)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, range(count)))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.monotonic() - started, cpu


OWN_CELLS = """
import json, sys, time
import numpy, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
cells = [c["source"] for c in json.load(open(sys.argv[1]))["cells"] if c["cell_type"] == "code"]
space = {"__name__": "__main__"}
started = time.process_time()
for cell in cells:
    try:
        exec(compile("".join(cell), "cell", "exec"), space)
    except Exception:
        pass
print(time.process_time() - started)
"""


def own_cells_seconds(folder: Path, sample: int = 10) -> float:
    """Mean CPU seconds the code cells of the first ``sample`` notebooks take in a plain interpreter
    (NumPy and Matplotlib imported beforehand): the students' own work, which "Restart and Run All"
    runs whatever grades it."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    seconds = [float(subprocess.run([sys.executable, "-c", OWN_CELLS, str(path)], env=env, check=True,
                                    capture_output=True, text=True).stdout.split()[-1])
               for path in sorted(folder.glob("*.ipynb"))[:sample]]
    return statistics.mean(seconds)


def time_grade(repeat: int = 3) -> float:
    """Best wall time of one ``python -m grader grade`` of the correct example (``make grade``)."""
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        for _ in range(repeat):
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "grader", "grade", str(CORRECT), "--out", f"{tmp}/r.json"],
                           cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            best = min(best, time.monotonic() - started)
    return best


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def print_targets(rates: dict[tuple[str, int], float], floors: dict[int, float], grade_seconds: float,
                  memory: dict[tuple[str, int], dict[str, float]], jobs: int) -> None:
    """The issue's targets, each figure beside its target, the floor and the ratio."""
    floor = floors.get(jobs)
    print(f"\ntargets (--jobs {jobs}; floor: fresh `python -c 'import numpy'` per submission, "
          f"{floor:.2f}/s):" if floor else f"\ntargets (--jobs {jobs}; no floor measured):")

    def line(label: str, figure: str, target: str, ok: bool, ratio: float | None = None) -> None:
        shown = f"{ratio:5.2f}x floor" if ratio is not None else " " * 11
        print(f"  {label:40s} {figure:>10s}  {shown}  target {target:26s} {'met' if ok else 'NOT MET'}")

    for name, label, target in (("correct", "correct .py", 30.0), ("mixed", "mixed class", 20.0),
                                ("notebooks", "notebooks", 20.0)):
        rate = rates.get((name, jobs))
        if rate is None:
            continue
        ratio = rate / floor if floor else None
        line(label, f"{rate:.2f}/s", f">= {target:g}/s", rate >= target, ratio)
        if name == "correct" and ratio is not None:
            line("correct .py against the floor", f"{ratio:.2f}x", ">= 1.5x floor", ratio >= 1.5)
    line("one `make grade` (wall)", f"{grade_seconds:.2f} s", "< 1.0 s", grade_seconds < 1.0)
    for (name, run_jobs), figures in memory.items():
        if run_jobs != jobs or not figures:
            continue
        growth = figures["last"] / figures["first"] - 1 if figures["first"] else 0.0
        line(f"{name}: workers+zygotes RSS growth", f"{growth * 100:+.0f} %",
             f"flat ({figures['first']:.0f}->{figures['last']:.0f} MB)", growth < 0.10)
        line(f"{name}: peak RSS of one worker", f"{figures['worker_peak']:.0f} MB", "< 300 MB",
             figures["worker_peak"] < 300)


def profile(count: int = 8) -> None:
    """Where one submission's time goes, item by item, in this process."""
    from collections import defaultdict

    import grader.checking.grading as grading
    from grader.checking import checks
    from grader.rubric import load_rubric
    from grader.sandbox.zygote import Zygote
    from grader.submission.locate import read_submission

    rubric = load_rubric("logreg2")
    limits = grading.limits_for(rubric)
    item_time: dict[str, float] = defaultdict(float)
    judge_time: dict[str, float] = defaultdict(float)
    current = [""]
    grade_item, judge = grading._grade_item, checks.judge

    def timed_item(session, rubric, item, *args, **kwargs):
        current[0] = item.id
        started = time.perf_counter()
        try:
            return grade_item(session, rubric, item, *args, **kwargs)
        finally:
            item_time[item.id] += time.perf_counter() - started

    def timed_judge(*args, **kwargs):
        started = time.perf_counter()
        try:
            return judge(*args, **kwargs)
        finally:
            judge_time[current[0]] += time.perf_counter() - started

    grading._grade_item, checks.judge = timed_item, timed_judge
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(count + 1):
            path = Path(tmp) / f"s{i}.py"
            path.write_text(f"# {i}\n" + CORRECT.read_text())
            paths.append(path)
        with Zygote() as zygote:
            grading.grade(read_submission(paths[0]), rubric, zygote, limits)  # warm-up
            item_time.clear()
            judge_time.clear()
            started = time.perf_counter()
            for path in paths[1:]:
                grading.grade(read_submission(path), rubric, zygote, limits)
            total = (time.perf_counter() - started) / count
    print(f"one correct submission, graded in this process (1 job): {total * 1000:.0f} ms")
    print(f"{'item':24s} {'total ms':>9s} {'judge ms':>9s} {'sandbox ms':>11s}")
    for item in rubric.items:
        spent, judged = item_time[item.id] / count, judge_time[item.id] / count
        print(f"{item.id:24s} {spent * 1000:9.1f} {judged * 1000:9.1f} {(spent - judged) * 1000:11.1f}")
    rest = total - sum(item_time.values()) / count
    print(f"{'(spawn, load, close)':24s} {rest * 1000:9.1f}")


def print_budgets(count: int, jobs: int, cpu: dict[tuple[str, int], float], floor_cpu: float | None,
                  hanging: int, own_cells: float | None) -> None:
    """The CPU each submission may take for a rate target to be reachable at all: ``jobs`` cores busy
    the whole run, so ``jobs / target`` seconds per submission, beside what one took here (the
    machine's CPU during the class over its count) and what one floor interpreter takes.  A hanging
    file's call spins until the call limit, so in the mixed class the others share what is left."""
    limit = float(LIMITS[LIMITS.index("--call-seconds") + 1])
    floor = f"; one floor interpreter {floor_cpu / count * 1e3:.0f} ms" if floor_cpu else ""
    print(f"\nCPU budgets (--jobs {jobs}: at most {jobs} CPU-seconds per second of wall{floor}):")
    for name, target in (("correct", 30.0), ("mixed", 20.0), ("notebooks", 20.0)):
        used = cpu.get((name, jobs))
        if used is None:
            continue
        whole = jobs * count / target  # CPU-seconds the whole class may take
        if name == "mixed":
            others = count - hanging
            budget = (whole - hanging * limit) / others
            left = (f"leaves {budget * 1e3:.0f} ms per other file" if budget > 0
                    else "is out of reach whatever the other files cost")
            print(f"  mixed: {hanging} hanging calls spin {hanging} x {limit:g} s = {hanging * limit:g} of the "
                  f"{whole:g} CPU-s {target:g}/s allows, which {left}; the class took "
                  f"{used / count * 1e3:.0f} ms per file")
        else:
            budget = whole / count
            mine = f", of which the students' own cells take {own_cells * 1e3:.0f} ms" if own_cells and name == "notebooks" else ""
            print(f"  {name}: {target:g}/s allows {budget * 1e3:.0f} ms per file{mine}; one took "
                  f"{used / count * 1e3:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--jobs", default="1,2", help="comma-separated job counts (default 1,2)")
    parser.add_argument("--classes", default="correct,mixed,notebooks")
    parser.add_argument("--profile", action="store_true", help="also break one submission's time down by item")
    args = parser.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]
    print(f"{os.cpu_count()} cores; {args.count} submissions per class; limits {' '.join(LIMITS)}; "
          f"load average {load_average()}")
    if args.profile:
        profile()
    rates: dict[tuple[str, int], float] = {}
    memory: dict[tuple[str, int], dict[str, float]] = {}
    cpu: dict[tuple[str, int], float] = {}
    floors: dict[int, float] = {}
    floor_cpu: dict[int, float] = {}
    hanging, own_cells = 0, None
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        classes = {}
        if "correct" in args.classes:
            classes["correct"] = (build_correct(base / "correct", args.count), f"{args.count} correct .py")
        if "mixed" in args.classes:
            folder, kinds = build_mixed(base / "mixed", args.count)
            classes["mixed"] = (folder, ", ".join(f"{n} {k}" for k, n in kinds.items()))
            hanging = kinds["timeout"]
        if "notebooks" in args.classes:
            classes["notebooks"] = (build_notebooks(base / "notebooks", args.count),
                                    f"{args.count} .ipynb, half correct, half one-bug")
            own_cells = own_cells_seconds(base / "notebooks")
            print(f"the notebooks' own code cells, in a plain interpreter: {own_cells * 1e3:.0f} ms of CPU each "
                  "(mean of 10)")
        for name, (folder, what) in classes.items():
            for jobs in jobs_list:
                before = load_average()
                elapsed, tally, sampler, cpu[(name, jobs)] = time_batch(folder, base / f"out-{name}-{jobs}", jobs)
                rates[(name, jobs)] = args.count / elapsed
                memory[(name, jobs)] = sampler.figures()
                print(f"batch, {name} class ({what}), --jobs {jobs}: {elapsed:.1f} s, "
                      f"{rates[(name, jobs)]:.2f} submissions/s, machine CPU {cpu[(name, jobs)]:.1f} s "
                      f"(load average before {before}, after {load_average()})")
                print(f"    {tally}")
                print(f"    {sampler.summary()}")
        for jobs in jobs_list:
            elapsed, floor_cpu[jobs] = time_floor(args.count, jobs)
            floors[jobs] = args.count / elapsed
            print(f"floor: {args.count} x python -c 'import numpy', {jobs} at a time: {elapsed:.1f} s, "
                  f"{floors[jobs]:.2f} per second, {floor_cpu[jobs] / args.count * 1e3:.0f} ms of CPU each")
    grade_seconds = time_grade()
    print(f"one python -m grader grade of the correct example (make grade), best of 3: {grade_seconds:.2f} s wall")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of any single child process: {peak:.0f} MB")
    print("\nsummary (submissions or interpreters per second):")
    for (name, jobs), rate in rates.items():
        print(f"  {f'batch {name} --jobs {jobs}':28s} {rate:8.2f}")
    for jobs, rate in floors.items():
        print(f"  {f'floor --jobs {jobs}':28s} {rate:8.2f}")
    shown = 2 if 2 in jobs_list else jobs_list[-1]
    print_targets(rates, floors, grade_seconds, memory, shown)
    print_budgets(args.count, shown, cpu, floor_cpu.get(shown), hanging, own_cells)
    print(f"load average at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
