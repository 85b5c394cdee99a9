"""Finding the students of a class: one entry per ``.py``, ``.ipynb`` or folder, Gradescope's export
metadata (``submission_metadata.yml``) for their names, and the K-th of N shares for shards.

Reading only: nothing here runs a submission.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from grader.submission.locate import SUFFIXES
from grader.submission.names import shown

GRADESCOPE_METADATA = "submission_metadata.yml"
GRADESCOPE_FOLDER = re.compile(r"^submission_\d+$")
IGNORED_ENTRIES = {"__MACOSX", "__pycache__", ".ipynb_checkpoints"}


class BatchError(Exception):
    """The batch cannot run at all (no such folder, a bad --shard); the message is one line."""


class MetadataError(Exception):
    """``submission_metadata.yml`` cannot be read; the message is one line, and the batch goes on without it."""


@dataclass(frozen=True)
class Entry:
    """One student of the class: ``key`` names their report file, ``student`` is shown to people."""

    key: str
    student: str
    path: Path
    submitters: tuple[tuple[tuple[str, str], ...], ...] = ()

    def submitter_dicts(self) -> list[dict[str, str]]:
        return [dict(s) for s in self.submitters]


RESERVED_KEYS = {"grades", "summary"}


def _safe_key(name: str) -> str:
    """A file name for a student's report: letters, digits and ``._-@+`` only, never hidden,
    never one of the batch's own files (``summary.html``)."""
    key = re.sub(r"[^\w.@+-]+", "_", name, flags=re.UNICODE).strip("._") or "student"
    key = key[:120]
    return f"{key}~student" if key.casefold() in RESERVED_KEYS else key


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        key, n = entry.key, 1
        while key.casefold() in seen:
            n += 1
            key = f"{entry.key}~{n}"
        seen.add(key.casefold())
        out.append(dataclasses.replace(entry, key=key))
    return out


def discover(folder: Path, exclude: Iterable[Path] = ()) -> tuple[list[Entry], list[str]]:
    """The students in ``folder`` (sorted by key) and notes on what was left out.

    Each ``.py``, ``.ipynb`` or folder is one student.  A folder holding
    ``submission_metadata.yml`` is read as a Gradescope export.
    """
    excluded = {p.resolve() for p in exclude}
    metadata_path = folder / GRADESCOPE_METADATA
    export = metadata_path.is_file()
    metadata: dict[str, list[dict[str, str]] | None] | None = None
    entries, notes = [], []
    if export:
        try:
            metadata = parse_gradescope_metadata(metadata_path.read_text(encoding="utf-8", errors="replace"))
        except MetadataError as exc:
            notes.append(str(exc))
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        if name.startswith(".") or name in IGNORED_ENTRIES or path.resolve() in excluded:
            continue
        if export and name == GRADESCOPE_METADATA:
            continue
        is_dir = path.is_dir() and not path.is_symlink()
        if not is_dir and not name.endswith(SUFFIXES) and not path.is_symlink():
            notes.append(f"{name}: not a .py, .ipynb or folder; skipped")
            continue
        student = shown(name if is_dir else Path(name).stem if name.endswith(SUFFIXES) else name)
        submitters: tuple = ()
        people = metadata.get(name) if metadata is not None else None
        if people:
            submitters = tuple(tuple(sorted(p.items())) for p in people)
            names = [p.get("name", "") for p in people if p.get("name")]
            if names:
                student = " & ".join(names)
        elif metadata is not None and name in metadata:
            notes.append(f"{name}: its entry in {GRADESCOPE_METADATA} lists no submitters; graded under its folder name")
        elif metadata is not None and GRADESCOPE_FOLDER.match(name):
            notes.append(f"{name}: not in {GRADESCOPE_METADATA}; graded under its folder name")
        entries.append(Entry(_safe_key(name if export else student), student, path, submitters))
    entries.sort(key=lambda e: e.key)
    return _unique(entries), notes


class _MetadataLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, reading any tagged node (``!ruby/...``: Gradescope is a Rails app) as
    the plain mapping, list or string under the tag, so a tag nobody here needs cannot fail the whole file."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_MetadataLoader.add_multi_constructor("!", _untagged)

SUBMITTER_FIELDS = ("name", "sid", "email")


def _key(value: Any) -> str:
    """A Ruby symbol key (``:name``) or a plain one, as text."""
    text = str(value)
    return text[1:] if text.startswith(":") else text


def _submitters(value: Any) -> list[dict[str, str]] | None:
    """The ``:submitters:`` list of one folder's entry, or None when the entry has no such list."""
    if not isinstance(value, dict):
        return None
    people = {_key(k): v for k, v in value.items()}.get("submitters")
    if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
        return None
    found = []
    for person in people:
        fields = {_key(k): v for k, v in person.items()}
        found.append({f: "" if fields[f] is None else str(fields[f]) for f in SUBMITTER_FIELDS if f in fields})
    return found


def parse_gradescope_metadata(text: str) -> dict[str, list[dict[str, str]] | None]:
    """``submission_metadata.yml`` -> folder name -> submitters (``name``, ``sid``, ``email``).

    Any YAML (``yaml.safe_load``'s): block or flow style, quoted, folded or literal scalars.  A folder
    whose entry lists no submitters maps to None; a file that is not such YAML raises ``MetadataError``
    with a one-line message.  Either way those students are graded under their folder names.
    """
    try:
        data = yaml.load(text, Loader=_MetadataLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise MetadataError(f"{GRADESCOPE_METADATA}: not valid YAML ({problem}{where}); "
                            "every student graded under their folder name") from None
    if not isinstance(data, (dict, type(None))):
        raise MetadataError(f"{GRADESCOPE_METADATA}: not a mapping of folders; every student graded under their folder name")
    return {_key(folder): _submitters(entry) for folder, entry in (data or {}).items()}


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise BatchError(f"--shard must be K/N with 1 <= K <= N (got {text!r})")
    return int(match.group(1)), int(match.group(2))


def select_shard(entries: list[Entry], k: int, n: int) -> list[Entry]:
    """The K-th of N shares: entries (sorted by key) whose position is K-1 modulo N."""
    ordered = sorted(entries, key=lambda e: e.key)
    return [entry for i, entry in enumerate(ordered) if i % n == k - 1]
