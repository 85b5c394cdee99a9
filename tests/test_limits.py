"""The one configuration surface: every limit documented as data, every variable listed, the README's table generated.

Pure tests: nothing here starts a sandbox.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import cli, gradescope
from grader import limits
from grader.limits import BUDGETS, CAPS, VARIABLES, ConfigError, Limits, read_env
from grader.sandbox.zygote import Zygote

ROOT = Path(__file__).resolve().parents[1]
SEARCHED = ("grader", "gradescope", "deploy", "tests", "bench", "docs", ".ci", "Makefile")
README_TABLE = re.compile(r"<!-- limits:begin -->\n(.*?)<!-- limits:end -->", re.DOTALL)
NUMERIC = [v.name for v in VARIABLES if v.parse not in (None, str)]


def test_every_field_says_its_scope_how_it_is_enforced_and_why() -> None:
    fields = limits.documented_fields()
    assert len(fields) == len(dataclasses.fields(Limits)) + len(dataclasses.fields(CAPS)) + len(dataclasses.fields(BUDGETS))
    for name, f in fields:
        assert f.metadata["scope"] in limits.SCOPES, name
        for key in ("enforced", "reached", "why"):
            assert len(f.metadata[key]) > 10, (name, key)


def test_each_class_docstring_documents_each_of_its_fields() -> None:
    for cls in (Limits, limits.Caps, limits.Budgets):
        for f in dataclasses.fields(cls):
            assert f"``{f.name}`` (per {f.metadata['scope']}" in cls.__doc__, (cls.__name__, f.name)
            assert f.metadata["enforced"] in cls.__doc__


def test_the_defaults_are_the_values_the_grader_always_had() -> None:
    assert dataclasses.asdict(Limits()) == {
        "cell_seconds": 10.0, "load_seconds": 60.0, "call_seconds": 4.0, "cpu_seconds": 120, "memory_mb": 768,
        "processes": 64, "file_mb": 32, "open_files": 64, "scratch_mb": 64, "output_kb": 32}
    assert (CAPS.feedback_chars, CAPS.shown_output_chars, CAPS.headline_chars, CAPS.summary_chars) == (6000, 2000, 500, 20_000)
    assert (CAPS.series_points, CAPS.callback_elements, CAPS.frame_mb) == (10_000, 1_000_000, 64)
    assert (BUDGETS.grace_seconds, BUDGETS.student_seconds, BUDGETS.worker_start_seconds) == (2.0, 600.0, 120.0)
    assert (BUDGETS.grading_seconds, BUDGETS.total_seconds, BUDGETS.gradescope_memory_mb) == (420.0, 540.0, 384)


def _constant(where: str) -> object:
    """The value a module constant (``module:NAME``) or a shell default (``path:VARIABLE``) holds."""
    module, name = where.split(":")
    if "/" in module:
        match = re.search(r"\$\{" + name + r":-([^}]*)\}", (ROOT / module).read_text())
        assert match, where
        return float(match.group(1))
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("name, f", [(n, f) for n, f in limits.documented_fields() if f.metadata["constant"]],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_each_constant_that_applies_a_limit_holds_its_value(name: str, f: dataclasses.Field) -> None:
    assert _constant(f.metadata["constant"]) == f.default, name


def test_the_sandbox_is_sent_every_limit() -> None:
    chosen = Limits(call_seconds=1.5, scratch_mb=8)
    assert Zygote()._config(Path("/tmp/x"), chosen)["limits"] == dataclasses.asdict(chosen)


def test_with_overrides_keeps_what_is_none_and_refuses_unknown_names() -> None:
    base = Limits()
    assert base.with_overrides(call_seconds=None, memory_mb=256) == dataclasses.replace(base, memory_mb=256)
    with pytest.raises(TypeError):
        base.with_overrides(wall_seconds=3)


def test_the_rubric_keys_are_the_schemas() -> None:
    schema = json.loads((ROOT / "grader/schemas/rubric.schema.json").read_text())
    keys = {f.name for _, f in limits.documented_fields() if f.metadata["rubric"]}
    assert keys == set(schema["properties"]["limits"]["properties"])
    assert all(hasattr(Limits, key) for key in keys)


def _options(program: str) -> set[str]:
    """The options of a ``grader`` subcommand, or of ``python -m grader.gradescope``."""
    if program == "python -m grader.gradescope":
        source = Path(gradescope.__file__).read_text()
        return set(re.findall(r'add_argument\("(--[a-z-]+)"', source))
    subcommands = cli._parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    return set(subcommands[program]._option_string_actions)


def test_every_flag_named_exists_where_it_says() -> None:
    named = 0
    for name, f in limits.documented_fields():
        for flag, programs in re.findall(r"`(--[a-z-]+)` \(([^)]*)\)", f.metadata["flags"]):
            for program in programs.split(", "):
                assert flag in _options(program), (name, flag, program)
                named += 1
    assert named >= 6


def test_every_variable_a_field_names_is_listed() -> None:
    listed = {v.name for v in VARIABLES}
    named = {f.metadata["env"] for _, f in limits.documented_fields() if f.metadata["env"]}
    assert named and named <= listed


def _mentions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for top in SEARCHED:
        for path in [ROOT / top, *(ROOT / top).rglob("*")]:
            if path.is_file() and "__pycache__" not in path.parts:
                for name in re.findall(r"LOGREG2_[A-Z0-9_]+", path.read_text(errors="replace")):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_logreg2_variable_in_the_code_is_documented() -> None:
    mentions = _mentions()
    assert "LOGREG2_SANDBOX_USER" in mentions and "LOGREG2_TOTAL_SECONDS" in mentions
    undocumented = {name: sorted(paths) for name, paths in mentions.items() if name not in {v.name for v in VARIABLES}}
    assert not undocumented


def test_every_documented_variable_is_read_where_it_says() -> None:
    """Shell scripts and tests name the variable; the grader's modules ask this module for it."""
    for v in VARIABLES:
        for reader in v.read_by.split(", "):
            text = (ROOT / reader).read_text()
            through_limits = v.parse is not None and re.search(r"\b(read_env|sandbox_user)\(", text)
            assert v.name in text or through_limits, (v.name, reader)


