"""The adapter contract (conformance/adapters/base.py), checked on every registered adapter.

One test id per (check, adapter); none needs a framework installed:
- importing an adapter's module imports no framework (rule 1: ``execute`` does);
- ``express`` is pure and deterministic, and imports no framework (rule 2);
- every ``Unsupported`` reason is a code of conformance.vocabulary and carries a ``doc``;
- ``repro_source`` and the whole repro script (conformance.repro) are valid Python (rule 3);
- names are unique, frameworks known, docs given.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module, metadata
from pathlib import Path

import pytest

from conformance.adapters import BUILTIN_MODULES, ENTRY_POINT_GROUP, all_adapters, frameworks
from conformance.adapters.base import NativeCall, Unsupported
from conformance.loader import load_paths
from conformance.oracle import evaluate
from conformance.repro import build_repro
from conformance.vocabulary import reason_words

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = all_adapters()
NAMES = sorted(ADAPTERS)
# Every framework package any adapter runs on: no adapter module and no ``express`` may import
# one (the tests env has none: an import attempt would fail there, so attempts are counted).
FRAMEWORK_PACKAGES = sorted(
    {cls.module.split(".")[0] for cls in ADAPTERS.values()}
    | {package for cls in ADAPTERS.values() for package in cls.raising_packages()}
    | {"onnx"}  # onnxruntime's adapter builds its model with it (pip_extras)
)
CASES_PER_ADAPTER = 60
INVALID_PER_ADAPTER = 15

by_name = pytest.mark.parametrize("name", NAMES)


# -- the cases ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def corpus():
    result = load_paths([ROOT / "cases"])
    assert result.errors == [], [str(error) for error in result.errors]
    return tuple(result.cases)


def features(case) -> tuple:
    """What makes two cases different to an adapter's ``translate``."""
    padding = case.padding_mode or (
        "negative" if any(min(pair) < 0 for pair in case.padding)
        else "asymmetric" if any(before != after for before, after in case.padding)
        else "symmetric"
    )
    return (
        case.spatial_dims,
        case.dtype,
        padding,
        case.groups > 1,
        case.b is not None,
        any(case.output_padding),
        case.output_shape is not None,
        any(s != 1 for s in case.stride),
        any(d != 1 for d in case.dilation),
    )


def round_robin(cases, count: int) -> list:
    """``count`` cases, one of each kind of ``features`` in turn (deterministic: by id)."""
    buckets = defaultdict(list)
    for case in sorted(cases, key=lambda c: c.id):
        buckets[repr(features(case))].append(case)
    queues = [buckets[key] for key in sorted(buckets)]
    chosen = []
    for depth in range(max(map(len, queues), default=0)):
        chosen += [queue[depth] for queue in queues if depth < len(queue)]
    return chosen[:count]


@functools.lru_cache(maxsize=None)
def sample(op: str) -> tuple:
    """About 60 varied cases of ``op`` from the corpus, invalid ones among them."""
    of_op = [case for case in corpus() if case.op == op]
    invalid = round_robin([c for c in of_op if c.expect == "error"], INVALID_PER_ADAPTER)
    valid = round_robin([c for c in of_op if c.expect != "error"], CASES_PER_ADAPTER - len(invalid))
    assert invalid and valid, op
    return tuple(invalid + valid)


@functools.lru_cache(maxsize=None)
def reference(case):
    return None if case.expect == "error" else evaluate(case)


def outcome(result):
    """Comparable form of what ``express`` returned."""
    if isinstance(result, NativeCall):
        return ("call", json.dumps(result.to_json(), sort_keys=True, default=repr))
    assert isinstance(result, Unsupported), f"express returned {type(result).__name__}: {result!r}"
    return ("unsupported", result)


def snapshot(case):
    return (case.params(), case.x.tobytes(), case.w.tobytes(), None if case.b is None else case.b.tobytes())


class ImportSpy:
    """A meta path finder that notes every import of a framework package, and lets it go on."""

    def __init__(self, packages):
        self.packages = set(packages)
        self.attempts: list[str] = []

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.packages:
            self.attempts.append(name)


@contextlib.contextmanager
def no_framework_import():
    spy = ImportSpy(FRAMEWORK_PACKAGES)
    before = {name for name in sys.modules if name.split(".")[0] in spy.packages}
    sys.meta_path.insert(0, spy)
    try:
        yield spy
    finally:
        sys.meta_path.remove(spy)
    after = {name for name in sys.modules if name.split(".")[0] in spy.packages}
    assert not spy.attempts and after == before, f"imported {sorted(set(spy.attempts) | (after - before))}"


# -- importing the module ----------------------------------------------------------------------

SPY_SCRIPT = """
import importlib, json, sys
packages = set(json.loads(sys.argv[2]))
attempts = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in packages:
            attempts.append(name)
        return None
sys.meta_path.insert(0, Spy())
import conformance.adapters
importlib.import_module(sys.argv[1])
loaded = [name for name in sys.modules if name.split(".")[0] in packages]
print(json.dumps(sorted(set(attempts) | set(loaded))))
"""


