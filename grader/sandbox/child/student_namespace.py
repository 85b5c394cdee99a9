"""The sandbox side: the namespace a submission runs in, made to behave like a Jupyter kernel's.

Loaded by path inside the sandbox (``runner.py`` imports it as a sibling), so it
imports only the standard library.  Student code runs here after confinement;
nothing in this module trusts what it finds in the namespace.

What it provides, as the contract's loading rules say:

- ``get_ipython()`` for notebook exports: magics and ``!`` commands are recorded,
  not run, except ``%time``/``%%time``/``%%capture`` (their body runs) and
  ``%%writefile`` (the file is written into the scratch folder, so a later
  ``import`` of it works as it did in Colab);
- ``input()`` returns ``""``, ``display()`` does nothing, a shown figure is closed,
  ``matplotlib.use(...)`` is harmless, ``google.colab`` is inert;
- an import of a module that does not exist here binds a placeholder that raises
  a clear error only when it is used, and is reported once.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import os
import sys
import traceback
import types
from typing import Any

MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000


class FakeIPython:
    """Enough of ``get_ipython()`` for notebooks and their exports."""

    def __init__(self, namespace: dict[str, Any], scratch: str) -> None:
        self._namespace = namespace
        self._scratch = scratch
        self.neutralised: list[str] = []
        self.written: list[str] = []

    def run_line_magic(self, name: str, line: str = "", *args: Any) -> None:
        if name == "time" and line.strip():  # %time runs its statement in the notebook's namespace
            try:
                code = compile(line, "<%time>", "exec")
            except SyntaxError:
                pass
            else:
                exec(code, self._namespace)
                return
        self.neutralised.append(f"%{name} {line}".strip())

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        if name in ("time", "capture"):
            exec(compile(cell, "<cell magic>", "exec"), self._namespace)
        elif name in ("writefile", "file"):
            self._write_file(line, cell)
        else:
            self.neutralised.append(f"%%{name} {line}".strip())

    def _write_file(self, line: str, cell: str) -> None:
        """``%%writefile [-a] NAME``: into the scratch folder; a module it shadows is forgotten."""
        words = line.split()
        append = bool(words) and words[0] in ("-a", "--append")
        names = words[1:] if append else words
        if not names:
            raise ValueError("%%writefile needs a file name")
        path = os.path.join(self._scratch, names[0].strip("'\""))
        with open(path, "a" if append else "w", encoding="utf-8") as f:
            f.write(cell)
        stem, suffix = os.path.splitext(os.path.basename(path))
        if suffix == ".py":
            module = sys.modules.get(stem)
            if module is not None and getattr(module, "__dict__", None) is self._namespace:
                del sys.modules[stem]  # the notebook itself was registered under the file's name
            self.written.append(stem)

    def system(self, command: str, *args: Any) -> None:
        self.neutralised.append(f"!{command}")

    def getoutput(self, command: str, *args: Any) -> list[str]:  # files = !ls gets no lines
        self.system(command)
        return []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class _Inert:
    """A Colab helper that does nothing: every attribute is another, every call returns None."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> "_Inert":
        return _Inert(f"{self._name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None


def _stub_colab() -> None:
    """``from google.colab import drive; drive.mount(...)`` works and does nothing (no real package is loaded)."""
    if "google" in sys.modules:
        return
    google = types.ModuleType("google")
    google.__path__ = []
    sys.modules["google"] = google
    colab = types.ModuleType("google.colab")
    colab.__path__ = []
    colab.__getattr__ = lambda attr: _Inert(f"google.colab.{attr}")  # type: ignore[method-assign]
    google.colab = colab  # type: ignore[attr-defined]
    sys.modules["google.colab"] = colab
    for part in ("drive", "files", "output", "userdata", "auth", "data_table", "widgets", "patches"):
        module = types.ModuleType(f"google.colab.{part}")
        module.__getattr__ = lambda attr, part=part: _Inert(f"google.colab.{part}.{attr}")  # type: ignore[method-assign]
        setattr(colab, part, module)
        sys.modules[module.__name__] = module
    sys.modules["google.colab.files"].upload = lambda *args, **kwargs: {}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- missing modules


class MissingModuleError(ModuleNotFoundError):
    """Raised when a placeholder for a module the grader does not have is used."""


class Placeholder:
    """Stands for a name from a module that is not installed here: any real use raises.

    Attribute access and ``from m import name`` succeed (they only bind names),
    so the rest of the cell still runs; calling, iterating, indexing or doing
    arithmetic with it raises ``MissingModuleError`` naming the module.
    """

    def __init__(self, module: str, name: str) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_name", name)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        module = object.__getattribute__(self, "_module")
        name = object.__getattribute__(self, "_name")
        short = name.rsplit(".", 1)[-1]  # the student's own dotted path is not repeated back
        raise MissingModuleError(f"{short} comes from {module}, which is not installed in the grader; "
                                 f"graded functions cannot use it")

    def __getattr__(self, attr: str) -> "Placeholder":
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Placeholder(object.__getattribute__(self, "_module"),
                           f"{object.__getattribute__(self, '_name')}.{attr}")

    def __repr__(self) -> str:
        return f"<placeholder for {object.__getattribute__(self, '_name')}>"

    __call__ = __iter__ = __getitem__ = __len__ = __bool__ = __enter__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail
    __array__ = __float__ = __int__ = __index__ = __setitem__ = __contains__ = _fail


class _PlaceholderModule(types.ModuleType):
    def __getattr__(self, attr: str) -> Placeholder:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Placeholder(self.__name__.split(".")[0], f"{self.__name__}.{attr}")


class _MissingModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: a module no other finder has becomes a placeholder module."""

    def __init__(self, student_globals: dict[str, Any], scratch: str) -> None:
        self.missing: list[str] = []
        self._globals = student_globals
        self._scratch = scratch

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        top = fullname.split(".")[0]
        if path is not None and top not in self.missing:
            return None  # a missing submodule of a real package stays an ImportError
        if not self._imported_by_student():
            return None  # a library probing for an optional dependency must see it missing
        if top not in self.missing:
            self.missing.append(top)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def _imported_by_student(self) -> bool:
        """Whether the ``import`` statement being run is in the submission's own code."""
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        if frame is None:
            return False
        if frame.f_globals is self._globals:
            return True
        origin = frame.f_globals.get("__file__")
        return isinstance(origin, str) and os.path.dirname(os.path.abspath(origin)) == self._scratch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _PlaceholderModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


# --------------------------------------------------------------------------- the namespace


class StudentNamespace:
    """The submission's globals plus what loading them recorded (magics, missing modules, files)."""

    def __init__(self, module_name: str, scratch: str) -> None:
        module = types.ModuleType(module_name)
        self.globals: dict[str, Any] = module.__dict__
        self.globals["__builtins__"] = builtins
        self.shell = FakeIPython(self.globals, scratch)
        self.globals["get_ipython"] = lambda: self.shell
        self.globals["display"] = lambda *args, **kwargs: None
        builtins.input = lambda *args, **kwargs: ""
        sys.modules[module_name] = module
        if scratch not in sys.path:
            sys.path.append(scratch)  # a %%writefile module imports as in Jupyter
        self._finder = _MissingModuleFinder(self.globals, scratch)
        sys.meta_path.append(self._finder)
        _quiet_matplotlib()
        _stub_colab()

    @property
    def missing_modules(self) -> list[str]:
        return list(self._finder.missing)

    def lookup(self, name: str) -> Any:
        """A graded function: the notebook's own, else one from a module it wrote with %%writefile."""
        value = self.globals.get(name)
        if value is not None or name in self.globals:
            return value
        for stem in self.shell.written:
            module = sys.modules.get(stem)
            if module is not None and name in vars(module):
                return vars(module)[name]
        return None


def _quiet_matplotlib() -> None:
    """As Jupyter's inline backend: a shown figure is closed, and choosing a backend changes nothing."""
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        matplotlib.use = lambda *args, **kwargs: None
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.show = lambda *args, **kwargs: pyplot.close("all")
        switch = pyplot.switch_backend
        pyplot.switch_backend = lambda *args, **kwargs: switch("agg")


# --------------------------------------------------------------------------- errors


def _cut(text: str, limit: int, keep_end: bool = False) -> str:
    """At most ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    note = f" [... {len(text) - limit} more characters]"
    return note + text[-limit:] if keep_end else text[:limit] + note


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001 (a student's __str__ may raise anything)
        return "<the exception's message could not be read>"


def describe_error(exc: BaseException, filename: str) -> dict[str, Any]:
    """Type, message, line and the student's own traceback frames, as plain data."""
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(filename)]
        if frames and line is None:
            line = frames[-1].lineno
        text = "".join(traceback.format_list(frames[-5:]) + traceback.format_exception_only(type(exc), exc))
    except BaseException:  # noqa: BLE001 (formatting calls the exception's own methods)
        text = f"{type(exc).__name__}: {_safe_str(exc)}"
    return {"type": type(exc).__name__, "message": _cut(_safe_str(exc), MAX_MESSAGE),
            "line": line if type(line) is int else None, "traceback": _cut(text, MAX_TRACEBACK, keep_end=True)}
