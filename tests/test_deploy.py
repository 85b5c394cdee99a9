"""The cluster recipes in ``deploy/``, checked without a cluster (``make test-slurm`` runs Slurm for real).

Kubernetes: both Jobs of ``grade-class.yaml`` validate against the batch/v1 Job
schema kept in ``deploy/kubernetes/job.schema.json`` (strict: an unknown or
misspelt field fails), broken copies of the manifest fail it, the shard count
agrees everywhere, and each pod's shell command, run with a stand-in Python,
gives ``batch --shard K/N`` for index K-1 with options the real CLI accepts.
Slurm: the script's array task builds the same kind of command line, and one
that cannot see the venv or the class folder fails with one line.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
import yaml

from grader.cli import _parser

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "deploy" / "kubernetes" / "grade-class.yaml"
SCHEMA = ROOT / "deploy" / "kubernetes" / "job.schema.json"
SBATCH = ROOT / "deploy" / "slurm" / "grade-class.sbatch"
STUB = '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGV_FILE"\n'


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def jobs() -> dict[str, dict[str, Any]]:
    """The manifest's documents by their ``step`` label (grade, merge)."""
    return {doc["metadata"]["labels"]["step"]: doc for doc in yaml.safe_load_all(MANIFEST.read_text())}


def container(job: dict[str, Any]) -> dict[str, Any]:
    return job["spec"]["template"]["spec"]["containers"][0]


def env_of(job: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(job)["env"] if "value" in e}


def test_both_jobs_are_valid_kubernetes_jobs(validator: jsonschema.Draft202012Validator) -> None:
    found = jobs()
    assert set(found) == {"grade", "merge"}
    for job in found.values():
        assert [e.message for e in validator.iter_errors(job)] == []


def _parent(job: dict[str, Any], path: str) -> tuple[Any, str]:
    """The node holding the last key of a dotted path (numbers index lists), and that key."""
    *parents, last = path.split(".")
    node: Any = job
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node, last


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(job: dict[str, Any]) -> None:
        node, key = _parent(job, path)
        node[key] = value
    return mutate


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(job: dict[str, Any]) -> None:
        node, key = _parent(job, path)
        del node[key]
    return mutate


