"""Each target adapter's answer for a canonical layer: ``equivalent`` (its ``express`` gives
one call), ``composition`` (a short labelled composition: the call without bias then ``+ b``,
the call on the full result then a crop, or an explicit pad of the input then the call) or
``none`` with the vocabulary's reason; plus the weight, input and output relayouts.

The calls come from the adapters' own translation (``express``): nothing here translates
canonical parameters to an API a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..adapters import Adapter, all_adapters
from ..adapters.base import NativeCall, Unsupported
from ..adapters.canonical import full_transpose_length
from ..vocabulary import reason_words
from . import known
from .layer import Layer
from .relayout import spatial_axes, transpose_expr, weight_expr
from .sources import Source

# Reasons a composition can answer: the padding/cropping a crop or an explicit pad supplies.
PADDING_REASONS = ("asymmetric-padding", "explicit-padding", "output-padding", "output-shape",
                   "output-shape-with-explicit-padding", "output-shape-with-output-padding",
                   "output-padding-with-padding-mode", "negative-padding")
FORWARD_ARGUMENTS = ("output_size",)
# Adapters whose kernel is the canonical one spatially flipped (the user passes a flipped array).
FLIPPED = frozenset({"jax.lax.conv_transpose.no_transpose_kernel", "flax.linen.ConvTranspose.no_transpose_kernel",
                     "flax.nnx.ConvTranspose.no_transpose_kernel"})


@dataclass
class Answer:
    adapter: str
    verdict: str  # equivalent | composition | none
    call: str | None
    weights: str | None
    input: str | None
    output: str | None
    reason: str | None
    # what --verify runs: how the child builds the target's case and finishes its output
    plan: dict[str, Any] | None = None
    known: list[str] = field(default_factory=list)
    verified: dict | None = None

    def to_json(self) -> dict:
        return {
            "adapter": self.adapter,
            "verdict": self.verdict,
            "call": self.call,
            "weights": self.weights,
            "input": self.input,
            "output": self.output,
            "reason": self.reason,
            "verified": self.verified,
        }


def default_targets(op: str, exclude: str | None = None) -> list[str]:
    """The API adapters of this op that compute values on the CPU (not recipes, shape-only
    passes, gradients or device columns)."""
    names = []
    for name, cls in all_adapters().items():
        if cls.op != op or name == exclude or cls.kind != "api" or cls.judges != "values":
            continue
        if getattr(cls, "device", "cpu") != "cpu" or "output" not in getattr(cls, "quantities", ("output",)):
            continue
        names.append(name)
    return names


def choose_targets(op: str, to: list[str] | None, exclude: str | None) -> list[str]:
    from .layer import PortError

    if not to or to == ["all"]:
        return default_targets(op, exclude)
    adapters = all_adapters()
    chosen: list[str] = []
    for item in to:
        if item == "all":
            chosen += default_targets(op, exclude)
        elif item in adapters:
            if adapters[item].op != op:
                raise PortError(f"--to {item}: that adapter computes {adapters[item].op}, the layer is {op}")
            chosen.append(item)
        else:
            by_framework = [n for n in default_targets(op, None) if adapters[n].framework == item]
            if not by_framework:
                frameworks = sorted({cls.framework for cls in adapters.values()})
                raise PortError(f"--to {item}: not an adapter or a framework; frameworks: {', '.join(frameworks)}"
                                " (adapters: `conformance adapters`), or all")
            chosen += by_framework
    return list(dict.fromkeys(chosen))


def user_call(call: NativeCall, bias: bool = False, applied: bool = False) -> str:
    """The call in the API's user form: layers/modules as constructors, functions with their
    tensors (a function's ``bias`` flag becomes the array ``b``), an ONNX node by
    ``onnx.helper.make_node``, a Caffe layer as its prototxt."""
    last = call.api.rsplit(".", 1)[-1]
    if call.api in ("ConvTranspose", "Conv"):
        args = ", ".join(f"{k}={_literal(v)}" for k, v in call.kwargs.items())
        inputs = ["x", "w", "b"] if bias else ["x", "w"]
        return f"onnx.helper.make_node({call.api!r}, {inputs}, ['y'], {args})"
    if call.api == "cv2.dnn.readNetFromCaffe":
        param = " ".join(f"{k}: {_proto(v)}" for k, v in call.kwargs["convolution_param"].items())
        return f'layer {{ type: "{call.kwargs["layer"]}" convolution_param {{ {param} }} }}  # cv2.dnn.readNetFromCaffe'
    if last[:1].isupper() and not call.api.startswith("ops."):
        # output_size is the layer's forward argument (torch, Paddle), not its constructor's
        forward = {k: v for k, v in call.kwargs.items() if k in FORWARD_ARGUMENTS and v is not None}
        built = f"{call.api}({', '.join(f'{k}={_literal(v)}' for k, v in call.kwargs.items() if k not in FORWARD_ARGUMENTS)})"
        if forward:
            return f"{built}(x, {', '.join(f'{k}={_literal(v)}' for k, v in forward.items())})"
        return f"{built}(x)" if applied else built  # in a composition: the layer applied to x
    args = [f"{k}={_literal(v)}" for k, v in call.kwargs.items() if k != "bias"]
    tensors = ["x", "w"] + (["b"] if call.kwargs.get("bias") else [])
    return f"{call.api}({', '.join(tensors + args)})"


def _proto(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value) if len(set(value)) > 1 else str(value[0])
    return str(value)


def _literal(value):
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)


def spellings(layer: Layer) -> list[Layer]:
    """The layer and the other canonical spellings of its window ('same' and explicit pads
    can be the same window): a target that takes only one of them still gets asked."""
    found = [layer]
    dims = layer.dims
    windows = layer.windows()
    candidates = []
    for mode in ("same", "valid", "same_lower"):
        candidates.append(replace(layer, padding=mode, output_padding=(0,) * dims, output_shape=None))
        if layer.op == "conv_transpose":
            candidates.append(replace(layer, padding=mode, output_padding=(0,) * dims, output_shape=tuple(o for _, o in windows)))
    if layer.op == "conv_transpose":
        from .inverse.common import window_to_explicit

        pairs, extras = [], []
        for (before, out), n, k, s, d in zip(windows, layer.input_shape[2:], layer.kernel, layer.stride, layer.dilation):
            pair, extra = window_to_explicit(full_transpose_length(n, k, s, d), before, out)
            pairs.append(pair)
            extras.append(extra)
        candidates.append(replace(layer, padding=tuple(pairs), output_padding=tuple(extras), output_shape=None))
        candidates.append(replace(layer, padding=tuple(pairs), output_padding=(0,) * dims, output_shape=tuple(o for _, o in windows)))
    else:
        candidates.append(replace(layer, padding=tuple(tuple(w) for w in windows)))
    for candidate in candidates:
        try:
            same = candidate.windows() == windows and not _valid_cropped_by_size(candidate)
        except Exception:  # a spelling the canonical rules refuse for this layer
            same = False
        if same and candidate not in found:
            found.append(candidate)
    return found


def _express_any(adapter: Adapter, layer: Layer, seed: int, bias: bool):
    """(spelling, NativeCall) for the first spelling the adapter expresses, else (layer, its Unsupported)."""
    first = None
    for spelling in spellings(layer):
        call = adapter.express(spelling.case(seed, bias=bias))
        if isinstance(call, NativeCall):
            return spelling, call
        first = first or call
    return layer, first


def _valid_cropped_by_size(layer: Layer) -> bool:
    """'valid' with an output_shape below the full result: a crop at the end said as a size,
    which torch's and MXNet's output-size arguments refuse; not a spelling of 'valid'."""
    if layer.op != "conv_transpose" or layer.padding != "valid" or layer.output_shape is None:
        return False
    return any(out < full_transpose_length(n, k, s, d)
               for out, n, k, s, d in zip(layer.output_shape, layer.input_shape[2:], layer.kernel, layer.stride, layer.dilation))


def answer(source: Source, layer: Layer, name: str, seed: int = 0) -> Answer:
    adapter = all_adapters()[name]()
    spelling, call = _express_any(adapter, layer, seed, layer.bias)
    if isinstance(call, NativeCall):
        verdict = "composition" if adapter.kind == "recipe" else "equivalent"
        plan = {"case": "same", "flip": name in FLIPPED, "layer": spelling.to_json()}
        found = _rows(source, layer, adapter, call, verdict, plan)
        found.call = user_call(call, layer.bias)
        if adapter.kind == "recipe":
            found.reason = "a recipe: a composition of calls (see the adapter's repro for its code)"
        return _with_known(found, spelling)
    reason = call
    if call.reason == "bias" and layer.bias:
        spelling, bare = _express_any(adapter, layer, seed, False)
        if isinstance(bare, NativeCall):
            plan = {"case": "no_bias", "flip": name in FLIPPED, "add_bias": True, "layer": spelling.to_json()}
            found = _rows(source, layer, adapter, bare, "composition", plan)
            found.call = f"y = {user_call(bare, applied=True)}  # no bias argument\ny = y + {_bias_expr(bare.input_layout)}"
            found.reason = f"composition: {call.reason} ({reason_words(call.reason)}): the call, then + b"
            return _with_known(found, spelling)
        reason = bare
    if reason.reason in PADDING_REASONS or reason.reason.startswith("padding-mode:"):
        composed = _composition(source, layer, adapter, name, seed, reason)
        if composed is not None:
            return composed
    return Answer(name, "none", None, None, None, None, f"{reason.reason}: {reason_words(reason.reason)}"
                  + (f" ({reason.detail})" if reason.detail else ""))


def _rows(source: Source, layer: Layer, adapter: Adapter, call: NativeCall, verdict: str, plan: dict) -> Answer:
    mlx_transposed = call.api.startswith("mx.conv_transpose")
    weights = weight_expr(source.kernel_layout, source.kernel_flipped, call.kernel_layout, plan.get("flip", False),
                          layer.groups, mlx_transposed, (layer.in_channels, layer.out_channels))
    x_expr = transpose_expr("x", source.input_layout, call.input_layout)
    y_expr = transpose_expr("y", call.input_layout, source.input_layout)
    return Answer(adapter.name, verdict, user_call(call), weights, x_expr, y_expr, None, plan)


def _bias_expr(layout: str) -> str:
    axes = spatial_axes(layout)
    channels_last = layout.rstrip("L").endswith("C") or layout.endswith("C")
    return "b" if channels_last else f"b.reshape(-1{', 1' * len(axes)})"


def _composition(source, layer, adapter, name, seed, reason) -> Answer | None:
    """The full result then a crop (conv_transpose), or an explicit pad then the call (conv)."""
    dims = layer.dims
    zero = tuple((0, 0) for _ in range(dims))
    plain = replace(layer, padding=zero, output_padding=(0,) * dims, output_shape=None, bias=False)
    lengths = layer.input_shape[2:]
    if layer.op == "conv_transpose":
        windows = layer.windows()
        crops = []
        for (before, out), n, k, s, d in zip(windows, lengths, layer.kernel, layer.stride, layer.dilation):
            crops.append((before, full_transpose_length(n, k, s, d) - before - out))
        if any(before < 0 for before, _ in crops):
            return None
        sub_case = plain
    else:
        pads = layer.windows()
        if any(b < 0 or a < 0 for b, a in pads):
            return None
        padded = (layer.input_shape[0], layer.input_shape[1], *(n + b + a for n, (b, a) in zip(lengths, pads)))
        sub_case = replace(plain, input_shape=padded)
    call = adapter.express(sub_case.case(seed, bias=False))
    if not isinstance(call, NativeCall):
        return None
    plan = {"case": "full" if layer.op == "conv_transpose" else "padded_input", "flip": name in FLIPPED,
            "add_bias": layer.bias}
    found = _rows(source, layer, adapter, call, "composition", plan)
    layout = call.input_layout
    axes = spatial_axes(layout)
    lines = []
    if layer.op == "conv":
        plan["pads"] = [list(p) for p in pads]
        widths = [(0, 0)] * len(layout)
        for axis, pair in zip(axes, pads):
            widths[axis] = pair
        lines.append(f"x = np.pad(x, {[list(w) for w in widths]})  # the explicit zeros, then an unpadded call")
        lines.append(f"y = {user_call(call, applied=True)}")
    else:
        plan["crops"] = [list(c) for c in crops]
        lines.append(f"y = {user_call(call, applied=True)}  # the full result, nothing cropped")
        index = [":"] * len(layout)
        widths = [(0, 0)] * len(layout)
        for axis, (before, after) in zip(axes, crops):
            index[axis] = f"{before}:{-after}" if after > 0 else (f"{before}:" if before else ":")
            widths[axis] = (0, max(-after, 0))
        lines.append(f"y = y[{', '.join(index)}]  # crop (before, after) = {[list(c) for c in crops]}")
        if any(w != (0, 0) for w in widths):
            lines.append(f"y = np.pad(y, {[list(w) for w in widths]})  # zeros past the full result")
    if layer.bias:
        lines.append(f"y = y + {_bias_expr(layout)}")
    found.call = "\n".join(lines)
    found.reason = f"composition: {reason.reason} ({reason_words(reason.reason)}): the call alone cannot, this code does"
    return _with_known(found, layer)


def _with_known(found: Answer, layer: Layer) -> Answer:
    """Recorded results on the geometry the target runs: a known disagreement turns the
    verdict to none (a composition's call runs the full or padded geometry)."""
    if found.plan and found.plan.get("flip"):
        # The recorded runs pass these APIs the canonical kernel unflipped (the convention
        # they record); the weights here are flipped, so only --verify speaks for them.
        found.known.append("the suite's recorded runs give this API the unflipped kernel (its recorded convention);"
                           " with the flipped weights above it computes the layer: --verify checks it")
        return found
    if found.plan and found.plan.get("case") == "full":
        dims = layer.dims
        layer = replace(layer, padding=tuple((0, 0) for _ in range(dims)), output_padding=(0,) * dims, output_shape=None)
    elif found.plan and found.plan.get("case") == "padded_input":
        pads = found.plan["pads"]
        shape = (*layer.input_shape[:2], *(n + b + a for n, (b, a) in zip(layer.input_shape[2:], pads)))
        layer = replace(layer, padding=tuple((0, 0) for _ in pads), input_shape=shape)
    records = known.recorded_for(found.adapter, layer)
    bad = known.disagreement(records)
    if bad is None:
        passed = [r.case for r in records if r.status == "PASS"]
        if passed:
            found.known.append(f"recorded PASS on the same geometry: {', '.join(passed[:3])}")
        elif found.verdict != "none":
            found.known.append("no recorded run on this geometry: the verdict is the translation's; --verify runs it")
        return found
    kind = f"{bad.kind}: " if bad.kind else ""
    what = bad.reason or bad.message
    found.verdict = "none"
    found.reason = f"known disagreement ({bad.status} on recorded case {bad.case!r}): {kind}{what}"
    return found