def test_python_reads_its_variables_only_in_the_limits_module() -> None:
    readers = set()
    for path in (ROOT / "grader").rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("LOGREG2_")
               for node in ast.walk(tree)):
            readers.add(path.relative_to(ROOT).as_posix())
    assert readers == {"grader/limits.py"}


def test_unset_variables_give_the_defaults_and_set_ones_are_read() -> None:
    assert read_env({}) == limits.Environment(None, None, 384, 420.0, None)
    env = read_env({"LOGREG2_CALL_SECONDS": "2", "LOGREG2_CELL_SECONDS": " 3.5 ", "LOGREG2_MEMORY_MB": "256",
                    "LOGREG2_GRADING_SECONDS": "60", "LOGREG2_SANDBOX_USER": "grader7"})
    assert env == limits.Environment(2.0, 3.5, 256, 60.0, "grader7")
    assert read_env({"LOGREG2_CALL_SECONDS": ""}).call_seconds is None


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1.5e999"])
def test_a_bad_value_is_named_in_one_line(name: str, value: str) -> None:
    if name == "LOGREG2_MEMORY_MB" and value == "abc":
        value = "1.5"
    with pytest.raises(ConfigError) as caught:
        read_env({name: value})
    message = str(caught.value)
    assert name in message and repr(value) in message and "expected" in message and "\n" not in message


def test_the_gradescope_entry_point_refuses_a_bad_variable_in_one_line(tmp_path: Path) -> None:
    environment = {"PATH": "/usr/bin:/bin", "LOGREG2_MEMORY_MB": "lots"}
    done = subprocess.run([sys.executable, "-m", "grader.gradescope", "--root", str(tmp_path)], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["gradescope: error: LOGREG2_MEMORY_MB='lots' cannot be used: "
                                        "expected a whole number of MB, at least 64"]
    assert not (tmp_path / "results").exists()


def test_the_limits_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(limits.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names)


def test_the_command_prints_the_table() -> None:
    done = subprocess.run([sys.executable, "-m", "grader.limits", "--markdown"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == limits.markdown()
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == len(limits.documented_fields()) + len(VARIABLES)


def test_readme_table_is_generated_from_the_limits() -> None:
    match = README_TABLE.search((ROOT / "README.md").read_text())
    assert match, "README.md has no <!-- limits:begin --> ... <!-- limits:end --> block"
    assert match.group(1) == limits.markdown(), "run: python -m grader.limits --markdown"