BROKEN = {
    "misspelt spec field": _set("spec.completion", 8),
    "completions as text": _set("spec.completions", "8"),
    "misspelt container field": _set("spec.template.spec.containers.0.comand", ["sh"]),
    "no containers": _drop("spec.template.spec.containers"),
    "mount without a path": _drop("spec.template.spec.containers.0.volumeMounts.0.mountPath"),
    "wrong API version": _set("apiVersion", "batch/v2"),
    "env value not a string": _set("spec.template.spec.containers.0.env.0.value", 8),
    "no pod template": _drop("spec.template"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_manifest_fails_the_schema(validator: jsonschema.Draft202012Validator, name: str) -> None:
    job = copy.deepcopy(jobs()["grade"])
    BROKEN[name](job)
    assert list(validator.iter_errors(job)), f"{name} was accepted"


def test_the_shard_count_agrees_and_the_job_is_indexed() -> None:
    grade, merge = jobs()["grade"], jobs()["merge"]
    spec = grade["spec"]
    assert spec["completionMode"] == "Indexed"
    assert grade["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert int(env_of(grade)["SHARDS"]) == int(env_of(merge)["SHARDS"]) == spec["completions"]
    assert 1 <= spec["parallelism"] <= spec["completions"]
    assert env_of(grade)["OUT_DIR"] == env_of(merge)["OUT_DIR"]
    claims = {v["persistentVolumeClaim"]["claimName"] for job in (grade, merge)
              for v in job["spec"]["template"]["spec"]["volumes"]}
    assert len(claims) == 1


def stand_in(folder: Path) -> Path:
    """A working directory whose ``.venv/bin/python`` only records its arguments."""
    python = folder / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(STUB)
    python.chmod(0o755)
    (folder / "grader").mkdir()
    return folder


def run_pod(job: dict[str, Any], workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    c = container(job)
    return subprocess.run([*c["command"], *c["args"]], cwd=workdir, capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], **env_of(job), **env})


def test_each_pod_grades_its_own_shard(tmp_path: Path) -> None:
    grade = jobs()["grade"]
    n = grade["spec"]["completions"]
    workdir, argv_file = stand_in(tmp_path / "grader"), tmp_path / "argv"
    (tmp_path / "class").mkdir()
    for index in range(n):
        env = {"JOB_COMPLETION_INDEX": str(index), "CLASS_DIR": str(tmp_path / "class"),
               "OUT_DIR": str(tmp_path / "out"), "JOBS": "4", "ARGV_FILE": str(argv_file)}
        proc = run_pod(grade, workdir, env)
        assert proc.returncode == 0, proc.stderr
        argv = argv_file.read_text().splitlines()
        assert argv[:2] == ["-m", "grader"]
        args = _parser().parse_args(argv[2:])
        assert (args.command, args.shard, args.jobs) == ("batch", f"{index + 1}/{n}", 4)
        assert (args.folder, args.out) == (tmp_path / "class", tmp_path / "out" / f"shard-{index + 1}")


def test_a_pod_without_the_class_folder_fails_with_one_line(tmp_path: Path) -> None:
    env = {"JOB_COMPLETION_INDEX": "0", "CLASS_DIR": str(tmp_path / "not-mounted"), "OUT_DIR": str(tmp_path),
           "JOBS": "1", "ARGV_FILE": str(tmp_path / "argv")}
    proc = run_pod(jobs()["grade"], stand_in(tmp_path / "grader"), env)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and str(tmp_path / "not-mounted") in proc.stderr
    assert not (tmp_path / "argv").exists()


def test_the_merge_pod_waits_for_every_shard(tmp_path: Path) -> None:
    merge = jobs()["merge"]
    n = int(env_of(merge)["SHARDS"])
    workdir, argv_file = stand_in(tmp_path / "grader"), tmp_path / "argv"
    env = {"OUT_DIR": str(tmp_path / "out"), "ARGV_FILE": str(argv_file)}
    for k in range(1, n):
        (tmp_path / "out" / f"shard-{k}").mkdir(parents=True)
        (tmp_path / "out" / f"shard-{k}" / ".batch.json").write_text("{}")
    unfinished = run_pod(merge, workdir, env)
    assert unfinished.returncode == 2 and len(unfinished.stderr.splitlines()) == 1
    assert f"shard-{n}" in unfinished.stderr and not argv_file.exists()

    (tmp_path / "out" / f"shard-{n}").mkdir()
    (tmp_path / "out" / f"shard-{n}" / ".batch.json").write_text("{}")
    proc = run_pod(merge, workdir, env)
    assert proc.returncode == 0, proc.stderr
    args = _parser().parse_args(argv_file.read_text().splitlines()[2:])
    assert args.command == "merge" and args.out == tmp_path / "out" / "all"
    assert args.folders == [tmp_path / "out" / f"shard-{k}" for k in range(1, n + 1)]


def run_array_task(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The sbatch script as Slurm runs it for one array task (without Slurm: only the variables it sets)."""
    return subprocess.run(["bash", str(SBATCH)], capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], "SLURM_JOB_ID": "7", **env})


def test_an_array_task_grades_its_shard_with_its_cpus(tmp_path: Path) -> None:
    grader, argv_file = stand_in(tmp_path / "grader"), tmp_path / "argv"
    (tmp_path / "class").mkdir()
    proc = run_array_task({"SLURM_ARRAY_TASK_ID": "3", "SLURM_CPUS_PER_TASK": "6", "SHARDS": "5",
                           "GRADER_DIR": str(grader), "CLASS_DIR": str(tmp_path / "class"),
                           "OUT_DIR": str(tmp_path / "out"), "ARGV_FILE": str(argv_file)})
    assert proc.returncode == 0, proc.stderr
    args = _parser().parse_args(argv_file.read_text().splitlines()[2:])
    assert (args.command, args.shard, args.jobs, args.out) == ("batch", "3/5", 6, tmp_path / "out" / "shard-3")
    assert (tmp_path / "out" / "shard-3").is_dir()


@pytest.mark.parametrize("missing", ["GRADER_DIR", "CLASS_DIR"])
def test_an_array_task_that_cannot_see_a_folder_fails_with_one_line(tmp_path: Path, missing: str) -> None:
    (tmp_path / "class").mkdir()
    env = {"SLURM_ARRAY_TASK_ID": "1", "SHARDS": "2", "GRADER_DIR": str(stand_in(tmp_path / "grader")),
           "CLASS_DIR": str(tmp_path / "class"), "OUT_DIR": str(tmp_path / "out"),
           "ARGV_FILE": str(tmp_path / "argv"), missing: str(tmp_path / "not-mounted")}
    proc = run_array_task(env)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and str(tmp_path / "not-mounted") in proc.stderr
    assert not (tmp_path / "argv").exists()


def test_an_array_index_beyond_the_shards_is_refused(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    proc = run_array_task({"SLURM_ARRAY_TASK_ID": "9", "SHARDS": "8", "GRADER_DIR": str(stand_in(tmp_path / "g")),
                           "CLASS_DIR": str(tmp_path / "class"), "OUT_DIR": str(tmp_path / "out")})
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
