"""One escaping rule per medium for text a student controls (file names, exception messages,
notebook fields, folder names).

- Markdown (Gradescope's ``md`` outputs, the feedback page): outside a code block or span,
  every ASCII punctuation character is backslash-escaped and line breaks become spaces, so
  the text can never become a heading, a link, an image, an autolink or HTML.
- HTML: the pages' templates, rendered with Jinja2's autoescape (``reporting/html_page.py``).
- Terminal: control characters other than newline and tab are shown as ``\\xNN`` (or
  ``\\uNNNN``), so ESC, BEL, CSI and OSC sequences (window titles, OSC 52 clipboard writes)
  never reach the TA's terminal.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]+")
_JSON_UNESCAPED_CONTROL = re.compile(r"[\x7f-\x9f]")


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(text: Any) -> str:
    """``text`` safe to print: control characters but newline and tab shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: _visible(m.group()), str(text))


def markdown_text(text: Any) -> str:
    """``text`` as literal Markdown inline text: one line, punctuation escaped, controls visible."""
    one_line = _LINE_BREAK.sub(" ", str(text)).replace("\t", " ")
    return _PUNCTUATION.sub(r"\\\1", terminal_text(one_line))


def json_for_terminal(text: str) -> str:
    """JSON text (from ``json.dumps``) with DEL and C1 controls written as ``\\u`` escapes:
    the same JSON value, no raw control byte.  ``json.dumps`` already escapes the others."""
    return _JSON_UNESCAPED_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TerminalStream:
    """A text stream whose ``write`` shows control characters as ``\\xNN``.

    ``unescaped`` is the stream underneath, for the few control characters the grader
    itself writes on purpose (the progress bar's carriage return).
    """

    def __init__(self, stream: TextIO) -> None:
        self.unescaped = stream

    def write(self, text: str) -> int:
        return self.unescaped.write(terminal_text(text))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding: the stream's own
        return getattr(self.unescaped, name)


def unescaped(stream: TextIO) -> TextIO:
    """The stream underneath a ``TerminalStream``, or ``stream`` itself."""
    return stream.unescaped if isinstance(stream, TerminalStream) else stream
