"""Assignment ``logreg_nn``: the reference is right, every known slip is detectable, and the
examples say what they claim.

The reference is proven like ``reference/logreg2.py`` (gradients against centered
differences, ``optimize``'s cost recording against a hand-written loop, ``model`` against
its parts, the assignment's published test values). The notebooks under
``assignments/logreg_nn/`` are checked without the grader: their graded functions are
extracted with ``ast`` (imports and ``def``s only, in a fresh namespace, without the
course's files) and compared with the reference, or with the slip a one-bug example names.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib.util
import inspect
import json
import math
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Optional

import nbformat
import numpy as np
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from reference import logreg_nn as ref
from reference import logreg_nn_mistakes as mistakes

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = ROOT / "assignments" / "logreg_nn"
EXAMPLES = ASSIGNMENT / "examples"
REAL = EXAMPLES / "real"
LABELS: dict[str, dict] = json.loads((REAL / "labels.json").read_text(encoding="utf-8"))
GRADED = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model")
BUGGY = sorted((EXAMPLES / "buggy").glob("*.ipynb"))

H = 1e-5
REL_TOL = 1e-7
# (n_x, m): one feature, one example, both, n_x > m, m > n_x, larger.
SIZES = [(1, 1), (1, 6), (5, 1), (7, 3), (3, 9), (12, 40)]


def rel_error(a, b) -> float:
    """||a - b|| / (||a|| + ||b||): scale-free, and safe when some components are ~0."""
    a = np.ravel(np.asarray(a, dtype=float))
    b = np.ravel(np.asarray(b, dtype=float))
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def problem(seed: int, n_x: int, m: int):
    """A random, non-saturated problem (w, b, X, Y) in the assignment's layout, Y int64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(np.int64)
    w = rng.normal(scale=0.7, size=(n_x, 1))
    b = float(rng.normal())
    return w, b, X, Y


def classification_data(seed: int, n_x: int = 3, m: int = 60):
    """Overlapping classes in columns: the cost decreases and stays away from 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    true_w = rng.normal(size=(n_x, 1))
    Y = ((true_w.T @ X + rng.normal(scale=1.5, size=(1, m))) > 0).astype(np.int64)
    return X, Y


def numeric_grad(J: Callable[[np.ndarray, float], float], w: np.ndarray, b: float):
    """Centered differences of J(w, b) in every component of w and in b."""
    dw = np.empty_like(w)
    for k in range(w.size):
        up, down = w.copy(), w.copy()
        up.flat[k] += H
        down.flat[k] -= H
        dw.flat[k] = (J(up, b) - J(down, b)) / (2 * H)
    db = (J(w, b + H) - J(w, b - H)) / (2 * H)
    return dw, db


def log_cost(w, b, X, Y) -> float:
    """The assignment's formula, written through A: -(1/m) Σ (Y log A + (1-Y) log(1-A))."""
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


# --------------------------------------------------------------------------- sigmoid, initialize

def test_sigmoid_values_types_and_shapes():
    assert type(ref.sigmoid(0)) is np.float64 and ref.sigmoid(0.0) == 0.5
    assert type(ref.sigmoid(np.array(2.0))) is np.float64
    np.testing.assert_allclose(ref.sigmoid(np.array([0, 2])), [0.5, 0.88079708], rtol=1e-8)
    for shape in [(1, 1), (4,), (3, 5), (2, 3, 4)]:
        z = np.random.default_rng(len(shape)).normal(scale=5, size=shape)
        s = ref.sigmoid(z)
        assert s.shape == z.shape
        np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)), rtol=1e-14)
        np.testing.assert_allclose(s + ref.sigmoid(-z), 1.0, rtol=1e-15)


def test_sigmoid_is_stable_up_to_700():
    z = np.linspace(-700, 700, 2801)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s = ref.sigmoid(z)
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert ref.sigmoid(700.0) == 1.0 and 0.0 <= ref.sigmoid(-700.0) < 1e-300


