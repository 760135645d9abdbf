"""The diagnosis of a FAIL, and the words for every diagnosis code (the one place the report reads).

``diagnose(case, actual, reference)`` names the first hypothesis that explains a wrong
output (a flipped kernel, swapped kernel channels, transposed spatial axes, ignored
dilation, output_padding at the start, a shifted window), each computed with the oracle on
a modified case and accepted only if it passes the same bound. Last, ``subnormals-flushed``
(subnormal inputs read as zero) and ``reduced-precision``: the
output is the oracle's on inputs rounded to a narrower format (``precision``). ``accepted-invalid`` is the
diagnosis of an ``expect: error`` case the framework answered instead of refusing;
``shape-differs`` that of a shape-only adapter's wrong shape (``compare.judge_shape``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections import OrderedDict
from typing import Callable, Iterator, Optional

import numpy as np

from .bound import absolute_case, bound_from
from .oracle import InvalidConfiguration, evaluate, resolve
from .precision import flushes_subnormals, matching_format

DIAGNOSES: dict[str, str] = {
    "kernel-flipped": (
        "The framework flipped the kernel spatially: it computes a true convolution where the "
        "canonical operation is a correlation (or vice versa). The output equals the oracle's "
        "with the kernel reversed along every spatial axis."
    ),
    "kernel-in-out-swapped": (
        "The framework read the kernel's two channel axes the other way round: it used "
        "w[i, o] where the canonical layout means w[o, i] (conv: (C_out, C_in/groups, *k); "
        "conv_transpose: (C_in, C_out/groups, *k), the kernel of the conv it is the transpose "
        "of). Detected when the swapped array is still a kernel of the right shape: within each "
        "group when C_in == C_out, or across the whole array when its first two sizes are equal."
    ),
    "spatial-axes-transposed": (
        "The framework mixed up the spatial axes: its output is the oracle's with the spatial "
        "axes in another order, or it applied the per-axis parameters (stride, dilation, "
        "padding, output_padding) to the wrong axes, or it read the kernel's or the input's "
        "spatial axes in another order (e.g. H and W exchanged in a layout conversion)."
    ),
    "output-padding-at-start": (
        "The framework added the output_padding positions at the start of each axis instead "
        "of the end: its output is the canonical window moved back by output_padding."
    ),
    "dilation-ignored": (
        "The framework ignored the dilation: its output (shape included) is the oracle's for the "
        "same case with dilation 1, i.e. the kernel taps were applied next to each other."
    ),
    "window-shifted": (
        "The output is another window of the same full result: the framework split the "
        "padding between the two sides differently from the canonical rule (for example the "
        "odd position of SAME padding on the other side, or before/after exchanged)."
    ),
    "shape-differs": (
        "A shape-only adapter (a shape-inference pass, which computes no values) inferred "
        "another output shape than the canonical one. Without values no hypothesis about a "
        "mistake can be tested; the case's value-computing columns of the same model show "
        "what the runtimes make of it."
    ),
    "accepted-invalid": (
        "The case is invalid in canonical terms (expect: error) and the framework returned an "
        "output instead of refusing it."
    ),
    "subnormals-flushed": (
        "The framework read subnormal inputs as zero (denormals-are-zero / flush-to-zero, the CPU "
        "flags TensorFlow's and oneDNN's threads set for speed): its output is the oracle's with "
        "every input below the dtype's smallest normal set to 0. Tried after every geometry "
        "hypothesis, before reduced-precision."
    ),
    "reduced-precision": (
        "The framework computed below the case's dtype: its output is the oracle's on the inputs "
        "rounded to a narrower format (float32 as float16, TF32 or bfloat16; float16 as bfloat16; "
        "float64 as float32), within that format's own bound - a reduced-precision kernel or mode "
        "(oneDNN's fpmath modes, TF32 tensor cores, a float64 request computed in float32). "
        "Tried after every geometry hypothesis; see conformance/precision.py."
    ),
    "unexplained": (
        "None of the known mistakes (flipped kernel, swapped kernel channels, transposed "
        "spatial axes, ignored dilation, output_padding at the start, shifted window) "
        "reproduces the output: "
        "the difference needs a closer look."
    ),
}

_WINDOW_CODE = re.compile(r"^window-shifted\((-?\d+(?:,-?\d+)*)\)$")
_AXIS_NAMES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}

# The window search tries offsets up to this many positions per axis (and at most the
# effective kernel size): a padding misplacement larger than the kernel is not a split.
MAX_WINDOW_OFFSET = 8


def window_code(offsets) -> str:
    """``window-shifted(dy,dx)``: per spatial axis, framework's padding-before minus canonical."""
    return "window-shifted(" + ",".join(str(int(d)) for d in offsets) + ")"


