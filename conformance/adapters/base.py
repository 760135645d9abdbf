"""The adapter contract: one class per framework API surface.

Rules (after einops' backends):
1. An adapter module never imports its framework at module level; ``execute`` does.
2. ``express`` is pure: canonical case -> the API's own parameters, or ``Unsupported`` with
   the documented reason. It never emulates (no manual padding, no output cropping) and
   never clamps a parameter.
3. The adapter renders the expressed call once, as Python text (``repro_source``): the run
   executes that text (``run_rendered_call``) and the repro script embeds it, so what runs
   and what a user reproduces are one source. The text leaves the output in the canonical
   layout as ``y``.
"""

from __future__ import annotations

import abc
import contextlib
import importlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..case import Case
from ..vocabulary import reason_words

# Set on an exception that left ``framework_call()``: the framework raised it.
RAISED_BY_FRAMEWORK = "_conformance_raised_by_framework"
# The file name the rendered call runs under: a traceback shows it, and an error of the
# code itself raised there (a NameError, a missing key) is the adapter's, not the framework's.
RENDERED_CALL_FILE = "<rendered call of {name}>"


@contextlib.contextmanager
def framework_call():
    """Wrap the framework's own call: an exception leaving it is the framework's answer.

    The runner counts a refusal only when the framework raised it (this block, an
    exception type of the framework's modules, or a traceback through them); anything
    else the adapter's code raised is a harness error, never PASS and never expected.
    """
    try:
        yield
    except Exception as err:
        try:
            setattr(err, RAISED_BY_FRAMEWORK, True)
        except (AttributeError, TypeError):  # an exception type without a __dict__
            pass
        raise


@dataclass(frozen=True)
class Unsupported:
    """The API cannot express this case.

    ``reason`` is a code of the fixed vocabulary (``conformance.vocabulary``: e.g.
    ``asymmetric-padding``, ``groups``, ``rank:3``), shared by every case with the same
    cause (the report groups by it and shows its words); ``detail`` is case-specific;
    ``doc`` points at the API documentation that says so. Any other reason is refused
    here, so an adapter cannot invent one.
    """

    reason: str
    detail: str = ""
    doc: str = ""

    def __post_init__(self):
        reason_words(self.reason)  # raises UnknownReason

    def __str__(self) -> str:
        return self.reason + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class NativeCall:
    """What the adapter will call: the API, its keyword arguments and the layouts.

    ``kwargs`` holds plain JSON-able values exactly as passed to the API, so the report
    can show them and a repro script can print them.
    """

    api: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    input_layout: str = ""
    kernel_layout: str = ""
    note: str = ""

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        layouts = f"  # x: {self.input_layout}, kernel: {self.kernel_layout}" if self.input_layout else ""
        return f"{self.api}({args}){layouts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "kwargs": self.kwargs,
            "input_layout": self.input_layout,
            "kernel_layout": self.kernel_layout,
            "note": self.note,
            "text": self.describe(),
        }


