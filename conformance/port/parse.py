"""The user's call text -> (API name, positional arguments, keyword arguments).

Parsed with ``ast`` and never evaluated: arguments are Python literals, names standing for
tensors (``x``, ``w``), or a tensor-making call whose arguments are its shape
(``torch.randn(1, 16, 8, 8)``, ``np.zeros((3, 3, 8, 16))``), read as ``TensorArg``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .layer import PortError
from .signatures import NEUTRAL

# Calls whose positional ints (or one tuple/list) are a tensor's shape.
SHAPE_CALLS = ("randn", "rand", "zeros", "ones", "empty", "normal", "uniform", "random_normal", "constant")
ACCEPTED = (
    "a call such as \"torch.nn.ConvTranspose2d(16, 8, 3, stride=2)\" or"
    " \"keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')\", with literal arguments"
)


@dataclass(frozen=True, repr=False)
class TensorArg:
    """A tensor argument: its name in the text, and its shape when the text says it.
    Shown as the user wrote it (notes and errors quote the call, not this class)."""

    text: str
    shape: tuple[int, ...] | None = None

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True, repr=False)
class Expression:
    """A neutral keyword's value that is a call (``kernel_initializer=RandomNormal(0, 0.02)``):
    kept as its text, never run; only a neutral argument may be one (signatures.NEUTRAL)."""

    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ParsedCall:
    api: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    text: str


def dotted_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def argument_value(node: ast.AST, where: str):
    """A literal, a tensor name, or a shape-making call; anything else is a PortError."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted_name(node)
        if name in ("None", "True", "False"):
            return {"None": None, "True": True, "False": False}[name]
        return TensorArg(name)
    if isinstance(node, ast.Call):
        name = dotted_name(node.func) or ""
        if name.rsplit(".", 1)[-1] in SHAPE_CALLS:
            return TensorArg(ast.unparse(node), _shape_of(node, where))
        raise PortError(f"{where}: {ast.unparse(node)!r} is a call; give a literal value (the text is never run)")
    try:
        return _plain(ast.literal_eval(node))
    except (ValueError, SyntaxError, TypeError) as err:
        raise PortError(f"{where}: {ast.unparse(node)!r} is not a literal ({err}); the text is never run") from None


def _keyword_value(kw: ast.keyword, where: str, source: str):
    """A neutral argument's call (``kernel_init=normal(0.02)``) is kept as its text (it never
    changes the layer); every other argument must be a literal or a tensor."""
    try:
        return argument_value(kw.value, where)
    except PortError:
        if kw.arg in NEUTRAL and isinstance(kw.value, ast.Call):
            return Expression(ast.get_source_segment(source, kw.value) or ast.unparse(kw.value))
        raise


def _plain(value):
    """Tuples as lists, bytes as str (ONNX's auto_pad may be written b'SAME_UPPER')."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode()
    return value


def _shape_of(node: ast.Call, where: str) -> tuple[int, ...] | None:
    """``randn(1, 16, 8, 8)``, ``zeros((1, 16, 8, 8))``, ``normal(size=(...))``, ``random.normal(key, (...))``."""
    candidates = [kw.value for kw in node.keywords if kw.arg in ("size", "shape")] + list(node.args)
    ints = []
    for arg in candidates:
        try:
            value = ast.literal_eval(arg)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
            return tuple(value)
        if isinstance(value, int):
            ints.append(value)
    return tuple(ints) if ints else None


def parse_call(text: str) -> ParsedCall:
    """The call text -> ``ParsedCall``; a ``PortError`` with one line for anything else."""
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise PortError(f"CALL {text!r} is not Python ({err.msg}); expected {ACCEPTED}") from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise PortError(f"CALL {text!r} is not a call; expected {ACCEPTED}")
    api = dotted_name(call.func)
    if api is None:
        raise PortError(f"CALL {text!r}: the called thing is not a dotted name; expected {ACCEPTED}")
    if any(isinstance(a, ast.Starred) for a in call.args):
        raise PortError(f"{api}: *args cannot be read; write the arguments out")
    args = tuple(argument_value(arg, f"{api} argument {i + 1}") for i, arg in enumerate(call.args))
    kwargs = {}
    for kw in call.keywords:
        if kw.arg is None:
            raise PortError(f"{api}: **{ast.unparse(kw.value)} cannot be read; write the keyword arguments out")
        kwargs[kw.arg] = _keyword_value(kw, f"{api} argument {kw.arg}", source)
    return ParsedCall(api, args, kwargs, source)