@functools.lru_cache(maxsize=None)
def imports_on_import() -> dict[str, list[str]]:
    """Adapter module -> the framework packages importing it in a fresh interpreter imports."""
    modules = sorted({cls.__module__ for cls in ADAPTERS.values()})

    def one(module):
        run = subprocess.run(
            [sys.executable, "-c", SPY_SCRIPT, module, json.dumps(FRAMEWORK_PACKAGES)],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip
        assert run.returncode == 0, f"importing {module}: {run.stderr[-2000:]}"
        return json.loads(run.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(modules, pool.map(one, modules)))


@by_name
def test_importing_the_adapter_module_imports_no_framework(name):
    cls = ADAPTERS[name]
    assert imports_on_import()[cls.__module__] == [], f"{cls.__module__} imports a framework at module level"


# -- express -----------------------------------------------------------------------------------


@by_name
def test_express_is_pure_and_deterministic_and_imports_no_framework(name):
    cls = ADAPTERS[name]
    problems = []
    for case in sample(cls.op):
        before = snapshot(case)
        try:
            with no_framework_import():
                adapter = cls()
                first, second, fresh = adapter.express(case), adapter.express(case), cls().express(case)
                answers = [outcome(first), outcome(second), outcome(fresh)]
        except Exception as err:  # noqa: BLE001 - any exception of express is a contract failure
            problems.append(f"{case.id}: express raised {type(err).__name__}: {err}")
            continue
        if not answers[0] == answers[1] == answers[2]:
            problems.append(f"{case.id}: express gave different answers: {answers}")
        if snapshot(case) != before:
            problems.append(f"{case.id}: express changed the case")
    assert not problems, "\n".join(problems)


@by_name
def test_every_unsupported_has_a_vocabulary_reason_and_a_doc(name):
    """On every corpus case of the adapter's op (express is cheap)."""
    cls = ADAPTERS[name]
    adapter = cls()
    problems = []
    for case in corpus():
        if case.op != cls.op:
            continue
        result = adapter.express(case)
        if not isinstance(result, Unsupported):
            continue
        try:
            reason_words(result.reason)
        except Exception as err:  # noqa: BLE001
            problems.append(f"{case.id}: reason {result.reason!r}: {err}")
        if not result.doc:
            problems.append(f"{case.id}: Unsupported({result.reason!r}) has no doc")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])


# -- the rendered call and the repro script ----------------------------------------------------


def imports_conformance(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "conformance" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "conformance":
            return True
    return False


def javascript_syntax_error(source: str, where: str) -> None:
    """A JavaScript adapter's text (an ES module: its program, its .mjs repro) checked by
    ``node --check`` (syntax only: no import is resolved); raises SyntaxError with node's words."""
    import shutil
    import tempfile

    if shutil.which("node") is None:
        pytest.skip("needs node to check a JavaScript adapter's program")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.mjs"
        path.write_text(source)
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SyntaxError(f"{where}: {done.stderr.strip()[-500:]}")


@by_name
def test_repro_source_and_repro_script_compile(name):
    cls = ADAPTERS[name]
    adapter = cls()
    problems, compiled = [], 0
    javascript = getattr(cls, "repro_language", "python") == "javascript"
    for case in sample(cls.op):
        call = adapter.express(case)
        if not isinstance(call, NativeCall):
            continue
        if javascript:  # an ES module reading x, w, b, dtype (node_program); its repro a .mjs file
            try:
                source = adapter.repro_source(case, call)
            except ModuleNotFoundError as err:  # the ONNX node's model is serialized when rendered
                pytest.skip(f"{name} renders its program with {err.name}, not installed here")
            try:
                javascript_syntax_error("const x = null, w = null, b = null, dtype = '';\n" + source, f"{name} on {case.id}")
                script = build_repro(
                    case, adapter, call, reference(case), framework_version="0.0",
                    why_invalid="" if case.expect != "error" else "the case is invalid",
                )  # fmt: skip
                javascript_syntax_error(script, f"the repro of {name} on {case.id}")
            except Exception as err:  # noqa: BLE001
                problems.append(f"{case.id}: {type(err).__name__}: {err}")
                continue
            compiled += 1
            if compiled >= 5:  # node --check per script: a few cases say whether the text is JavaScript
                break
            continue
        try:
            source = adapter.repro_source(case, call)
            compile(source, f"<repro_source of {name} on {case.id}>", "exec")
            script = build_repro(
                case, adapter, call, reference(case), framework_version="0.0",
                why_invalid="" if case.expect != "error" else "the case is invalid",
            )  # fmt: skip
            compile(script, f"<repro of {name} on {case.id}>", "exec")
        except Exception as err:  # noqa: BLE001
            problems.append(f"{case.id}: {type(err).__name__}: {err}")
            continue
        if imports_conformance(script):
            problems.append(f"{case.id}: the repro script imports conformance")
        compiled += 1
    assert not problems, "\n".join(problems)
    assert compiled, f"{name} expressed none of the sampled cases"


# -- identity ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def registered_names() -> list[str]:
    """Every adapter name as registered, before the registry's dict merges duplicates."""
    names = [cls.name for module in BUILTIN_MODULES for cls in import_module(module).ADAPTERS]
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        names += [cls.name for cls in (loaded if isinstance(loaded, (list, tuple)) else [loaded])]
    return names


@by_name
def test_name_is_unique_framework_known_and_docs_given(name):
    cls = ADAPTERS[name]
    assert cls.name == name
    assert registered_names().count(name) == 1, f"{name} is registered {registered_names().count(name)} times"
    assert cls.framework in frameworks()
    assert isinstance(cls.docs, str) and cls.docs.strip(), f"{name} has no docs"
    assert cls.op in ("conv", "conv_transpose")


def test_the_sample_is_varied():
    for op in ("conv", "conv_transpose"):
        chosen = sample(op)
        assert len(chosen) == CASES_PER_ADAPTER
        assert len({c.id for c in chosen}) == len(chosen)
        assert any(c.expect == "error" for c in chosen)
        assert len({features(c) for c in chosen}) >= 20
        assert {c.spatial_dims for c in chosen} >= {1, 2, 3} and len({c.dtype for c in chosen}) >= 3


def test_the_import_spy_sees_an_import_that_fails():
    """The tests env has no framework: an attempt must still count."""
    with pytest.raises(AssertionError, match="imported"), no_framework_import(), contextlib.suppress(ImportError):
        import_module(FRAMEWORK_PACKAGES[0])
