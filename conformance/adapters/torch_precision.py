"""The suite's run property for torch's float32 convolution precision (issue 16).

torch 2.13's own switch ``torch.backends.mkldnn.conv.fp32_precision = "bf16"`` lets oneDNN
compute float32 convolutions in bfloat16; torch reads no environment variable for it (only
Python sets it), so a tox environment cannot flip it the way ``ONEDNN_DEFAULT_FPMATH_MODE``
flips oneDNN's. ``CONFORMANCE_TORCH_FP32_PRECISION`` stands in: the torch adapters set the
switch from it at import, as a user's script would before its first convolution. The
variable is recorded with the run (``properties.KERNEL_ENV_VARS``), and the switch itself in
``run_info.build`` (``properties.precision_switches``).
"""

from __future__ import annotations

import os

ENV_VAR = "CONFORMANCE_TORCH_FP32_PRECISION"
# the values torch 2.13 takes for the switch (it raises "Unknown precision" on any other)
VALUES = ("none", "ieee", "tf32", "bf16")


def apply_fp32_precision(torch) -> None:
    """Set ``torch.backends.mkldnn.conv.fp32_precision`` from the variable, when it is set."""
    value = os.environ.get(ENV_VAR, "")
    if not value:
        return
    if value not in VALUES:
        raise ValueError(f"{ENV_VAR}={value!r}: torch.backends.mkldnn.conv.fp32_precision takes one of {', '.join(VALUES)}")
    torch.backends.mkldnn.conv.fp32_precision = value
