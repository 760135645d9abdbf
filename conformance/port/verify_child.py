"""Run in a framework's environment by ``conformance port --verify``: one JSON request on
stdin (the layer, the seed, the runs), one JSON answer on stdout.

Each run executes an adapter (its own rendered call, as ``conformance run`` does) on the
layer's random tensors, finishes a composition in the canonical layout (crop, zeros past
the full result, ``+ b``) and judges the result against the oracle of the layer itself.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import replace

import numpy as np


def _layer(data):
    from .layer import Layer

    padding = data["padding"]
    return Layer(
        op=data["op"], kernel=tuple(data["kernel"]), stride=tuple(data["stride"]), dilation=tuple(data["dilation"]),
        padding=padding if isinstance(padding, str) else tuple(tuple(p) for p in padding),
        in_channels=data["in_channels"], out_channels=data["out_channels"], output_padding=tuple(data["output_padding"]),
        output_shape=None if data["output_shape"] is None else tuple(data["output_shape"]), groups=data["groups"],
        bias=data["bias"], input_shape=tuple(data["input_shape"]),
    )


def run_one(layer, seed, case, reference, run):
    from .. import compare
    from ..adapters import all_adapters
    from ..adapters.base import NativeCall
    from ..case import Case

    adapter = all_adapters()[run["adapter"]]()
    plan = run["plan"]
    dims = layer.dims
    # the spelling of the layer's window the target was asked in (same tensors: same seed and shapes)
    spelled = _layer(plan["layer"]) if plan.get("layer") else layer
    if plan["case"] == "same":
        sub = spelled.case(seed)
    elif plan["case"] == "no_bias":
        sub = spelled.case(seed, bias=False)
    elif plan["case"] == "full":
        zero = tuple((0, 0) for _ in range(dims))
        sub = replace(layer, padding=zero, output_padding=(0,) * dims, output_shape=None).case(seed, bias=False)
    else:  # padded_input: the explicit zeros added to x, then an unpadded conv
        widths = [(0, 0), (0, 0), *map(tuple, plan["pads"])]
        sub = Case.make("port-padded", "conv", np.pad(case.x, widths), case.w, None, stride=list(layer.stride),
                        dilation=list(layer.dilation), padding=0, groups=layer.groups, dtype=case.dtype)
    if plan.get("flip"):  # the API takes the canonical kernel spatially flipped
        sub = replace(sub, w=np.flip(sub.w, axis=tuple(range(2, 2 + dims))).copy())
    call = adapter.express(sub)
    if not isinstance(call, NativeCall):
        return {"status": "UNSUPPORTED", "message": str(call), "max_abs_err": None, "err_ratio": None}
    y = np.asarray(adapter.execute(sub, call), dtype=np.float64)
    for axis, (before, after) in enumerate(plan.get("crops") or []):
        length = y.shape[2 + axis]
        index = [slice(None)] * y.ndim
        index[2 + axis] = slice(before, length - max(after, 0))
        y = y[tuple(index)]
        if after < 0:
            widths = [(0, 0)] * y.ndim
            widths[2 + axis] = (0, -after)
            y = np.pad(y, widths)
    if plan.get("add_bias") and case.b is not None:
        y = y + case.b.reshape((1, -1) + (1,) * dims)
    verdict = compare.judge(case, y, reference)
    return {"status": verdict.status, "message": verdict.message, "max_abs_err": verdict.max_abs_err,
            "err_ratio": verdict.err_ratio}


def main() -> int:
    """stdin: [{"layer", "seed", "runs", "job"}]; stdout: the marker, then one answer per run."""
    from .. import oracle

    answers = []
    for job in json.loads(sys.stdin.read()):
        layer = _layer(job["layer"])
        seed = job["seed"]
        case = layer.case(seed)
        reference = oracle.evaluate(case)
        for run in job["runs"]:
            try:
                answer = run_one(layer, seed, case, reference, run)
            except Exception as err:  # the framework refusing, or a missing package: the run's answer
                first = str(err).splitlines()[0] if str(err) else ""
                answer = {"status": "ERROR", "message": f"{type(err).__name__}: {first}", "max_abs_err": None,
                          "err_ratio": None, "traceback": traceback.format_exc(limit=3)}
            answers.append({"adapter": run["adapter"], "job": job["job"], **answer})
    sys.stdout.write("\n@@PORT-VERIFY@@" + json.dumps(answers, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