@pytest.mark.parametrize("dim", [1, 2, 12288])
def test_initialize_with_zeros(dim):
    w, b = ref.initialize_with_zeros(dim)
    assert w.shape == (dim, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


# --------------------------------------------------------------------------- propagate

@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_x,m", SIZES)
def test_propagate_gradients_match_centered_differences(seed, n_x, m):
    w, b, X, Y = problem(seed, n_x, m)
    grads, cost = ref.propagate(w, b, X, Y)
    assert set(grads) == {"dw", "db"}
    assert grads["dw"].shape == w.shape and type(grads["db"]) is np.float64 and type(cost) is np.float64
    dw, db = numeric_grad(lambda w_, b_: float(ref.propagate(w_, b_, X, Y)[1]), w, b)
    assert rel_error(np.append(grads["dw"], grads["db"]), np.append(dw, db)) < REL_TOL


@pytest.mark.parametrize("n_x,m", SIZES)
def test_propagate_cost_is_the_assignments_formula(n_x, m):
    w, b, X, Y = problem(7, n_x, m)
    assert ref.propagate(w, b, X, Y)[1] == pytest.approx(log_cost(w, b, X, Y), rel=1e-12)


def test_propagate_published_values():
    """The values the assignment's own notebooks print (2017 and 2021 versions)."""
    grads, cost = ref.propagate(np.array([[1.], [2.]]), 2., np.array([[1., 2., -1.], [3., 4., -3.2]]),
                                np.array([[1, 0, 1]]))
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], rtol=1e-7)
    assert grads["db"] == pytest.approx(0.00145557813678, rel=1e-9)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
    grads, cost = ref.propagate(np.array([[1.], [2]]), 1.5, np.array([[1., -2., -1.], [3., 0.5, -3.2]]),
                                np.array([[1, 1, 0]]))
    np.testing.assert_allclose(grads["dw"], [[0.25071532], [-0.06604096]], rtol=1e-7)
    assert grads["db"] == pytest.approx(-0.1250040450043965, rel=1e-12)
    assert cost == pytest.approx(0.15900537707692405, rel=1e-12)


def test_propagate_is_stable_when_the_sigmoid_saturates():
    X = np.array([[700.0, -700.0, 700.0, -700.0, 1.0]])
    w = np.array([[1.0]])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        for Y in (np.array([[1, 0, 0, 1, 1]]), np.ones((1, 5), np.int64), np.zeros((1, 5), np.int64)):
            grads, cost = ref.propagate(w, 0.0, X, Y)
            assert math.isfinite(cost) and cost >= 0
            assert np.all(np.isfinite(grads["dw"])) and math.isfinite(grads["db"])
        assert ref.propagate(w, 0.0, X[:, :2], np.array([[1, 0]]))[1] == pytest.approx(0.0, abs=1e-14)


def test_int64_labels_give_the_same_result_as_float_labels():
    w, b, X, Y = problem(3, 4, 25)
    assert Y.dtype == np.int64
    g_int, c_int = ref.propagate(w, b, X, Y)
    g_float, c_float = ref.propagate(w, b, X, Y.astype(float))
    np.testing.assert_array_equal(g_int["dw"], g_float["dw"])
    assert g_int["db"] == g_float["db"] and c_int == c_float


# --------------------------------------------------------------------------- optimize

def hand_written_optimize(w, b, X, Y, num_iterations, learning_rate):
    """The assignment's loop spelled out: record the cost at i % 100 == 0, before the step."""
    m = X.shape[1]
    costs = []
    for i in range(num_iterations):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dw = np.dot(X, (A - Y).T) / m
        db = np.sum(A - Y) / m
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    return w, b, dw, db, costs


@pytest.mark.parametrize("num_iterations", [1, 99, 100, 101, 250])
def test_optimize_against_a_hand_written_loop(num_iterations):
    X, Y = classification_data(1)
    w0 = np.random.default_rng(2).normal(scale=0.1, size=(3, 1))
    w0_before = w0.copy()
    params, grads, costs = ref.optimize(w0, 0.25, X, Y, num_iterations, 0.1, False)
    w, b, dw, db, hand = hand_written_optimize(w0, 0.25, X, Y, num_iterations, 0.1)
    np.testing.assert_array_equal(w0, w0_before)
    assert len(costs) == math.ceil(num_iterations / 100) == len(hand)
    assert all(type(c) is float for c in costs)
    np.testing.assert_allclose(costs, hand, rtol=1e-12)
    np.testing.assert_allclose(params["w"], w, rtol=1e-11)
    assert params["b"] == pytest.approx(b, rel=1e-11)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-11)
    assert grads["db"] == pytest.approx(db, rel=1e-11)


