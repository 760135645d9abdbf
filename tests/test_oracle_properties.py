"""Property tests: the oracle's three formulations agree, and conv_transpose is conv's adjoint.

Hypothesis draws valid configurations by construction (1-3 spatial dims, groups including
depthwise, stride, dilation, every padding form, output_padding, output_shape, bias,
batch > 1, C_in != C_out); values come from a seeded NumPy generator. Sizes stay small so
the matrix formulation, a Python loop, keeps the file well under a minute on 2 cores.

Both checks are held to float64 rounding, not a loose tolerance: a sum of ``n`` products
computed two ways differs by at most ``2 * gamma_n * (|x| (op) |w| + |b|)`` per element,
``gamma_n = n*u / (1 - n*u)``, ``u = 2**-53``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conformance.case import Case
from conformance.oracle import direct, flipped, geometry, matrix

UNIT_ROUNDOFF = 2.0**-53

# Deterministic in CI: derandomized, no example database, no per-example deadline (the
# matrix formulation of a 3-D case takes tens of milliseconds).
settings.register_profile(
    "oracle-properties",
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile("oracle-properties")

PADDING_FORMS = ("int", "per_dim", "pairs", "same", "same_lower", "valid")


def gamma(n: int) -> float:
    return n * UNIT_ROUNDOFF / (1 - n * UNIT_ROUNDOFF)


@st.composite
def layer_shapes(draw):
    """Dims, batch, groups and channels, kernel, stride and dilation of one layer."""
    dims = draw(st.integers(1, 3))
    small = dims == 3  # 3-D: keep the matrix formulation's loops short
    groups = draw(st.integers(1, 3))
    depthwise = draw(st.booleans())
    return dict(
        dims=dims,
        batch=draw(st.integers(1, 2)),
        groups=groups,
        in_per_group=1 if depthwise else draw(st.integers(1, 2)),
        out_per_group=draw(st.integers(1, 2)),
        kernel=tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(dims)),
        stride=tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(dims)),
        dilation=tuple(draw(st.integers(1, 2)) for _ in range(dims)),
        max_extra=2 if small else 3,
        seed=draw(st.integers(0, 2**32 - 1)),
        bias=draw(st.booleans()),
    )


@st.composite
def padding_forms(draw, dims: int):
    """(the padding as a case writes it, its (before, after) pairs or None for a mode)."""
    form = draw(st.sampled_from(PADDING_FORMS))
    if form == "int":
        p = draw(st.integers(0, 2))
        return p, ((p, p),) * dims
    if form == "per_dim":
        ps = [draw(st.integers(0, 2)) for _ in range(dims)]
        return ps, tuple((p, p) for p in ps)
    if form == "pairs":
        pairs = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(dims))
        return [list(p) for p in pairs], pairs
    return form, None


def effective(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


@st.composite
def conv_cases(draw):
    layer = draw(layer_shapes())
    padding, pairs = draw(padding_forms(layer["dims"]))
    lengths = []
    for i in range(layer["dims"]):
        e = effective(layer["kernel"][i], layer["dilation"][i])
        if pairs is not None:
            shortest = max(1, e - sum(pairs[i]))
        else:
            shortest = e if padding == "valid" else 1
        lengths.append(draw(st.integers(shortest, shortest + layer["max_extra"])))
    return make_case(layer, "conv", lengths, padding=padding)


@st.composite
def conv_transpose_cases(draw):
    layer = draw(layer_shapes())
    padding, pairs = draw(padding_forms(layer["dims"]))
    use_output_shape = draw(st.booleans())
    lengths, output_padding, output_shape = [], [], []
    for i in range(layer["dims"]):
        s, e = layer["stride"][i], effective(layer["kernel"][i], layer["dilation"][i])
        if pairs is None:
            length = draw(st.integers(1, 1 + layer["max_extra"]))
            full = (length - 1) * s + e
            if padding == "valid":
                output_shape.append(full + draw(st.integers(0, 2)))
            else:
                output_shape.append(draw(st.integers(max(1, length * s - 2), length * s + 2)))
            output_padding.append(0)
        else:
            extra = draw(st.integers(0, 2))  # output_padding, or what output_shape adds
            before, after = pairs[i]
            # Shortest input whose cropped full result keeps at least one position.
            missing = 1 + before + after - extra - e
            shortest = 1 + max(0, -(-missing // s))
            length = draw(st.integers(shortest, shortest + layer["max_extra"]))
            full = (length - 1) * s + e
            output_shape.append(full - before - after + extra)
            output_padding.append(0 if use_output_shape else extra)
        lengths.append(length)
    return make_case(
        layer,
        "conv_transpose",
        lengths,
        padding=padding,
        output_padding=output_padding,
        output_shape=output_shape if use_output_shape else None,
    )


def make_case(layer: dict, op: str, lengths, **params) -> Case:
    rng = np.random.default_rng(layer["seed"])
    g = layer["groups"]
    c_in, c_out = g * layer["in_per_group"], g * layer["out_per_group"]
    kernel_channels = (c_out, layer["in_per_group"]) if op == "conv" else (c_in, layer["out_per_group"])
    return Case.make(
        "property",
        op,
        rng.standard_normal((layer["batch"], c_in, *lengths)),
        rng.standard_normal((*kernel_channels, *layer["kernel"])),
        rng.standard_normal(c_out) if layer["bias"] else None,
        stride=layer["stride"],
        dilation=layer["dilation"],
        groups=g,
        dtype="float64",
        **params,
    )


def absolute(case: Case) -> Case:
    """The same operation on |x|, |w|, |b|: the magnitude each output sums."""
    b = None if case.b is None else np.abs(case.b)
    return replace(case, x=np.abs(case.x), w=np.abs(case.w), b=b)


def products_per_output(case: Case) -> int:
    """At most C_in/groups * prod(k) products sum into one output, for either op."""
    return case.in_channels // case.groups * int(np.prod(case.kernel_spatial))


def describe(case: Case) -> None:
    """Label the example for ``--hypothesis-show-statistics``: what the run covered."""
    event(f"{case.op} {case.spatial_dims}-D")
    event(f"padding {case.padding_mode or 'explicit'}")
    event(f"groups {'1' if case.groups == 1 else 'depthwise' if case.in_channels == case.groups else '>1'}")
    if case.output_shape is not None:
        event("output_shape")
    if any(case.output_padding):
        event("output_padding")


def assert_within_rounding(actual: np.ndarray, reference: np.ndarray, case: Case, name: str) -> None:
    __tracebackhide__ = True
    assert actual.shape == reference.shape, f"{name}: shape {actual.shape}, but should be {reference.shape} [{case!r}]"
    # + 1 for the bias addition.
    bound = 2 * gamma(products_per_output(case) + 1) * direct.evaluate(absolute(case))
    excess = np.abs(actual - reference) - bound
    assert (excess <= 0).all(), f"{name}: differs from direct by up to {excess.max():.3g} over the bound [{case!r}]"


@PROFILE
@given(conv_cases())
def test_conv_formulations_agree(case):
    describe(case)
    reference = direct.conv(case)
    assert reference.shape == geometry.output_shape(case)
    assert_within_rounding(matrix.conv(case), reference, case, "matrix")


@PROFILE
@given(conv_transpose_cases())
def test_conv_transpose_formulations_agree(case):
    describe(case)
    reference = direct.conv_transpose(case)
    assert reference.shape == geometry.output_shape(case)
    assert_within_rounding(matrix.conv_transpose(case), reference, case, "matrix")
    assert_within_rounding(flipped.conv_transpose(case), reference, case, "flipped")


@PROFILE
@given(conv_cases(), st.integers(0, 2**32 - 1))
def test_conv_transpose_is_the_adjoint_of_conv(conv_case, seed):
    """<conv(x), y> == <x, conv_transpose(y)>: same kernel array, stride, dilation, groups
    and padding as written; output_shape pins the transpose's output to conv's input."""
    conv_case = replace(conv_case, b=None)  # bias is affine, not linear
    describe(conv_case)
    y = np.random.default_rng(seed).standard_normal(geometry.output_shape(conv_case))
    transpose_case = replace(conv_case, op="conv_transpose", x=y, output_shape=tuple(conv_case.x.shape[2:]))
    conv_x = direct.conv(conv_case)
    transpose_y = direct.conv_transpose(transpose_case)
    assert transpose_y.shape == conv_case.x.shape
    lhs = float(np.sum(conv_x * y))
    rhs = float(np.sum(conv_case.x * transpose_y))
    # Each side: the products of one output, then the sum over every output element.
    terms = products_per_output(conv_case) + y.size + conv_case.x.size
    magnitude = float(np.sum(direct.conv(absolute(conv_case)) * np.abs(y)))
    assert abs(lhs - rhs) <= 2 * gamma(terms) * magnitude, (lhs, rhs, conv_case)
