"""Write ``job.schema.json``: the Kubernetes batch/v1 Job schema, only what a Job manifest can reach.

Why a copy: the test of ``grade-class.yaml`` validates it offline against the real
field names and types, without a 20 MB validator package in the grader's lock.
The input is a strict (``additionalProperties: false``) standalone schema as
published with the Kubernetes OpenAPI, e.g. the ``v1.30.0-local-strict`` folder of
the ``kubernetes-validate`` package:

    python deploy/kubernetes/trim_schema.py SCHEMA_DIR > deploy/kubernetes/job.schema.json

Kept: every definition reachable from the Job's ``metadata`` and ``spec``.
Dropped: ``status`` (the cluster writes it), descriptions and ``x-kubernetes-*``
annotations (no validator reads them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DEFS = "#/$defs/"  # refs are "/api/_definitions.json#/$defs/NAME" in a kind's file, "#/$defs/NAME" inside


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].split(DEFS)[-1]] if isinstance(node.get("$ref"), str) else []
        return found + [r for key, value in node.items() if key != "$ref" for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _clean(v) for k, v in node.items() if k != "description" and not k.startswith("x-kubernetes-")}
        if isinstance(out.get("$ref"), str):
            out["$ref"] = DEFS + out["$ref"].split(DEFS)[-1]
        return out
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def trim(schema_dir: Path) -> dict[str, Any]:
    definitions = json.loads((schema_dir / "_definitions.json").read_text())["$defs"]
    job = json.loads((schema_dir / "job-batch-v1.json").read_text())
    job["properties"].pop("status", None)
    todo, kept = _refs(job), {}
    while todo:
        name = todo.pop()
        if name not in kept:
            kept[name] = definitions[name]
            todo += _refs(definitions[name])
    out = _clean(job)
    out["$comment"] = f"Kubernetes batch/v1 Job, from {schema_dir.name}, trimmed by deploy/kubernetes/trim_schema.py"
    out["$defs"] = {name: _clean(kept[name]) for name in sorted(kept)}
    return out


if __name__ == "__main__":
    json.dump(trim(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
