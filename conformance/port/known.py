"""What the suite has recorded about a target on the same geometry: the results files'
outcomes (``reports/results/<adapter>.json``) for cases whose canonical geometry is the
ported layer's, with the expectation's kind and reason where one explains a non-PASS.

Geometry is compared in the normal form that does not depend on the input's length: per
dim the crop (before, after) of the full result for conv_transpose, the zeros (before,
after) for conv, with kernel, stride, dilation and groups.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from ..adapters.canonical import full_transpose_length
from .layer import Layer

RESULTS_DIR = Path("reports/results")
JUDGED_DTYPES = ("float32",)  # the port runs float32; other dtypes' limitations are not this answer's


@dataclass(frozen=True)
class Recorded:
    case: str
    status: str
    kind: str | None  # the expectation's kind (bug / convention / limitation), None without one
    reason: str | None
    message: str


def geometry_key(layer: Layer):
    windows = layer.windows()
    if layer.op == "conv_transpose":
        crops = []
        for (before, out), n, k, s, d in zip(windows, layer.input_shape[2:], layer.kernel, layer.stride, layer.dilation):
            crops.append((before, full_transpose_length(n, k, s, d) - before - out))
        windows = crops
    # how the window is spelled (a mode or explicit pads, with or without output_shape): the
    # same window asked another way can get another answer from a framework
    spelled = (layer.padding if isinstance(layer.padding, str) else "explicit", layer.output_shape is None)
    return (layer.op, tuple(layer.kernel), tuple(layer.stride), tuple(layer.dilation), layer.groups,
            tuple(map(tuple, windows)), spelled)


def layer_of_params(params: dict) -> Layer | None:
    try:
        padding = params["padding"]
        op, x, w, groups = params["op"], params["input_shape"], params["kernel_shape"], params["groups"]
        return Layer(
            op=op,
            kernel=tuple(w[2:]),
            stride=tuple(params["stride"]),
            dilation=tuple(params["dilation"]),
            padding=padding if isinstance(padding, str) else tuple(tuple(p) for p in padding),
            in_channels=x[1],
            out_channels=w[0] if op == "conv" else w[1] * groups,
            output_padding=tuple(params["output_padding"]),
            output_shape=None if params["output_shape"] is None else tuple(params["output_shape"]),
            groups=groups,
            bias=params.get("bias", False),
            input_shape=tuple(x),
        )
    except (KeyError, TypeError, IndexError):
        return None


@functools.lru_cache(maxsize=None)
def recorded_index(adapter: str, results_dir: str = str(RESULTS_DIR)) -> dict:
    """geometry key -> [Recorded] for one adapter's results file ({} when there is none)."""
    path = Path(results_dir) / (adapter.replace("@", "_") + ".json")
    if not path.is_file():
        return {}
    try:
        results = json.loads(path.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    index: dict = {}
    for result in results:
        params = result.get("params") or {}
        if params.get("expect") != "ok" or params.get("dtype") not in JUDGED_DTYPES or result.get("status") == "UNSUPPORTED":
            continue
        if result.get("quantity", "output") != "output":
            continue
        layer = layer_of_params(params)
        if layer is None:
            continue
        try:
            key = geometry_key(layer)
        except Exception:  # a recorded invalid geometry: nothing to compare with
            continue
        index.setdefault(key, []).append(Recorded(
            result["case"], result["status"], result.get("expectation_kind"), result.get("expectation_reason"),
            result.get("message") or "",
        ))
    return index


def recorded_for(adapter: str, layer: Layer, results_dir: str = str(RESULTS_DIR)) -> list[Recorded]:
    return recorded_index(adapter, results_dir).get(geometry_key(layer), [])


def disagreement(records: list[Recorded]) -> Recorded | None:
    """The first recorded non-PASS on this geometry (one with an expectation first)."""
    failing = [r for r in records if r.status != "PASS"]
    failing.sort(key=lambda r: r.kind is None)
    return failing[0] if failing else None