def is_diagnosis(code: str) -> bool:
    """Whether ``code`` is a diagnosis the suite gives (``window-shifted(...)`` with offsets)."""
    return code in DIAGNOSES or bool(_WINDOW_CODE.match(code or ""))


def known_codes() -> str:
    return ", ".join([*(c for c in DIAGNOSES if c != "window-shifted"), "window-shifted(d,...)"])


def explain(code: str) -> str:
    """Plain words for a diagnosis code, the parametrised ``window-shifted(...)`` included."""
    if code in DIAGNOSES:
        return DIAGNOSES[code]
    match = _WINDOW_CODE.match(code or "")
    if not match:
        raise KeyError(f"unknown diagnosis code {code!r}; known: {', '.join(DIAGNOSES)}, window-shifted(d,...)")
    offsets = [int(d) for d in match.group(1).split(",")]
    names = _AXIS_NAMES.get(len(offsets), tuple(f"axis {i}" for i in range(len(offsets))))
    moves = []
    for name, d in zip(names, offsets):
        if d:
            positions = f"{abs(d)} {'more' if d > 0 else 'fewer'} padding position{'s' if abs(d) != 1 else ''}"
            moves.append(f"along {name} it put {positions} at the start than the canonical rule")
    if not moves:
        return (
            "The output starts where the canonical window starts but has another size: the "
            "framework disagrees on the padding or output_padding at the end of an axis."
        )
    return (
        "The output is another window of the same full result, the padding split differently "
        "between the two sides: " + "; ".join(moves) + ". (For conv the padding adds zeros to the "
        "input; for conv_transpose it crops the full result, so more at the start moves the "
        "output window later.)"
    )


# A hypothesis: its code and a thunk giving (value, magnitude) of the output it predicts, or
# None when the modified case is not a valid configuration.
Candidate = tuple[str, Callable[[], Optional[tuple[np.ndarray, np.ndarray]]]]


def diagnose(case, actual, reference, reference_abs: Optional[np.ndarray] = None) -> str:
    """The first hypothesis whose output passes the case's bound against ``actual``.

    Every hypothesis is per batch sample, so a batched case is searched on its first
    sample and the finding then confirmed on the whole batch.
    """
    actual = np.asarray(actual, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    # No hypothesis changes the batch or channel counts.
    if actual.ndim != reference.ndim or actual.shape[:2] != reference.shape[:2]:
        return "unexplained"
    if reference_abs is None:
        reference_abs = evaluate(absolute_case(case))
    if case.x.shape[0] > 1:
        sample = dataclasses.replace(case, x=case.x[:1])
        code = _search(sample, actual[:1], reference[:1], reference_abs[:1])
        if code == "unexplained":
            return code
        if _search(case, actual, reference, reference_abs, only=code) == code:
            return code
        # The first sample was misleading (e.g. all zeros): search the whole batch.
    return _search(case, actual, reference, reference_abs)


def _search(case, actual, reference, reference_abs, only: Optional[str] = None) -> str:
    for code, predict in _candidates(case, actual, reference, reference_abs):
        if only is not None and code != only:
            continue
        predicted = predict()
        if predicted is not None and _matches(case, actual, *predicted):
            return code
    if only in (None, "subnormals-flushed") and flushes_subnormals(case, actual):
        return "subnormals-flushed"
    if only in (None, "reduced-precision") and matching_format(case, actual, reference) is not None:
        return "reduced-precision"
    return "unexplained"


def _matches(case, actual, value, magnitude) -> bool:
    if value.shape != actual.shape:
        return False
    bound = bound_from(case, magnitude, value)
    # NaN compares False, so a non-finite output never matches a finite prediction.
    return bool(np.all(np.abs(actual - value) <= case.tolerance_factor * bound))


def _candidates(case, actual, reference, reference_abs) -> Iterator[Candidate]:
    """The hypotheses in the SPEC's order; output-padding-at-start comes before the
    window search because it is one particular window (offset -output_padding), and the
    more specific name is the more useful one."""
    yield from _flipped(case)
    yield from _swapped(case)
    yield from _transposed(case, reference, reference_abs)
    yield from _dilation_ignored(case)
    windows = _Windows(case, actual.shape[2:])
    yield from _output_padding_at_start(case, windows)
    yield from windows.candidates(include_zero=actual.shape != reference.shape)


def _oracle_pair(case) -> Optional[tuple[np.ndarray, np.ndarray]]:
    try:
        return PAIR_MEMO.pair(case)
    except InvalidConfiguration:
        return None


def oracle_fingerprint(case) -> bytes:
    """A digest of everything ``oracle.evaluate`` reads of a case: op, geometry, groups and
    the bytes, dtype and shape of x, w and b (and the id, for its error messages)."""
    digest = hashlib.blake2b(digest_size=20)
    fields = (case.id, case.op, case.stride, case.dilation, case.padding, case.output_padding, case.output_shape, case.groups)
    digest.update(repr(fields).encode())
    for array in (case.x, case.w, case.b):
        if array is None:
            digest.update(b"none")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.view(np.uint8).reshape(-1))
    return digest.digest()