def test_optimize_records_the_cost_before_each_recorded_step_and_grads_of_the_last_call():
    X, Y = classification_data(3)
    params, grads, costs = ref.optimize(np.zeros((3, 1)), 0.0, X, Y, 201, 0.2, False)
    assert costs[0] == pytest.approx(math.log(2), rel=1e-14)
    assert np.all(np.diff(costs) < 0)
    at_200 = ref.optimize(np.zeros((3, 1)), 0.0, X, Y, 200, 0.2, False)[0]
    last_grads, cost_200 = ref.propagate(at_200["w"], at_200["b"], X, Y)
    assert costs[2] == pytest.approx(cost_200, rel=1e-13)
    np.testing.assert_allclose(grads["dw"], last_grads["dw"], rtol=1e-13)
    np.testing.assert_allclose(params["w"], at_200["w"] - 0.2 * last_grads["dw"], rtol=1e-13)


def test_optimize_published_values_and_prints_only_when_asked(capsys):
    w, b, X, Y = np.array([[1.], [2.]]), 2., np.array([[1., 2., -1.], [3., 4., -3.2]]), np.array([[1, 0, 1]])
    params, grads, costs = ref.optimize(w, b, X, Y, 100, 0.009, False)
    np.testing.assert_allclose(params["w"], [[0.19033591], [0.12259159]], rtol=1e-7)
    assert params["b"] == pytest.approx(1.92535983008, rel=1e-10)
    np.testing.assert_allclose(grads["dw"], [[0.67752042], [1.41625495]], rtol=1e-7)
    assert grads["db"] == pytest.approx(0.219194504541, rel=1e-10)
    assert capsys.readouterr().out == ""
    ref.optimize(w, b, X, Y, 201, 0.009, True)
    assert capsys.readouterr().out.count("Cost after iteration") == 3
    assert inspect.signature(ref.optimize).parameters["num_iterations"].default == 100


def test_optimize_needs_an_iteration():
    with pytest.raises(ValueError):
        ref.optimize(np.zeros((2, 1)), 0.0, np.ones((2, 3)), np.ones((1, 3), np.int64), 0, 0.1)


# --------------------------------------------------------------------------- predict

