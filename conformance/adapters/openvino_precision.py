"""How the OpenVINO adapters compile a model, and the precision that gives (issue 16).

OpenVINO's CPU plugin runs a float32 model at its ``INFERENCE_PRECISION_HINT``, whose default
is bf16 on CPUs with AVX512_BF16 or AMX and f32 elsewhere; ``EXECUTION_MODE_HINT: ACCURACY``
makes the model's own element type the precision (docs.openvino.ai, "Precision Control": in
ACCURACY mode the device cannot convert floating point tensors to a smaller type; PERFORMANCE,
the default, can). The adapters
compile as a user's script does, ``compile_model(model, "CPU")``, so a default run on a bf16
CPU shows what users of that machine get; ``build_properties`` records the hint that call
yields for a float32 model (``inference_precision``, a condition property of expectations).

``CONFORMANCE_OPENVINO_EXECUTION_MODE`` (ACCURACY or PERFORMANCE, the documented default)
adds the hint to the rendered call, as a user would write it: the precision label's
``openvino-accuracy`` environment runs the probes with ACCURACY. The variable is recorded with
the run (``properties.KERNEL_ENV_VARS``).
"""

from __future__ import annotations

import json
import os

ENV_VAR = "CONFORMANCE_OPENVINO_EXECUTION_MODE"
# ov::hint::ExecutionMode's values
VALUES = ("ACCURACY", "PERFORMANCE")


def execution_mode() -> str | None:
    """The EXECUTION_MODE_HINT the variable asks for; None leaves OpenVINO's default."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    if value.upper() not in VALUES:
        raise ValueError(f"{ENV_VAR}={value!r}: EXECUTION_MODE_HINT takes one of {', '.join(VALUES)}")
    return value.upper()


def compile_config() -> dict:
    """The config the adapters compile with: the hint when the variable sets one."""
    mode = execution_mode()
    return {} if mode is None else {"EXECUTION_MODE_HINT": mode}


def compile_arguments() -> str:
    """The rendered compile call's arguments after the model: the device, and the config when set."""
    config = compile_config()
    return '"CPU"' if not config else f'"CPU", {json.dumps(config)}'


def compile_comment() -> str:
    """The comment the rendered call carries above its compile line (why it says what it says)."""
    mode = execution_mode()
    if mode is None:
        return "# OpenVINO's default: a float32 model runs at the plugin's INFERENCE_PRECISION_HINT (bf16 on AVX512_BF16/AMX CPUs)"
    return f"# EXECUTION_MODE_HINT={mode} ({ENV_VAR})"


def described() -> str:
    """A few words for an adapter's note: how the call compiles."""
    mode = execution_mode()
    return "CPU plugin, OpenVINO's default hints" if mode is None else f"CPU plugin, EXECUTION_MODE_HINT={mode}"


def inference_precision(ov, core, ops) -> str:
    """The INFERENCE_PRECISION_HINT of a float32 model compiled as the adapters compile theirs
    ("bf16", "f32"; "dynamic" under ACCURACY: the model's own types): a property of the
    compiled model, read from the smallest one (``ops``: the release's opset module)."""
    import numpy as np

    data = ops.parameter([1], np.float32)
    model = ov.Model([ops.relu(data)], [data], "inference_precision_probe")
    compiled = core.compile_model(model, "CPU", compile_config())
    return compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