class PairMemo:
    """The oracle's (value, |x| (op) |w|) of the cases the hypotheses modify, by content.

    A case runs on every adapter of a framework one after the other, and the hypotheses a
    FAIL tries (the flipped kernel, the window base...) depend on the case alone: two
    oracle runs each, once per case instead of once per failing adapter (paddle's four
    conv_transpose adapters searched the same 64-sample window base four times). Keyed on
    a digest of every input of the oracle (``oracle_fingerprint``), so a changed case
    never reads another's arrays; the arrays are read-only, the oldest dropped beyond
    ``max_bytes``. A case the oracle refuses is not kept (it raises again, at once).
    """

    def __init__(self, max_bytes: int = 128 << 20):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0

    def pair(self, case) -> tuple[np.ndarray, np.ndarray]:
        key = oracle_fingerprint(case)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = (evaluate(case), evaluate(absolute_case(case)))
        size = sum(array.nbytes for array in entry)
        for array in entry:
            array.flags.writeable = False
        if size <= self.max_bytes:
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= sum(array.nbytes for array in dropped)
        return entry


PAIR_MEMO = PairMemo()


def _spatial(array_ndim: int) -> tuple[int, ...]:
    return tuple(range(2, array_ndim))


def _flipped(case) -> Iterator[Candidate]:
    flipped = np.flip(case.w, axis=_spatial(case.w.ndim))
    yield "kernel-flipped", lambda: _oracle_pair(dataclasses.replace(case, w=np.ascontiguousarray(flipped)))


def _dilation_ignored(case) -> Iterator[Candidate]:
    """Not one of SPEC.md's candidates: OpenCV's Caffe Deconvolution drops the dilation."""
    if any(d > 1 for d in case.dilation):
        undilated = dataclasses.replace(case, dilation=(1,) * len(case.dilation))
        yield "dilation-ignored", lambda: _oracle_pair(undilated)


