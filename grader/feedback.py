"""Student-facing text for one item: a verdict line, the first failing case, the likely cause.

Short on purpose: what was called, with which input shapes, what was expected
and what came back, and, when a known slip explains it, the slip in the
lecture's words.
"""

from __future__ import annotations

from grader.checks import CaseResult, CheckResult
from grader.execution import LoadResult
from grader.rubric import Item

MAX_OUTPUT = 6000


def item_output(item: Item, results: list[CheckResult], load: LoadResult | None) -> str:
    lines: list[str] = []
    for result in results:
        lines.extend(_check_lines(item, result, load))
    text = "\n".join(lines)
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT - 20] + "\n[... truncated]"


def _check_lines(item: Item, result: CheckResult, load: LoadResult | None) -> list[str]:
    fn = result.check.function
    total = len(result.cases)
    failed = [c for c in result.cases if not c.ok]
    if not failed:
        return [f"PASS {fn}(): all {total} case{'s' if total != 1 else ''} passed."]
    lines = [f"FAIL {fn}(): {len(failed)} of {total} case{'s' if total != 1 else ''} failed."]
    if item.credit == "per_part":
        wrong = [p.name for i, p in enumerate(failed[0].parts) if any(not c.parts[i].ok for c in result.cases)]
        right = len(failed[0].parts) - len(wrong)
        lines.append(f"  {right} of {len(failed[0].parts)} parts right in every case; wrong: {', '.join(wrong)}.")
    lines.extend(_case_lines(fn, failed[0]))
    missing_def = failed[0].problem and "does not define" in failed[0].problem
    if missing_def and load is not None and load.problems:
        failures = "; ".join(f"{p.label}: {p.message}" for p in load.problems[:3])
        lines.append(f"  Cells that failed while loading (a definition there may be missing): {failures}")
    if result.stubbed and not failed[0].problem:
        lines.append(f"  Note: {fn}() ran with the reference {', '.join(result.stubbed)}, so this item "
                     f"judges {fn}()'s own code; a bug in those functions is charged to their own items.")
    return lines


def _case_lines(fn: str, case: CaseResult) -> list[str]:
    dims = ", ".join(f"{k}={v}" for k, v in case.case.dims.items())
    lines = [f"  Case {case.case.number + 1}: {fn}({case.case.describe()})" + (f"  [{dims}]" if dims else "")]
    if case.problem:
        lines.append(f"  - {case.problem}")
    else:
        lines.extend(f"  - {p.problem}" for p in case.parts if p.problem)
    if case.diagnosis:
        lines.append(f"  Likely cause: {case.diagnosis}")
    return lines