def test_predict_threshold_is_strictly_above_one_half():
    X = np.array([[-1.0, 0.0, 1e-12, 3.0]])
    np.testing.assert_array_equal(ref.predict(np.array([[1.0]]), 0.0, X), [[0.0, 0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(ref.predict(np.zeros((3, 1)), 0.0, np.ones((3, 5))), np.zeros((1, 5)))
    pred = ref.predict(np.array([[0.1124579], [0.23106775]]), -0.3, np.array([[1., -1.1, -3.2], [1.2, 2., 0.1]]))
    assert pred.dtype == np.float64
    np.testing.assert_array_equal(pred, [[1.0, 1.0, 0.0]])


@pytest.mark.parametrize("n_x,m", SIZES + [(4, 3000)])
def test_predict_agrees_with_probabilities(n_x, m):
    w, b, X, _ = problem(5, n_x, m)
    pred = ref.predict(w, b, X)
    assert pred.shape == (1, m)
    np.testing.assert_array_equal(pred, (ref.sigmoid(w.T @ X + b) > 0.5).astype(float))
    np.testing.assert_array_equal(ref.predict(w.ravel(), b, X), pred)


# --------------------------------------------------------------------------- model

KEYS = {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b", "learning_rate", "num_iterations"}


@pytest.mark.parametrize("n_x,m_train,m_test", [(1, 1, 1), (1, 9, 4), (5, 1, 3), (3, 60, 20), (6, 3000, 1000)])
def test_model_is_its_parts(n_x, m_train, m_test):
    X, Y = classification_data(11, n_x, m_train + m_test)
    X_train, Y_train, X_test, Y_test = X[:, :m_train], Y[:, :m_train], X[:, m_train:], Y[:, m_train:]
    d = ref.model(X_train, Y_train, X_test, Y_test, num_iterations=301, learning_rate=0.05, print_cost=False)
    assert set(d) == KEYS
    params, _, costs = ref.optimize(np.zeros((n_x, 1)), 0.0, X_train, Y_train, 301, 0.05, False)
    assert d["costs"] == costs and len(costs) == 4
    np.testing.assert_array_equal(d["w"], params["w"])
    assert d["w"].shape == (n_x, 1) and d["b"] == params["b"]
    np.testing.assert_array_equal(d["Y_prediction_train"], ref.predict(params["w"], params["b"], X_train))
    np.testing.assert_array_equal(d["Y_prediction_test"], ref.predict(params["w"], params["b"], X_test))
    assert d["Y_prediction_train"].shape == (1, m_train) and d["Y_prediction_test"].shape == (1, m_test)
    assert d["learning_rate"] == 0.05 and d["num_iterations"] == 301


def test_model_defaults_learn_and_print_accuracy_only_when_asked(capsys):
    X, Y = classification_data(12, 3, 200)
    d = ref.model(X[:, :150], Y[:, :150], X[:, 150:], Y[:, 150:])
    assert d["num_iterations"] == 2000 and d["learning_rate"] == 0.5 and len(d["costs"]) == 20
    assert np.mean(d["Y_prediction_train"] == Y[:, :150]) > 0.7
    assert capsys.readouterr().out == ""
    ref.model(X[:, :150], Y[:, :150], X[:, 150:], Y[:, 150:], num_iterations=100, print_cost=True)
    assert "train accuracy" in capsys.readouterr().out


# --------------------------------------------------------------------------- comparing answers

def same(a: Any, b: Any) -> bool:
    """Equal as a grader judges: containers by structure, numbers by value within 1e-9.

    Arrays must have the same shape, except that 1-element answers are compared by value
    (the contract accepts a 1-element ``db`` and an int ``b``); bools and ints are numbers.
    """
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(
            same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    if x.shape != y.shape and not (x.size == 1 and y.size == 1):
        return False
    return bool(np.allclose(x.ravel(), y.ravel(), rtol=1e-9, atol=1e-12))


def exactly(a: Any, b: Any) -> bool:
    """``same``, and every number of the same shape and kind as the reference's (no leniency needed):
    an int where a float belongs, or a (1, 1) array where a scalar belongs, is not exact."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(exactly(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(exactly(x, y) for x, y in zip(a, b))
    def int_kind(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    return same(a, b) and np.shape(a) == np.shape(b) and int_kind(a) == int_kind(b)


def outcome(fn: Callable, args: tuple, kwargs: dict) -> tuple:
    """What a call gives: the exception's type, or the value and the arguments as left after it."""
    args = copy.deepcopy(args)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = fn(*args, **kwargs)
    except Exception as exc:  # a slip may raise; the type is what is compared
        return ("raised", type(exc).__name__)
    return ("returned", value, args)


def same_outcome(a: tuple, b: tuple, equal: Callable[[Any, Any], bool] = same) -> bool:
    if a[0] != b[0]:
        return False
    return a[1] == b[1] if a[0] == "raised" else equal(a[1], b[1]) and same(list(a[2]), list(b[2]))


def cases(name: str) -> list[tuple[tuple, dict]]:
    """Generic inputs for each function, called as the contract says (optimize positionally, model by keyword)."""
    w, b, X, Y = problem(21, 4, 9)
    X_all, Y_all = classification_data(22, 4, 40)
    train = (X_all[:, :29], Y_all[:, :29], X_all[:, 29:], Y_all[:, 29:])
    return {
        "sigmoid": [((np.random.default_rng(1).normal(scale=3, size=(3, 4)),), {}), ((0.7,), {})],
        "initialize_with_zeros": [((5,), {}), ((2,), {})],
        "propagate": [((w, b, X, Y), {})],
        "optimize": [((w * 0.1, b, X, Y, 250, 0.05, False), {})],
        "predict": [((w, b, X), {}), ((w, -0.4, X_all), {})],
        "model": [(train, {"num_iterations": 250, "learning_rate": 0.05, "print_cost": False})],
    }[name]


def agrees(fn: Callable, other: Callable, name: str, equal: Callable[[Any, Any], bool] = same) -> bool:
    return all(same_outcome(outcome(fn, a, k), outcome(other, a, k), equal) for a, k in cases(name))


def target(variant: str) -> str:
    """The reference function a variant imitates: the longest graded name its name starts with."""
    return max((n for n in GRADED if variant.startswith(n + "_")), key=len)


VARIANTS = sorted(name for name, obj in vars(mistakes).items()
                  if inspect.isfunction(obj) and obj.__module__ == mistakes.__name__ and not name.startswith("_"))


def test_there_are_at_least_ten_variants_with_the_reference_signature():
    assert len(VARIANTS) >= 10
    for name in VARIANTS:
        fn = getattr(mistakes, name)
        ours = list(inspect.signature(fn).parameters)
        theirs = list(inspect.signature(getattr(ref, target(name))).parameters)
        assert ours == theirs, name
        assert fn.__doc__ and fn.__doc__.strip(), f"{name} must name its slip"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_differs_from_the_reference(variant):
    assert not agrees(getattr(mistakes, variant), getattr(ref, target(variant)), target(variant))


def test_the_reference_agrees_with_itself():
    for name in GRADED:
        assert agrees(getattr(ref, name), getattr(ref, name), name)


# --------------------------------------------------------------------------- reading notebooks as code

TRANSFORM = TransformerManager()


@functools.lru_cache(maxsize=None)
def code_sources(path: Path) -> tuple[str, ...]:
    """Python source of each code cell of a notebook (magics translated), or the whole .py."""
    if path.suffix == ".py":
        return (path.read_text(encoding="utf-8"),)
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            out.append(TRANSFORM.transform_cell(src))
    return tuple(out)


def graded_functions(path: Path, only: Optional[str] = None, callees: bool = False) -> dict[str, Callable]:
    """The submission's graded functions, defined in a fresh namespace: imports and defs only.

    Each import is tried alone (``h5py``, ``lr_utils``, ``public_tests`` are missing here, as in
    the grader); nothing else in a cell runs. With ``callees``, the other graded names are the
    reference's, as a grader's stand-ins make them.
    """
    namespace: dict[str, Any] = {"__name__": "submission"}
    if callees:
        namespace.update({n: getattr(ref, n) for n in GRADED})
    defs: dict[str, ast.FunctionDef] = {}
    for src in code_sources(path):
        try:
            tree = ast.parse(src)
        except SyntaxError:  # a Python 2 print statement: that cell alone fails
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                try:
                    exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
                except Exception:  # a module the grader does not provide
                    pass
            elif isinstance(node, ast.FunctionDef) and node.name in GRADED:
                defs[node.name] = node
    for name, node in defs.items():
        if only is None or name == only:
            exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
    return {n: namespace[n] for n in GRADED if n in defs and (only is None or n == only)}


@pytest.fixture(autouse=True)
def _no_course_files(tmp_path, monkeypatch):
    """Run where no ``lr_utils.py``, ``public_tests.py`` or ``datasets/`` exist."""
    monkeypatch.chdir(tmp_path)
    for name in ("lr_utils", "public_tests"):
        monkeypatch.delitem(sys.modules, name, raising=False)


# --------------------------------------------------------------------------- the examples

def all_notebooks() -> list[Path]:
    return sorted(ASSIGNMENT.rglob("*.ipynb"))


def test_committed_examples_are_what_the_builder_writes(monkeypatch):
    spec = importlib.util.spec_from_file_location("logreg_nn_build_examples", ASSIGNMENT / "build_examples.py")
    builder = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, builder)  # dataclasses look their module up there
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec.loader.exec_module(builder)
    files = builder.all_files()
    for rel, text in files.items():
        assert (ASSIGNMENT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run build_examples.py"
    made = {p.relative_to(ASSIGNMENT).as_posix() for p in EXAMPLES.rglob("*") if p.is_file()}
    assert made == {r for r in files if r.startswith("examples/")}


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.relative_to(ASSIGNMENT).as_posix())
def test_notebooks_are_valid_nbformat_unless_labelled_otherwise(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    off_schema = path.parent == REAL and LABELS[path.name].get("nbformat_valid") is False
    if off_schema:
        with pytest.raises(nbformat.ValidationError):
            nbformat.validate(nb)
    else:
        nbformat.validate(nb)
    assert nb["nbformat"] == 4 and 0 <= nb["nbformat_minor"] <= 5


@pytest.mark.parametrize("name", ["correct.ipynb", "correct.py"])
def test_correct_example_equals_the_reference(name):
    functions = graded_functions(EXAMPLES / name)
    assert set(functions) == set(GRADED)
    for fn_name, fn in functions.items():
        assert agrees(fn, getattr(ref, fn_name), fn_name, exactly), fn_name


def test_correct_script_is_an_nbconvert_export():
    text = (EXAMPLES / "correct.py").read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env python\n# coding: utf-8\n")
    assert re.search(r"^# In\[1\]:$", text, re.M) and "get_ipython().run_line_magic('autoreload', '2')" in text


def test_starter_has_the_assignments_structure_and_no_solution():
    nb = json.loads((ASSIGNMENT / "logreg_nn.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(c["cell_type"] == "markdown" for c in nb["cells"])
    assert all(not c["outputs"] and c["execution_count"] is None for c in nb["cells"] if c["cell_type"] == "code")
    assert sum("### START CODE HERE ###" in s for s in sources) >= 6
    assert any("load_dataset()" in s for s in sources) and any("propagate(w, b, X, Y)" in s for s in sources)
    functions = graded_functions(ASSIGNMENT / "logreg_nn.ipynb")
    assert set(functions) == set(GRADED)
    assert not agrees(functions["propagate"], ref.propagate, "propagate")


def buggy_header(path: Path) -> tuple[str, str]:
    """The item a one-bug example must fail and the variant it reproduces, from its first code cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    head = "".join(first["source"]).splitlines()
    item = re.fullmatch(r"# expect-fail: (\w+)", head[0])
    slip = re.fullmatch(r"# slip: (\w+)", head[1])
    assert item and slip, path.name
    return item.group(1), slip.group(1)


def test_buggy_examples_cover_every_graded_function_and_ten_slips():
    headers = [buggy_header(p) for p in BUGGY]
    assert {item for item, _ in headers} == set(GRADED)
    assert len({variant for _, variant in headers}) == len(headers) >= 10


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.stem)
def test_buggy_example_reproduces_its_variant_and_nothing_else_is_wrong(path):
    item, variant = buggy_header(path)
    assert item in GRADED and target(variant) == item
    student = graded_functions(path, only=item, callees=True)[item]
    assert agrees(student, getattr(mistakes, variant), item)
    assert not agrees(student, getattr(ref, item), item)
    for other in GRADED:
        if other != item:
            assert agrees(graded_functions(path, only=other, callees=True)[other], getattr(ref, other), other)


# --------------------------------------------------------------------------- the real-style notebooks

def test_labels_cover_every_real_notebook():
    files = {p.name for p in REAL.iterdir()} - {"labels.json"}
    assert files == set(LABELS) and len(files) >= 25
    for name, label in LABELS.items():
        assert ("score" in label) != ("fail" in label), name
        assert label.get("score", 100) == 100 and set(label.get("fail", GRADED)) <= set(GRADED), name
        assert set(label) <= {"score", "fail", "noted", "nbformat_valid", "why"}, name
        assert not set(label.get("noted", [])) & set(label.get("fail", [])), name


def test_real_notebooks_have_the_habits_the_issue_lists():
    texts = {p.name: p.read_text(encoding="utf-8") for p in REAL.glob("*.ipynb")}
    notebooks = {n: json.loads(t) for n, t in texts.items()}
    everything = "\n".join(texts.values())
    for habit in ["import h5py", "import scipy", "from PIL import Image", "from scipy import ndimage",
                  "from lr_utils import load_dataset", "import copy", "from public_tests import *",
                  "%matplotlib inline", "%load_ext autoreload", "%autoreload 2", "datasets/train_catvnoncat.h5",
                  "num_px", "m_train", "reshape(train_set_x_orig.shape[0], -1).T", "propagate_test(propagate)",
                  "np.array([[1.],[2.]]), 2., np.array([[1.,2.,-1.],[3.,4.,-3.2]]), np.array([[1,0,1]])",
                  "learning_rates = [0.01, 0.001, 0.0001]", "plt.plot(costs)", "Image.open(", "ndimage.imread(",
                  "drive.mount(", "%cd ", "np.float(", "np.int(", "np.alltrue(", "%%writefile", "\"traceback\"",
                  "\"image/png\"", "\"python2\"", "\"colab\"", "\"vscode\"", "\"pycharm\"", "\"coursera\"",
                  "\"nbgrader\""]:
        assert habit in everything, habit
    assert {nb["nbformat_minor"] for nb in notebooks.values()} == {0, 1, 2, 3, 4, 5}
    assert any(name.startswith("globals_") for name in notebooks)


def real_items() -> list[tuple[str, str]]:
    return [(name, item) for name in sorted(LABELS) for item in GRADED]


@pytest.mark.parametrize("name,item", real_items(), ids=lambda v: v)
def test_real_notebook_function_passes_or_fails_as_labelled(name, item):
    """Run with reference callees, as a grader does: a function right on its own equals the
    reference; one the label says must fail does not (the globals ones raise NameError here,
    since no test cell ran); one labelled ``noted`` equals it only by value (an int ``b``, a
    1-element ``db``), every other passing one exactly."""
    student = graded_functions(REAL / name, only=item, callees=True).get(item)
    right = student is not None and agrees(student, getattr(ref, item), item)
    assert right == (item not in LABELS[name].get("fail", [])), (name, item)
    if right:
        exact = agrees(student, getattr(ref, item), item, exactly)
        assert exact == (item not in LABELS[name].get("noted", [])), f"{name}: {item} needs a note: {not exact}"