def swapped_kernels(case) -> list[np.ndarray]:
    """The kernel with its channel axes exchanged, in the forms that still fit the case.

    1. Within each group: the kernel viewed as (g, A, B, *k) becomes (g, B, A, *k) and is
       reshaped back; its shape is unchanged exactly when C_in == C_out. With groups=1
       this is the plain exchange of axes 0 and 1.
    2. Across the whole array (groups > 1 only): axes 0 and 1 exchanged, as a layout
       conversion that ignores groups does; it fits when w.shape[0] == w.shape[1]
       (conv_transpose: C_in == C_out/groups).
    """
    w, g = case.w, case.groups
    a, b, k = w.shape[0], w.shape[1], w.shape[2:]
    found = []
    per_group = np.swapaxes(w.reshape(g, a // g, b, *k), 1, 2).reshape(g * b, a // g, *k)
    if per_group.shape == w.shape:
        found.append(np.ascontiguousarray(per_group))
    if g > 1 and a == b:
        found.append(np.ascontiguousarray(np.swapaxes(w, 0, 1)))
    return found


def _swapped(case) -> Iterator[Candidate]:
    for kernel in swapped_kernels(case):
        yield "kernel-in-out-swapped", lambda kernel=kernel: _oracle_pair(dataclasses.replace(case, w=kernel))


def _transposed(case, reference, reference_abs) -> Iterator[Candidate]:
    """Per non-identity order of the spatial axes: the output permuted; the per-axis
    parameters applied to permuted axes (the same as computing on spatially transposed x
    and w and transposing back); the kernel's, then the input's spatial axes permuted."""
    dims = case.spatial_dims
    code = "spatial-axes-transposed"
    for order in itertools.permutations(range(dims)):
        if order == tuple(range(dims)):
            continue
        axes = (0, 1) + tuple(2 + i for i in order)
        yield code, lambda axes=axes: (reference.transpose(axes), reference_abs.transpose(axes))
        permuted_params = _permute_parameters(case, order)
        if permuted_params is not None:
            yield code, lambda c=permuted_params: _oracle_pair(c)
        yield code, lambda axes=axes: _oracle_pair(dataclasses.replace(case, w=_permuted(case.w, axes)))
        yield code, lambda axes=axes: _oracle_pair(dataclasses.replace(case, x=_permuted(case.x, axes)))


def _permuted(array: np.ndarray, axes) -> np.ndarray:
    return np.ascontiguousarray(array.transpose(axes))


def _permute_parameters(case, order):
    """The case with every per-axis parameter taken in ``order``; None if nothing changes."""

    def take(values):
        return None if values is None else tuple(values[i] for i in order)

    padding = case.padding if isinstance(case.padding, str) else take(case.padding)
    changed = dataclasses.replace(
        case,
        stride=take(case.stride),
        dilation=take(case.dilation),
        padding=padding,
        output_padding=take(case.output_padding),
        output_shape=take(case.output_shape),
    )
    same = all(
        getattr(changed, name) == getattr(case, name)
        for name in ("stride", "dilation", "padding", "output_padding", "output_shape")
    )
    return None if same else changed


def _output_padding_at_start(case, windows: "_Windows") -> Iterator[Candidate]:
    """conv_transpose: the positions appended at the end (output_padding, or an output_shape
    beyond the full result) put at the start instead, i.e. the window moved back by them."""
    if case.op != "conv_transpose":
        return
    appended = [a.output_padding or max(0, a.before + a.out - a.full) for a in resolve(case)]
    if any(appended):
        yield "output-padding-at-start", lambda: windows.window([-p for p in appended])


class _Windows:
    """Windows of the oracle's unpadded result, offset by d per axis from the canonical one.

    ``d`` is the framework's padding-before minus the canonical padding-before. For
    conv_transpose the padding crops the full scatter result, ``y_d[j] = full[j + before + d]``
    (zero outside the full result); for conv it adds zeros before the input,
    ``y_d[p] = sum_t x[p*s + t*dil - (before + d)]``, read from the stride-1 correlation
    of a zero-margined input. The base result is computed once, on first use.
    """

    def __init__(self, case, out_spatial):
        self.case = case
        self.out_spatial = tuple(int(o) for o in out_spatial)
        self.axes = resolve(case)
        self.radius = tuple(min(a.effective_kernel, MAX_WINDOW_OFFSET) for a in self.axes)
        self._base = None

    def candidates(self, include_zero: bool) -> Iterator[Candidate]:
        ranges = [range(-r, r + 1) for r in self.radius]
        offsets = sorted(itertools.product(*ranges), key=lambda d: (sum(map(abs, d)), max(map(abs, d)), d))
        for d in offsets:
            if not include_zero and not any(d):
                continue
            yield window_code(d), lambda d=d: self.window(d)

    def window(self, offsets) -> Optional[tuple[np.ndarray, np.ndarray]]:
        if any(abs(d) > r for d, r in zip(offsets, self.radius)):
            return None
        value, magnitude, margins = self._base_result()
        if self.case.op == "conv_transpose":
            starts = [a.before + d + m for a, d, m in zip(self.axes, offsets, margins)]
            steps = [1] * len(self.axes)
        else:
            starts = [m - (a.before + d) for a, d, m in zip(self.axes, offsets, margins)]
            steps = [a.stride for a in self.axes]
        index = (slice(None), slice(None)) + tuple(
            slice(start, start + (out - 1) * step + 1, step)
            for start, out, step in zip(starts, self.out_spatial, steps)
        )
        b = self.case.b
        return _add_bias(value[index], b), _add_bias(magnitude[index], None if b is None else np.abs(b))

    def _base_result(self):
        if self._base is None:
            case, axes, r, outs = self.case, self.axes, self.radius, self.out_spatial
            dims = case.spatial_dims
            if case.op == "conv_transpose":
                margins = [max(0, ri - a.before, o + a.before + ri - a.full) for a, ri, o in zip(axes, r, outs)]
                base = dataclasses.replace(
                    case, b=None, padding=((0, 0),) * dims, output_padding=(0,) * dims, output_shape=None
                )
                value, magnitude = PAIR_MEMO.pair(base)
                pad = [(0, 0), (0, 0)] + [(m, m) for m in margins]
                value, magnitude = np.pad(value, pad), np.pad(magnitude, pad)
            else:
                margins = [
                    max(0, a.before + ri, (o - 1) * a.stride - a.before + ri - a.length + a.effective_kernel)
                    for a, ri, o in zip(axes, r, outs)
                ]
                x = np.pad(case.x, [(0, 0), (0, 0)] + [(m, m) for m in margins])
                base = dataclasses.replace(case, x=x, b=None, stride=(1,) * dims, padding=((0, 0),) * dims)
                value, magnitude = PAIR_MEMO.pair(base)
            self._base = (value, magnitude, margins)
        return self._base


def _add_bias(array: np.ndarray, b) -> np.ndarray:
    # Bias is added to every output position, the appended ones included.
    if b is None:
        return array
    return array + b.reshape((1, -1) + (1,) * (array.ndim - 2))
