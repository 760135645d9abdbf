"""The diagnosis of a wrong gradient: the forward's kernel hypotheses, carried through the backward.

A framework whose forward flips the kernel, reads its channel axes the other way round or
permutes the spatial axes has a backward that follows: its grad_input (and grad_bias) is
the oracle's gradient of the case with the kernel so modified, and its grad_weight, the
gradient w.r.t. the array it was given, is the oracle's grad_weight with the same
modification applied (the gradient does not depend on the kernel's values, and each
modification is its own inverse). A backward kernel that flips or swaps only the kernel
gradient (its own bug, the forward right) gives the same grad_weight prediction. The codes
and their words are ``diagnosis.DIAGNOSES``'; each prediction is accepted only within the
quantity's own bound, as the forward's are.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Optional

import numpy as np

from .bound import bound_from, oracle_quantity
from .diagnosis import swapped_kernels, window_code
from .oracle import InvalidConfiguration, resolve

# Window offsets tried per spatial axis (the forward's search goes further; a gradient
# case is small and each candidate is three oracle runs).
MAX_GRADIENT_WINDOW_OFFSET = 2

Prediction = Callable[[], Optional[tuple[np.ndarray, np.ndarray]]]


def diagnose_quantity(case, quantity: str, actual, reference, reference_abs=None) -> str:
    """The first hypothesis whose predicted ``quantity`` passes its bound against ``actual``."""
    actual = np.asarray(actual, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if reference_abs is None:
        reference_abs = oracle_quantity(case, quantity, absolute=True)
    for code, predict in _candidates(case, quantity, reference, reference_abs):
        predicted = predict()
        if predicted is not None and _matches(case, quantity, actual, *predicted):
            return code
    return "unexplained"


def _matches(case, quantity, actual, value, magnitude) -> bool:
    if value.shape != actual.shape:
        return False
    bound = bound_from(case, magnitude, value, quantity)
    return bool(np.all(np.abs(actual - value) <= case.tolerance_factor * bound))


def _pair(case, quantity) -> Optional[tuple[np.ndarray, np.ndarray]]:
    try:
        return oracle_quantity(case, quantity), oracle_quantity(case, quantity, absolute=True)
    except (InvalidConfiguration, ValueError):
        return None


def _candidates(case, quantity, reference, reference_abs) -> Iterator[tuple[str, Prediction]]:
    spatial = tuple(range(2, case.w.ndim))
    # kernel-flipped
    if quantity == "grad_weight":
        yield "kernel-flipped", lambda: (np.flip(reference, spatial), np.flip(reference_abs, spatial))
    else:
        flipped = np.ascontiguousarray(np.flip(case.w, spatial))
        yield "kernel-flipped", lambda: _pair(dataclasses.replace(case, w=flipped), quantity)
    # kernel-in-out-swapped: the same swaps the forward's diagnosis tries.
    if quantity == "grad_weight":
        as_kernel = dataclasses.replace(case, w=reference)
        as_kernel_abs = dataclasses.replace(case, w=reference_abs)
        for swapped, swapped_abs in zip(swapped_kernels(as_kernel), swapped_kernels(as_kernel_abs)):
            yield "kernel-in-out-swapped", lambda s=swapped, a=swapped_abs: (s, a)
    else:
        for kernel in swapped_kernels(case):
            yield "kernel-in-out-swapped", lambda k=kernel: _pair(dataclasses.replace(case, w=k), quantity)
    yield from _windows(case, quantity)
    # spatial-axes-transposed: the gradient with its spatial axes in another order.
    if quantity in ("grad_input", "grad_weight"):
        dims = case.spatial_dims
        for order in itertools.permutations(range(dims)):
            if order != tuple(range(dims)):
                axes = (0, 1) + tuple(2 + i for i in order)
                yield "spatial-axes-transposed", lambda axes=axes: (reference.transpose(axes), reference_abs.transpose(axes))


def _windows(case, quantity) -> Iterator[tuple[str, Prediction]]:
    """window-shifted(d, ...): the gradient of a forward that splits the padding otherwise,
    ``before + d`` per axis with the output size kept (conv: the padded length kept;
    conv_transpose: explicit crops with output_shape pinned to the output's sizes)."""
    try:
        axes = resolve(case)
    except InvalidConfiguration:
        return
    span = range(-MAX_GRADIENT_WINDOW_OFFSET, MAX_GRADIENT_WINDOW_OFFSET + 1)
    for offsets in itertools.product(span, repeat=len(axes)):
        if not any(offsets):
            continue
        pairs = []
        for d, a in zip(offsets, axes):
            before = a.before + d
            after = a.after - d if case.op == "conv" else max(0, a.full - before - a.out)
            if before < 0 or after < 0:
                break
            pairs.append((before, after))
        else:
            extra = {} if case.op == "conv" else {
                "output_shape": tuple(a.out for a in axes), "output_padding": (0,) * len(axes)
            }
            shifted = dataclasses.replace(case, padding=tuple(pairs), **extra)
            yield window_code(offsets), lambda c=shifted: _pair(c, quantity)
