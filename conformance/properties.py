"""Run properties: what can change a framework's answer, recorded with every results file.

The same case can PASS on one machine and ERROR on another: TF, torch and oneDNN pick
kernels by CPU, and environment variables switch them. ``machine_properties()`` reads the
machine (OS, CPU model and flags, numpy and its BLAS, the kernel-switching variables);
the executor's child adds the framework's version and what it reports of its build
(``Adapter.build_properties``). Expectations choose their outcome on these
(``runner.expectations.CONDITION_PROPERTIES``), and the report shows them per file.
"""

from __future__ import annotations

import functools
import os
import platform
import sys

# Variables that make a framework pick other kernels (or none): recorded when set.
KERNEL_ENV_VARS = (
    "TF_ENABLE_ONEDNN_OPTS",
    "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA",
    "ONEDNN_DEFAULT_FPMATH_MODE",
    # precision switches (issue 16): TF's oneDNN fpmath mode, NVIDIA's and torch's TF32 overrides
    "TF_SET_ONEDNN_FPMATH_MODE",
    "NVIDIA_TF32_OVERRIDE",
    "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE",
    "ATEN_CPU_CAPABILITY",
    "TORCH_MKLDNN_MATMUL_MIN_DIM",
    # torch.backends.mkldnn.conv.fp32_precision, set by the torch adapters (adapters/torch_precision.py)
    "CONFORMANCE_TORCH_FP32_PRECISION",
    # OpenVINO's EXECUTION_MODE_HINT, rendered by the OpenVINO adapters (adapters/openvino_precision.py)
    "CONFORMANCE_OPENVINO_EXECUTION_MODE",
    "XLA_FLAGS",
    "JAX_ENABLE_X64",
    "JAX_PLATFORMS",
    "JAX_DEFAULT_MATMUL_PRECISION",
    "MXNET_ENGINE_TYPE",
    "MXNET_MKLDNN_ENABLED",
    "MXNET_ONEDNN_ENABLED",
    "KERAS_BACKEND",
    "OPENCV_CPU_DISABLE",
    "FLAGS_use_accuracy_compatible_kernel",
    "OMP_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "MKL_ENABLE_INSTRUCTIONS",
    "CUDA_VISIBLE_DEVICES",
)

# The ISA flags worth showing in the report (all flags are recorded in cpu_flags).
SHOWN_CPU_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
    "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "amx_fp16", "asimd", "sve",
)


def cpu_description() -> tuple[str, list[str]]:
    """(CPU model name, sorted ISA flags) from /proc/cpuinfo; platform's words elsewhere."""
    model, flags = "", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key in ("model name", "hardware", "cpu model") and not model:
                    model = value.strip()
                elif key in ("flags", "features") and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model or platform.processor() or platform.machine(), sorted(flags)


def blas_description() -> str:
    """numpy's BLAS as numpy reports it (numpy >= 1.25 has a config dict; older ones print)."""
    import numpy

    config = getattr(getattr(numpy, "__config__", None), "CONFIG", None)
    if isinstance(config, dict):
        blas = (config.get("Build Dependencies") or {}).get("blas") or {}
        name, version = blas.get("name", ""), blas.get("version", "")
        return f"{name} {version}".strip() or "unknown"
    for attr in ("blas_opt_info", "openblas_info", "blas_mkl_info"):
        info = getattr(numpy.__config__, attr, None)
        if info:
            return attr.replace("_info", "").replace("_opt", "")
    return "unknown"


@functools.lru_cache(maxsize=1)
def machine_properties() -> dict:
    """What the machine and the process bring, whatever the framework (computed once)."""
    import numpy

    model, flags = cpu_description()
    return {
        "os": sys.platform,
        "arch": platform.machine(),
        "cpu": model,
        "cpu_flags": flags,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "blas": blas_description(),
        "env": {name: os.environ[name] for name in KERNEL_ENV_VARS if name in os.environ},
    }


def run_properties(framework_version: str, build: dict | None, device: str) -> dict:
    """Everything an expectation's condition may read, for one adapter on this run."""
    return {**machine_properties(), "framework_version": framework_version, "build": dict(build or {}), "device": device}


def shown_flags(cpu_flags) -> list[str]:
    return [flag for flag in SHOWN_CPU_FLAGS if flag in set(cpu_flags or ())]


# The in-process switches that let a framework compute float32 below float32 (TF32, bfloat16)
# or float64 in float32, as (module, read): each is read only when its module is already
# imported (the executor's child, after the adapter's import), never by importing it.
_PRECISION_SWITCHES = (
    ("torch", "torch.backends.cudnn.allow_tf32", lambda torch: torch.backends.cudnn.allow_tf32),
    ("torch", "torch.backends.cuda.matmul.allow_tf32", lambda torch: torch.backends.cuda.matmul.allow_tf32),
    ("torch", "torch.get_float32_matmul_precision", lambda torch: torch.get_float32_matmul_precision()),
    ("torch", "torch.backends.mkldnn.fp32_precision", lambda torch: torch.backends.mkldnn.fp32_precision),
    ("torch", "torch.backends.mkldnn.conv.fp32_precision", lambda torch: torch.backends.mkldnn.conv.fp32_precision),
    ("torch", "torch.backends.cudnn.conv.fp32_precision", lambda torch: torch.backends.cudnn.conv.fp32_precision),
    (
        "tensorflow",
        "tf.config.experimental.tensor_float_32_execution_enabled",
        lambda tf: tf.config.experimental.tensor_float_32_execution_enabled(),
    ),
    ("jax", "jax_default_matmul_precision", lambda jax: jax.config.jax_default_matmul_precision),
    ("jax", "jax_enable_x64", lambda jax: jax.config.jax_enable_x64),
)


def precision_switches() -> dict:
    """The precision switches of the frameworks imported in this process, by their API names.

    Recorded in the run's ``build`` so a results file says which precision a kernel was
    allowed to use; a switch an older release lacks is left out.
    """
    found = {}
    for module, name, read in _PRECISION_SWITCHES:
        if module not in sys.modules:
            continue
        try:
            value = read(sys.modules[module])
        except Exception:  # an attribute this release lacks (e.g. fp32_precision before torch 2.9)
            continue
        found[name] = value if isinstance(value, (bool, int, float, str)) or value is None else str(value)
    return found
