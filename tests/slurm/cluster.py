"""A one-node Slurm cluster on this machine, private to one test run.

munged, slurmctld and slurmd run in the foreground as children of the test,
with a generated ``slurm.conf``, a fresh munge key, free ports, and every state,
spool, pid, log and socket file under one temporary folder, so nothing of the
machine's own Slurm or munge set-up (if any) is read or touched.  Clients
(``sbatch``, ``scontrol``, ``scancel``) find the cluster through ``SLURM_CONF``.
``stop()`` kills the daemons (and any job they left) and removes the folder;
use the class as a context manager so that happens on failure too.

Cgroup-free on purpose (``proctrack/linuxproc``, ``task/none``): a VM or a CI
container may not delegate cgroups, and the grader keeps its own processes in
check without them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DAEMONS = ("munged", "slurmctld", "slurmd")
START_SECONDS = 60.0
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
                "BOOT_FAIL", "DEADLINE"}


class ClusterError(RuntimeError):
    """The test cluster could not start, or a job did not end in time; the message says which and why."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def slurm_conf(root: Path, node: str, cpus: int) -> str:
    """The smallest configuration that schedules batch jobs on this one node, without cgroups or accounting."""
    ctld_port, slurmd_port = _free_port(), _free_port()
    return "\n".join([
        "ClusterName=lr2test",
        f"SlurmctldHost={node}(127.0.0.1)",
        f"SlurmctldPort={ctld_port}",
        f"SlurmdPort={slurmd_port}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={root / 'munge.socket'}",
        f"StateSaveLocation={root / 'ctld'}",
        f"SlurmdSpoolDir={root / 'slurmd'}",
        f"SlurmctldPidFile={root / 'slurmctld.pid'}",
        f"SlurmdPidFile={root / 'slurmd.pid'}",
        f"SlurmctldLogFile={root / 'slurmctld.log'}",
        f"SlurmdLogFile={root / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "MpiDefault=none",
        "SchedulerType=sched/backfill",
        "SchedulerParameters=bf_interval=1",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "ReturnToService=2",
        "MinJobAge=900",
        "KillWait=5",
        "InactiveLimit=0",
        f"NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN",
        f"PartitionName=grading Nodes={node} Default=YES MaxTime=INFINITE State=UP",
        "",
    ])


class SlurmCluster:
    """Start with ``start()``, submit with the ``env`` it returns, ``stop()`` in a ``finally``."""

    def __init__(self, cpus: int = 2) -> None:
        self.cpus = cpus
        self.root = Path(tempfile.mkdtemp(prefix="lr2-slurm-"))
        self.node = socket.gethostname().split(".")[0]
        self.conf = self.root / "slurm.conf"
        self.processes: dict[str, subprocess.Popen] = {}
        # The daemons live in /usr/sbin, which a non-login shell's PATH may lack.
        self.env = {**os.environ, "SLURM_CONF": str(self.conf),
                    "PATH": os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])}

    def start(self) -> dict[str, str]:
        for name in ("ctld", "slurmd"):
            (self.root / name).mkdir(mode=0o700)
        key = self.root / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        self.conf.write_text(slurm_conf(self.root, self.node, self.cpus))
        self._spawn("munged", ["munged", "--foreground", "--force", f"--socket={self.root / 'munge.socket'}",
                               f"--key-file={key}", f"--pid-file={self.root / 'munged.pid'}",
                               f"--log-file={self.root / 'munged.log'}", f"--seed-file={self.root / 'munged.seed'}"])
        self._wait_for(lambda: (self.root / "munge.socket").exists(), "munged did not open its socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._wait_for(self._controller_up, "slurmctld did not answer")
        self._spawn("slurmd", ["slurmd", "-D", "-N", self.node, "-f", str(self.conf)])
        self._wait_for(self._node_idle, "the node did not come up idle")
        return self.env

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / f"{name}.stdout", "wb")
        self.processes[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                                start_new_session=True)
        log.close()

    def _wait_for(self, ready: Any, problem: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            dead = [n for n, p in self.processes.items() if p.poll() is not None]
            if dead:
                raise ClusterError(f"{dead[0]} exited with {self.processes[dead[0]].returncode}:\n{self.logs()}")
            if ready():
                return
            time.sleep(0.2)
        raise ClusterError(f"{problem} within {START_SECONDS:g} s:\n{self.logs()}")

    def _controller_up(self) -> bool:
        return self.run("scontrol", "ping", check=False).returncode == 0

    def _node_idle(self) -> bool:
        out = self.run("sinfo", "-h", "-n", self.node, "-o", "%T", check=False).stdout.strip()
        return out == "idle"

    def run(self, *argv: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """A Slurm client command against this cluster."""
        proc = subprocess.run(list(argv), env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=60)
        if check and proc.returncode != 0:
            raise ClusterError(f"{' '.join(argv)} exited with {proc.returncode}: {proc.stderr.strip()}")
        return proc

    def jobs(self, job_id: str) -> list[dict[str, str]]:
        """``scontrol show job`` of a job (one record per array task), as key=value fields."""
        out = self.run("scontrol", "-o", "show", "job", job_id).stdout
        return [dict(field.split("=", 1) for field in line.split() if "=" in field)
                for line in out.splitlines() if line.strip()]

    def wait_for_end(self, job_id: str, seconds: float) -> list[dict[str, str]]:
        """Wait until every task of ``job_id`` is in a final state; return their records."""
        deadline = time.monotonic() + seconds
        while True:
            records = self.jobs(job_id)
            if records and all(r.get("JobState") in FINAL_STATES for r in records):
                return records
            if time.monotonic() > deadline:
                states = ", ".join(f"{r.get('JobId')}:{r.get('JobState')}:{r.get('Reason')}" for r in records)
                raise ClusterError(f"job {job_id} did not end within {seconds:g} s ({states})\n{self.logs()}")
            time.sleep(0.25)

    def logs(self) -> str:
        """The tail of every daemon log, for a failure message."""
        parts = []
        for path in sorted(self.root.glob("*.log")) + sorted(self.root.glob("*.stdout")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    def stop(self) -> None:
        """Cancel the jobs, stop the daemons (slurmd, slurmctld, munged), kill what is left, remove the folder."""
        if "slurmctld" in self.processes and self.processes["slurmctld"].poll() is None:
            self.run("scancel", "--full", "--user=root", check=False)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.run("squeue", "-h", check=False).stdout.strip():
                time.sleep(0.2)
        for name in reversed(DAEMONS):
            process = self.processes.get(name)
            if process is None:
                continue
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self._kill_leftovers()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_leftovers(self) -> None:
        """A job step or job process that outlived the daemons: ours if its environment names our slurm.conf."""
        deadline = time.monotonic() + 15
        while (pids := processes_with_conf(self.conf)) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.1)


def processes_with_conf(conf: Path) -> list[int]:
    """Live processes whose environment has ``SLURM_CONF=conf``: the daemons, job steps and jobs of one cluster."""
    marker = f"SLURM_CONF={conf}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@contextmanager
def slurm_cluster(cpus: int = 2) -> Iterator[SlurmCluster]:
    """A running cluster for the ``with`` block; stopped and removed afterwards, whatever happened."""
    cluster = SlurmCluster(cpus)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
