"""The in-memory form of one case: canonical parameters and materialised tensors.

Every consumer (oracle, comparison, adapters, runner, report, fuzz) reads this one type.
The loader (``conformance.loader``) builds it from YAML; tests and the fuzzer build it with
``Case.make``. Parameters are normalised to one tuple entry per spatial dim, so nobody
downstream parses the YAML shorthands again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Union

import numpy as np

from .dtypes import round_to_dtype

PADDING_MODES = ("same", "same_lower", "valid")
OPS = ("conv", "conv_transpose")
# What a case can judge (``check:``): the forward output and the backward's gradients.
QUANTITIES = ("output", "grad_input", "grad_weight", "grad_bias")

# 'same' | 'same_lower' | 'valid', or one (before, after) pair per spatial dim.
Padding = Union[str, tuple[tuple[int, int], ...]]


@dataclass(frozen=True, eq=False)
class Case:
    """One operation on concrete tensors, in canonical (channels-first) terms.

    Arrays are float64 holding values already rounded to ``dtype``: the oracle computes
    from exactly what the framework receives. Layouts: ``x`` is (N, C_in, *spatial);
    ``w`` is (C_out, C_in/groups, *k) for conv and (C_in, C_out/groups, *k) for
    conv_transpose (the kernel array of the conv it is the transpose of).

    Invalid configurations (``expect == 'error'``) are representable: a zero stride or a
    negative padding stays as written so adapters pass it to the framework unchanged.
    """

    id: str
    op: str
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None = None
    stride: tuple[int, ...] = ()
    dilation: tuple[int, ...] = ()
    padding: Padding = ()
    output_padding: tuple[int, ...] = ()
    output_shape: tuple[int, ...] | None = None
    groups: int = 1
    dtype: str = "float32"
    expect: str = "ok"
    expected: np.ndarray | None = None
    tolerance_factor: float = 1.0
    # The quantities judged (SPEC "Gradients"); grad_output is the upstream gradient, of the
    # output's shape, rounded to dtype; set when a gradient is checked.
    check: tuple[str, ...] = ("output",)
    grad_output: np.ndarray | None = None
    description: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    file: str = "<memory>"
    line: int = 0
    # The case's YAML mapping after defaults and sweep: what the report and fuzz print.
    spec: Mapping[str, Any] = field(default_factory=dict)

    @property
    def spatial_dims(self) -> int:
        return self.x.ndim - 2

    @property
    def padding_mode(self) -> str | None:
        """'same', 'same_lower', 'valid', or None for explicit padding."""
        return self.padding if isinstance(self.padding, str) else None

    @property
    def explicit_padding(self) -> tuple[tuple[int, int], ...] | None:
        return None if isinstance(self.padding, str) else self.padding

    @property
    def kernel_spatial(self) -> tuple[int, ...]:
        return tuple(self.w.shape[2:])

    @property
    def in_channels(self) -> int:
        return self.x.shape[1]

    @property
    def out_channels(self) -> int:
        """C_out as the canonical kernel layout implies it."""
        if self.op == "conv":
            return self.w.shape[0]
        return self.w.shape[1] * self.groups

    def judging(self, quantity: str) -> "Case":
        """The case as one test item judges it: ``check`` is that one quantity, so an
        adapter (which receives the case) knows what to compute."""
        if quantity not in self.check:
            raise ValueError(f"case {self.id!r} does not check {quantity!r} (check: {list(self.check)})")
        return dataclasses.replace(self, check=(quantity,))

    @property
    def quantity(self) -> str:
        """The one quantity a ``judging`` case asks for ('output' for a plain forward case)."""
        return self.check[0] if len(self.check) == 1 else "output"

    def params(self) -> dict[str, Any]:
        """The canonical parameters as plain JSON-able data (for results and reports)."""
        return {
            "op": self.op,
            "dtype": self.dtype,
            "input_shape": list(self.x.shape),
            "kernel_shape": list(self.w.shape),
            "bias": self.b is not None,
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "padding": self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding],
            "output_padding": list(self.output_padding),
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "groups": self.groups,
            "expect": self.expect,
        }

    def __repr__(self) -> str:  # short: pytest and error messages print it
        p = self.params()
        return (
            f"Case({self.id!r}, {self.op}, x{tuple(self.x.shape)}, w{tuple(self.w.shape)}, "
            f"stride={p['stride']}, dilation={p['dilation']}, padding={p['padding']}, "
            f"output_padding={p['output_padding']}, output_shape={p['output_shape']}, "
            f"groups={self.groups}, dtype={self.dtype})"
        )

    @classmethod
    def make(
        cls,
        id: str,
        op: str,
        x,
        w,
        b=None,
        *,
        stride=1,
        dilation=1,
        padding=0,
        output_padding=0,
        output_shape=None,
        groups: int = 1,
        dtype: str = "float32",
        **extra,
    ) -> "Case":
        """Build a case from arrays and the YAML shorthands (ints broadcast per dim).

        For tests and the fuzzer; values are rounded to ``dtype`` as the loader does.
        """
        x = round_to_dtype(np.asarray(x, dtype=np.float64), dtype)
        w = round_to_dtype(np.asarray(w, dtype=np.float64), dtype)
        b = None if b is None else round_to_dtype(np.asarray(b, dtype=np.float64), dtype)
        if extra.get("grad_output") is not None:
            extra["grad_output"] = round_to_dtype(np.asarray(extra["grad_output"], dtype=np.float64), dtype)
        if "check" in extra:
            extra["check"] = tuple(extra["check"])
        dims = x.ndim - 2
        return cls(
            id=id,
            op=op,
            x=x,
            w=w,
            b=b,
            stride=per_dim(stride, dims),
            dilation=per_dim(dilation, dims),
            padding=normalise_padding(padding, dims),
            output_padding=per_dim(output_padding, dims),
            output_shape=None if output_shape is None else per_dim(output_shape, dims),
            groups=groups,
            dtype=dtype,
            **extra,
        )


def per_dim(value, dims: int) -> tuple[int, ...]:
    """An int broadcast to every spatial dim, or a list with one int per dim."""
    if isinstance(value, (list, tuple)):
        if len(value) != dims:
            raise ValueError(f"expected {dims} values, one per spatial dim (got {list(value)})")
        return tuple(int(v) for v in value)
    return (int(value),) * dims


def normalise_padding(value, dims: int) -> Padding:
    """The SPEC's padding forms -> a mode string or one (before, after) pair per dim."""
    if isinstance(value, str):
        if value not in PADDING_MODES:
            raise ValueError(f"padding mode must be one of {', '.join(PADDING_MODES)} (got {value!r})")
        return value
    if isinstance(value, (list, tuple)):
        if len(value) != dims:
            raise ValueError(f"expected {dims} padding entries, one per spatial dim (got {list(value)})")
        pairs = []
        for entry in value:
            if isinstance(entry, (list, tuple)):
                if len(entry) != 2:
                    raise ValueError(f"a padding pair is [before, after] (got {list(entry)})")
                pairs.append((int(entry[0]), int(entry[1])))
            else:
                pairs.append((int(entry), int(entry)))
        return tuple(pairs)
    return tuple((int(value), int(value)) for _ in range(dims))
