"""Names that came from the student's file system, made safe to print and to write.

A file or folder name that is not valid UTF-8 reaches Python as a string with
lone surrogates (``os.fsdecode``'s ``surrogateescape``).  Such a string opens the
file, but cannot be encoded: printing or writing it raises ``UnicodeEncodeError``.
Every name a person reads goes through ``shown``; the raw name is kept only to
open the file.
"""

from __future__ import annotations


def shown(name: str) -> str:
    """``name`` with every byte that was not UTF-8 replaced by U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _has_surrogates(name) else name


def fs_bytes(name: str) -> bytes:
    """The name's own bytes, for hashing: two different names never collide."""
    return name.encode("utf-8", "surrogateescape")


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)