class Adapter(abc.ABC):
    """One API surface of one framework.

    Subclasses set the class attributes and implement ``translate``, ``execute`` and
    ``repro_source``. ``express`` does the capability checks common to all adapters
    first (op, spatial dims, dtype) so ``translate`` only handles parameters.
    """

    name: ClassVar[str]  # e.g. "torch.nn.functional.conv_transpose"
    framework: ClassVar[str]  # the tox environment / --framework value: "torch", "tensorflow", "mxnet"
    module: ClassVar[str]  # the import whose version is reported, e.g. "torch"
    # For repro scripts' install line: the PyPI distribution whose version is ``module``'s
    # (None: the module's own name) and what else the API needs (e.g. "onnx" beside onnxruntime).
    pip_package: ClassVar[str | None] = None
    pip_extras: ClassVar[tuple[str, ...]] = ()
    op: ClassVar[str]  # "conv" | "conv_transpose": the adapter is collected for these cases only
    spatial_dims: ClassVar[frozenset[int]] = frozenset({1, 2, 3})
    dtypes: ClassVar[frozenset[str]] = frozenset({"float64", "float32", "float16", "bfloat16"})
    # Why a dtype is missing, e.g. {"float16": "CPU kernels are float32/64 only"}.
    dtype_reasons: ClassVar[dict[str, str]] = {}
    device: str = "cpu"
    # The tox label whose run covers the adapter: "conformance" (the main job). A path too
    # heavy for the main job would name a label of its own that CI still runs (the compiler
    # paths had one, `compilers`, until the main job with them fitted CI's time).
    run_label: ClassVar[str] = "conformance"
    docs: ClassVar[str] = ""  # the API's documentation address, shown in the report
    # "api": one call of the framework's API, as a user makes it. "recipe": a composition
    # of calls that computes the operation another way (e.g. conv_transpose as a conv of
    # the stride-dilated input with the flipped kernel); the report shows recipes apart, so
    # no column pretends to be an API it is not.
    kind: ClassVar[str] = "api"
    # What the adapter's answer is judged on. "values": the rendered call leaves the output
    # array as ``y``. "shape": a shape-only adapter (a shape-inference pass that computes
    # no values) leaves the output's shape as ``y``, a sequence of ints in the canonical
    # layout's order; only that shape is compared with the oracle's.
    judges: ClassVar[str] = "values"
    # The top-level packages whose exceptions are the framework's answer (default: the
    # package of ``module``): a traceback through them, or an exception type defined there.
    framework_modules: ClassVar[tuple[str, ...]] = ()

    # -- identity -------------------------------------------------------------
    @classmethod
    def framework_version(cls) -> str:
        """The framework's version; imports it (raises ImportError when absent)."""
        mod = importlib.import_module(cls.module)
        return str(getattr(mod, "__version__", "unknown"))

    @classmethod
    def install_line(cls, version: str | None) -> str | None:
        """The repro script's install command when it is not ``pip install`` of the module's
        distribution (e.g. npm packages run by node); None: the pip line."""
        return None

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """What the framework reports of its build and kernel choice, for run properties
        (e.g. ``{"onednn": True}``); imports the framework. Override per framework."""
        return {}

    @classmethod
    def raising_packages(cls) -> tuple[str, ...]:
        return cls.framework_modules or (cls.module.split(".")[0],)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """(importable here, version or the import error)."""
        try:
            return True, cls.framework_version()
        except Exception as err:  # an absent or broken framework must not break listing
            return False, f"{type(err).__name__}: {err}"

    def applies_to(self, case: Case) -> bool:
        """Whether this adapter is collected for the case at all (its op)."""
        return case.op == self.op

    # -- the case -> call mapping ---------------------------------------------
    def express(self, case: Case) -> NativeCall | Unsupported:
        if case.spatial_dims not in self.spatial_dims:
            dims = ", ".join(map(str, sorted(self.spatial_dims)))
            return Unsupported(f"rank:{case.spatial_dims}", f"the API covers {dims} spatial dims", self.docs)
        if case.dtype not in self.dtypes:
            return Unsupported(f"dtype:{case.dtype}", self.dtype_reasons.get(case.dtype, ""), self.docs)
        return self.translate(case)

    @abc.abstractmethod
    def translate(self, case: Case) -> NativeCall | Unsupported:
        """Canonical parameters -> the API's parameters (pure, no framework import)."""
        raise NotImplementedError  # abstract

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        """Run the call on the case's tensors (cast to case.dtype); canonical layout, float64.

        By default this runs ``repro_source`` itself: the rendered call is the one source of
        both the run and the repro script, so the two cannot drift apart.
        """
        return run_rendered_call(self, case, call)

    @abc.abstractmethod
    def repro_source(self, case: Case, call: NativeCall) -> str:
        """Python lines using only the framework and numpy.

        They read numpy arrays ``x``, ``w`` and ``b`` (canonical layout, float64, ``b``
        may be None) and the string ``dtype``, and leave the output in canonical layout
        as a numpy array named ``y`` (a shape-only adapter, ``judges = "shape"``: the
        output's shape). The repro builder wraps them into a script.
        """
        raise NotImplementedError  # abstract

    def __repr__(self) -> str:
        return f"<adapter {self.name}>"


def run_rendered_call(adapter: Adapter, case: Case, call: NativeCall) -> np.ndarray:
    """Execute ``adapter.repro_source(case, call)`` on the case's tensors, as the repro
    script does (``np``; ``x``, ``w``, ``b`` float64 in the canonical layout; ``dtype`` the
    case's name), and return its ``y`` as float64. The whole rendered text is the framework's call:
    what it raises is the framework's answer, except errors of the text itself
    (``executor_child.raised_by_framework``)."""
    source = adapter.repro_source(case, call)
    code = compile(source, RENDERED_CALL_FILE.format(name=adapter.name), "exec")
    namespace = {
        "__name__": "__rendered_call__",
        "np": np,  # the repro script imports numpy as np before the rendered call
        "x": np.array(case.x, dtype=np.float64),
        "w": np.array(case.w, dtype=np.float64),
        "b": None if case.b is None else np.array(case.b, dtype=np.float64),
        "dtype": case.dtype,
    }
    with framework_call():
        exec(code, namespace)  # noqa: S102 - the adapter's own rendering, never user input
    return np.asarray(namespace["y"], dtype=np.float64)
