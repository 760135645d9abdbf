"""The Hypothesis strategy for the configuration space: valid case specs, as YAML mappings.

A generated example is a case *spec* (the mapping a case file holds, tensors as seeded
``random`` generators), so the case that disagreed is written back as YAML exactly, and
loading that YAML rebuilds the identical ``Case``. The space: both ops, 1-3 spatial dims,
lengths 1-6, kernels 1-4, strides and dilations 1-3, explicit (per-side) padding or a
mode, output_padding or output_shape, groups (1 / grouped / depthwise), bias, batch 1-2,
the chosen dtypes, integer or normal values. Draw orders go from coarse to fine and every
draw shrinks toward the plainest value (1D, no groups, explicit zero padding, no bias).
Geometry is drawn valid by construction (lengths and crops bounded by what the kernel
needs) so almost nothing is rejected; ``loader.build_case`` still checks every spec.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ..loader.build import build_case
from ..loader.errors import CaseProblem

DEFAULT_DTYPES = ("float32", "float64")
PADDING_FORMS = ("explicit", "same", "same_lower", "valid")
# Ungrouped three times out of five: many APIs have no groups, and the rest still get plenty.
GROUP_KINDS = ("1", "1", "1", "grouped", "depthwise")
DISTRIBUTIONS = ("integers", "normal")
MAX_LENGTH = 6
MAX_KERNEL = 4
MAX_STRIDE = 3
MAX_DILATION = 3
MAX_CROP = 3
MAX_SEED = 9999


@st.composite
def channels(draw) -> tuple[int, int, int]:
    """(C_in, C_out, groups): one group, grouped (C_in/groups >= 2) or depthwise (C_in == groups)."""
    kind = draw(st.sampled_from(GROUP_KINDS))
    out_per_group = draw(st.integers(1, 3))
    if kind == "1":
        return draw(st.integers(1, 4)), out_per_group, 1
    groups = draw(st.integers(2, 3))
    in_per_group = 2 if kind == "grouped" else 1
    return groups * in_per_group, groups * out_per_group, groups


def effective(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


@st.composite
def conv_axis(draw, padding_form: str) -> dict[str, Any]:
    """One conv dim: the input length is at least what the effective kernel needs."""
    kernel, stride, dilation = draw(st.integers(1, MAX_KERNEL)), draw(st.integers(1, MAX_STRIDE)), draw(
        st.integers(1, MAX_DILATION)
    )
    pads = (0, 0)
    if padding_form == "explicit":
        pads = (draw(st.integers(0, MAX_CROP)), draw(st.integers(0, MAX_CROP)))
    needed = 1 if padding_form in ("same", "same_lower") else max(1, effective(kernel, dilation) - sum(pads))
    length = needed + draw(st.integers(0, MAX_LENGTH - 1))
    return {"length": length, "kernel": kernel, "stride": stride, "dilation": dilation, "pads": pads}


@st.composite
def conv_transpose_axis(draw, padding_form: str, sizes_by_output_shape: bool) -> dict[str, Any]:
    """One conv_transpose dim: crops leave >= 1 position; output_padding or an output size.

    Sizes reach past every framework's range on purpose: output_padding up to
    max(stride, dilation), 'same' sizes from L*s - 2 to L*s + 1, 'valid' up to F + 2.
    """
    length, kernel = draw(st.integers(1, MAX_LENGTH)), draw(st.integers(1, MAX_KERNEL))
    stride, dilation = draw(st.integers(1, MAX_STRIDE)), draw(st.integers(1, MAX_DILATION))
    full = (length - 1) * stride + effective(kernel, dilation)
    axis = {"length": length, "kernel": kernel, "stride": stride, "dilation": dilation, "pads": (0, 0)}
    if padding_form == "explicit":
        before = draw(st.integers(0, min(MAX_CROP, full - 1)))
        after = draw(st.integers(0, min(MAX_CROP, full - 1 - before)))
        output_padding = draw(st.integers(0, max(stride, dilation)))
        axis["pads"] = (before, after)
        axis["output_padding"] = output_padding
        axis["output_size"] = full - before - after + output_padding
    elif sizes_by_output_shape and padding_form == "valid":
        axis["output_size"] = full + draw(st.integers(0, 2))
    elif sizes_by_output_shape:
        default = length * stride
        axis["output_size"] = default + draw(st.integers(max(-2, 1 - default), 1))
    return axis


def tensor(shape: list[int], seed: int, distribution: str) -> dict[str, Any]:
    return {"shape": shape, "random": {"seed": seed, "distribution": distribution}}


@st.composite
def case_specs(draw, op: str, dtypes: tuple[str, ...] = DEFAULT_DTYPES) -> dict[str, Any]:
    """A valid case mapping for ``op`` (no ``id``): what a case file would hold."""
    dims = draw(st.integers(1, 3))
    c_in, c_out, groups = draw(channels())
    padding_form = draw(st.sampled_from(PADDING_FORMS))
    by_output_shape = op == "conv_transpose" and draw(st.booleans())
    if op == "conv":
        axes = [draw(conv_axis(padding_form)) for _ in range(dims)]
    else:
        axes = [draw(conv_transpose_axis(padding_form, by_output_shape)) for _ in range(dims)]
    batch = draw(st.integers(1, 2))
    dtype = draw(st.sampled_from(dtypes))
    distribution = draw(st.sampled_from(DISTRIBUTIONS))
    with_bias = draw(st.booleans())
    # A different seed per tensor (the same seed draws the same leading numbers): 0, 1, 2 when shrunk.
    seeds = [draw(st.integers(0, MAX_SEED))]
    for _ in range(2):
        seeds.append(seeds[-1] + 1 + draw(st.integers(0, MAX_SEED)))

    kernel_channels = [c_out, c_in // groups] if op == "conv" else [c_in, c_out // groups]
    spec: dict[str, Any] = {
        "op": op,
        "dtype": dtype,
        "input": tensor([batch, c_in, *(a["length"] for a in axes)], seeds[0], distribution),
        "kernel": tensor([*kernel_channels, *(a["kernel"] for a in axes)], seeds[1], distribution),
    }
    if with_bias:
        spec["bias"] = tensor([c_out], seeds[2], distribution)
    spec["stride"] = [a["stride"] for a in axes]
    spec["dilation"] = [a["dilation"] for a in axes]
    spec["padding"] = [list(a["pads"]) for a in axes] if padding_form == "explicit" else padding_form
    if by_output_shape:
        spec["output_shape"] = [a["output_size"] for a in axes]
    elif op == "conv_transpose" and padding_form == "explicit" and any(a["output_padding"] for a in axes):
        spec["output_padding"] = [a["output_padding"] for a in axes]
    if groups > 1:
        spec["groups"] = groups
    assume(is_valid(spec))
    return spec


def build(spec: dict[str, Any], case_id: str = "fuzz", path: str = "<fuzz>"):
    """The ``Case`` a spec describes, built by the loader (raises CaseProblem when invalid)."""
    return build_case({"id": case_id, **spec}, path, 0)


def is_valid(spec: dict[str, Any]) -> bool:
    try:
        build(spec)
    except CaseProblem:
        return False
    return True
