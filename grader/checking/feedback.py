"""Student-facing text for one item: a verdict line, the first failing case, the likely cause.

Short on purpose: what was called, with which input shapes, what was expected
and what came back, and, when a known slip explains it, the slip in the
lecture's words.  The text is built as blocks and rendered two ways: Markdown
for the report (Gradescope ``output_format: md``, and the HTML page) and plain
text for a terminal (the self-check).  Anything that can hold text the student
controls (values, exception messages, file names) goes into a code block or a
code span, so it is shown literally and can never become Markdown or HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from grader.checking.checks import CaseResult, CheckResult, item_fraction
from grader.sandbox.execution import LoadResult
from grader.limits import CAPS
from grader.rubric import Item

MAX_OUTPUT = CAPS.feedback_chars

BlockKind = Literal["verdict", "check", "case", "cause", "note", "text"]


@dataclass(frozen=True)
class Block:
    """One piece of feedback: ``verdict``, ``check`` (a check's verdict), ``case`` (literal text),
    ``cause`` (a known slip, instructor Markdown), ``note`` (Markdown) or ``text`` (Markdown)."""

    kind: BlockKind
    text: str


def item_output(item: Item, results: list[CheckResult], load: LoadResult | None) -> str:
    """The Markdown feedback of a graded item, as the report stores it."""
    return to_markdown(item_blocks(item, results, load))


def item_score(item: Item, results: list[CheckResult]) -> float:
    return round(item.points * item_fraction(item.credit, results), 4)


def verdict_line(item: Item, results: list[CheckResult]) -> str:
    """The item's verdict as one plain line (a report's ``headline``, the ``grade`` table)."""
    return _plain(_item_verdict(item, results))


def item_blocks(item: Item, results: list[CheckResult], load: LoadResult | None,
                stub_note: bool = True) -> list[Block]:
    """The verdict on the whole item, then, for each failing check, its first failing case and the likely cause.

    An item of one check says both in its first line (``**FAIL cost()** (0/10 points): ...``).
    """
    single = len(results) == 1
    blocks = [Block("verdict", _item_verdict(item, results))]
    causes: set[str] = set()
    for result in results:
        blocks.extend(_check_blocks(item, result, load, single, stub_note, causes))
    return blocks


def _points(value: float) -> str:
    return f"{value:g}"


def _cases(result: CheckResult) -> str:
    total = len(result.cases)
    failed = sum(not c.ok for c in result.cases)
    plural = "s" if total != 1 else ""
    return f"{failed} of {total} case{plural} failed" if failed else f"all {total} case{plural} passed"


def _item_verdict(item: Item, results: list[CheckResult]) -> str:
    score = item_score(item, results)
    word = "PASS" if score >= item.points - 1e-9 else "FAIL"
    points = f"({_points(score)}/{_points(item.points)} points)"
    failing = [r for r in results if not r.ok]
    if len(results) == 1:
        result = results[0]
        head = f"**{word} {result.check.function}()** {points}: {_cases(result)}"
        if item.credit == "per_part" and failing and result.cases:
            names = [p.name for p in result.cases[0].parts]
            wrong = [n for i, n in enumerate(names) if any(c.problem or not c.parts[i].ok for c in result.cases)]
            head += (f"; {len(names) - len(wrong)} of {len(names)} parts right in every case "
                     f"(wrong: {', '.join(code_span(n) for n in wrong)})")
        return head + "."
    head = f"**{word}** {points}"
    if not failing:
        return f"{head}: all {sum(len(r.cases) for r in results)} cases passed."
    wrong = ", ".join(dict.fromkeys(code_span(f"{r.check.function}()") for r in failing))
    if item.credit == "per_check":
        return f"{head}: {len(results) - len(failing)} of {len(results)} checks passed; wrong: {wrong}."
    return f"{head}: wrong: {wrong}."


def _check_blocks(item: Item, result: CheckResult, load: LoadResult | None, single: bool,
                  stub_note: bool, causes: set[str]) -> list[Block]:
    fn = result.check.function
    failed = [c for c in result.cases if not c.ok]
    notes = [Block("note", n) for n in dict.fromkeys(n for c in result.cases for n in c.notes)]
    if not failed:
        return ([] if single else [Block("check", f"PASS {fn}(): {_cases(result)}.")]) + notes
    blocks = [] if single else [Block("check", f"**FAIL {fn}()**: {_cases(result)}.")]
    shown = failed[0]
    blocks.append(Block("case", _case_text(fn, shown)))
    cause = shown.diagnosis
    if cause is None:
        other = next((c for c in failed if c.diagnosis), None)
        if other is not None:
            cause = f"(as in case {other.case.number + 1}) {other.diagnosis}"
    if cause and cause in causes:
        blocks.append(Block("cause", "the same as above."))
    elif cause:
        causes.add(cause)
        blocks.append(Block("cause", cause))
    if shown.reason == "missing" and load is not None and load.problems:
        failures = "; ".join(f"{p.label}: {p.message}" for p in load.problems[:3])
        blocks.append(Block("note", "Cells that failed while loading (a definition there may be missing): "
                            + code_span(failures)))
    if stub_note and shown.callees and shown.reason not in _NOT_RUN:
        callees = ", ".join(code_span(f"{name}()") for name in shown.callees)
        blocks.append(Block("note", f"{code_span(fn + '()')} ran with the reference {callees}, so this item judges "
                            f"{code_span(fn + '()')}'s own code; a bug in those functions is charged to their own items."))
    return blocks + notes


# Reasons for which the function's own code did not run to an answer or an exception of its own.
_NOT_RUN = frozenset({"missing", "not_callable", "timeout", "died", "not_run"})


def _case_text(fn: str, case: CaseResult) -> str:
    dims = ", ".join(f"{k}={v}" for k, v in case.case.dims.items())
    lines = [f"Case {case.case.number + 1}: {fn}({case.case.describe()})" + (f"  [{dims}]" if dims else "")]
    if case.problem:
        lines.append(f"- {case.problem}")
    else:
        lines.extend(f"- {p.problem}" for p in case.parts if p.problem)
    return "\n".join(lines)


# --------------------------------------------------------------------------- rendering


def code_span(text: str) -> str:
    """An inline code span that shows ``text`` literally, whatever backticks it holds."""
    text = " ".join(str(text).split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(text: str) -> str:
    """A fenced block that shows ``text`` literally: its fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def to_markdown(blocks: list[Block], limit: int = MAX_OUTPUT) -> str:
    """Blocks as Markdown, cut between blocks (never inside a code block) to stay within ``limit``."""
    out: list[str] = []
    size = 0
    for block in blocks:
        if block.kind == "case":
            text = code_block(block.text)
        elif block.kind == "cause":
            text = f"**Likely cause:** {block.text}"
        elif block.kind == "note":
            text = f"*Note:* {block.text}"
        else:
            text = block.text
        if size + len(text) + 2 > limit - 40:
            out.append("[... more feedback not shown]")
            break
        out.append(text)
        size += len(text) + 2
    return "\n\n".join(out)


def _plain(markdown: str) -> str:
    """Instructor/grader Markdown read in a terminal: emphasis marks dropped, code spans kept bare."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*(\S.*?)\*(?![\w*])", r"\1", text)
    return re.sub(r"(`+) ?(.+?) ?\1", r"\2", text)


def to_text(blocks: list[Block], indent: str = "  ") -> str:
    """Blocks as plain text for a terminal, in the grader's classic layout."""
    lines: list[str] = []
    for block in blocks:
        if block.kind == "case":
            lines.extend(indent + line for line in block.text.splitlines())
        elif block.kind == "cause":
            lines.append(f"{indent}Likely cause: {_plain(block.text)}")
        elif block.kind == "note":
            lines.append(f"{indent}Note: {_plain(block.text)}")
        else:
            lines.append(_plain(block.text))
    return "\n".join(lines)
