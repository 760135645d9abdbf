"""The adapter registry: built-in adapters by name, entry points, and ``pkg.module:Class``.

Adapter modules import their framework lazily (inside ``execute``), so importing every
module here is cheap and works with no framework installed.
"""

from __future__ import annotations

import importlib
from importlib import metadata

from .base import Adapter, NativeCall, Unsupported

# Each module defines ADAPTERS, a list of Adapter subclasses.
BUILTIN_MODULES = (
    "conformance.adapters.torch_api",
    "conformance.adapters.paddle_api",
    "conformance.adapters.tensorflow_api",
    "conformance.adapters.keras_api",
    "conformance.adapters.mxnet_api",
    "conformance.adapters.jax_api",
    "conformance.adapters.keras_backends",
    "conformance.adapters.opencv_caffe_api",
    "conformance.adapters.onnxruntime_api",
    "conformance.adapters.onnx_reference_api",
    "conformance.adapters.onnx_shape_inference_api",
    "conformance.adapters.tf_keras_api",
    "conformance.adapters.openvino_api",
    "conformance.adapters.tflite_api",
    "conformance.adapters.tract_api",
    "conformance.adapters.torch_compile_api",
    "conformance.adapters.tvm_api",
    "conformance.adapters.iree_api",
    "conformance.adapters.tf2onnx_api",
    "conformance.adapters.tf2onnx_keras_api",
    "conformance.adapters.openvino_onnx_api",
    "conformance.adapters.flax_api",
    "conformance.adapters.mlx_api",
    "conformance.adapters.tinygrad_api",
    "conformance.adapters.mindspore_api",
    "conformance.adapters.tfjs_api",
    "conformance.adapters.tfjs_layers_api",
    "conformance.adapters.onnxruntime_web_api",
    "conformance.adapters.onnxruntime_node_api",
    "conformance.adapters.torch_onnx_api",
    # The backward: gradient adapters (``<forward>.grad`` and the explicit-gradient APIs).
    "conformance.adapters.torch_grad_api",
    "conformance.adapters.tensorflow_grad_api",
    "conformance.adapters.jax_grad_api",
    "conformance.adapters.mxnet_grad_api",
    "conformance.adapters.paddle_grad_api",
    "conformance.adapters.flax_grad_api",
    "conformance.adapters.mlx_grad_api",
    "conformance.adapters.keras_grad_api",
    "conformance.adapters.mindspore_grad_api",
    "conformance.adapters.tfjs_grad_api",
    "conformance.adapters.tinygrad_grad_api",
)
ENTRY_POINT_GROUP = "conformance.adapters"


class UnknownAdapter(LookupError):
    pass


def builtin_adapters() -> dict[str, type[Adapter]]:
    found: dict[str, type[Adapter]] = {}
    for module_name in BUILTIN_MODULES:
        module = importlib.import_module(module_name)
        for cls in module.ADAPTERS:
            found[cls.name] = cls
    return found


def entry_point_adapters() -> dict[str, type[Adapter]]:
    found: dict[str, type[Adapter]] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        for cls in loaded if isinstance(loaded, (list, tuple)) else [loaded]:
            found[cls.name] = cls
    return found


def load_adapter_path(spec: str) -> type[Adapter]:
    """``pkg.module:Class`` -> the class (third-party adapters)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise UnknownAdapter(f"adapter path must be 'pkg.module:Class' (got {spec!r})")
    cls = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UnknownAdapter(f"{spec!r} is not a conformance.adapters.Adapter subclass")
    return cls


def all_adapters() -> dict[str, type[Adapter]]:
    return {**builtin_adapters(), **entry_point_adapters()}


def get_adapter(name: str) -> type[Adapter]:
    """By registered name or ``pkg.module:Class``; an unknown name lists the known ones."""
    if ":" in name:
        return load_adapter_path(name)
    known = all_adapters()
    if name not in known:
        raise UnknownAdapter(f"unknown adapter {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def default_run_frameworks() -> list[str]:
    """The frameworks the main job runs: those of the built-in CPU adapters, in registry
    order (a device column such as torch-cuda runs where its device is). tox.ini's
    `conformance` label lists the same (tox cannot read this; a test keeps them equal)."""
    return label_frameworks("conformance")


def label_frameworks(label: str) -> list[str]:
    """The frameworks of the built-in CPU adapters whose ``run_label`` is ``label`` (the tox
    label that runs them, "conformance" for every built-in one today), in registry order."""
    found: list[str] = []
    for cls in builtin_adapters().values():
        if getattr(cls, "device", "cpu") == "cpu" and cls.run_label == label and cls.framework not in found:
            found.append(cls.framework)
    return found


def frameworks() -> list[str]:
    return sorted({cls.framework for cls in all_adapters().values()})


def adapters_for_framework(framework: str) -> list[type[Adapter]]:
    chosen = [cls for cls in all_adapters().values() if cls.framework == framework]
    if not chosen:
        raise UnknownAdapter(f"unknown framework {framework!r}; known: {', '.join(frameworks())}")
    return chosen


__all__ = [
    "default_run_frameworks",
    "Adapter",
    "NativeCall",
    "Unsupported",
    "UnknownAdapter",
    "adapters_for_framework",
    "all_adapters",
    "frameworks",
    "get_adapter",
    "label_frameworks",
]
