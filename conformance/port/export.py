"""What the report's "find my layer" panel reads, as JSON: every source API's signature
(name pattern, positional order, defaults, aliases) and the parser's accepted forms, so the
page binds a pasted call exactly as ``signatures.Signature.bind`` does without a second,
hand-kept copy of 20 signatures."""

from __future__ import annotations

from .inverse import PATTERNS as INVERSE_PATTERNS
from .inverse.onnxlike import ONNX_MODES
from .inverse.tflike import TF_MODES
from .inverse.xla import MODES as LAX_MODES
from .parse import ACCEPTED, SHAPE_CALLS
from .signatures import NEUTRAL
from .sources import ACCEPTED_APIS, SOURCES, TENSOR_PARAMS

# The attributes sources.onnx_node reads from make_node(**attrs) (its error lists them: the
# page's agreement test compares that line, so a change on either side shows).
ONNX_ATTRIBUTES = ("auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads", "strides")


def _js_pattern(pattern: str) -> str:
    """Python's named group ``(?P<d>`` is JavaScript's ``(?<d>``; the rest of these patterns is common syntax."""
    return pattern.replace("(?P<", "(?<")


def page_tables() -> dict:
    sources = []
    for pattern, signature, reader in SOURCES:
        sources.append({
            "pattern": _js_pattern(pattern),
            "reader": reader.__name__,
            "params": list(signature.params),
            "defaults": signature.defaults,
            "aliases": signature.aliases,
            "takes_attributes": signature.takes_attributes,
        })
    # Which inverse reads a reader's keyword form: the page picks its function by the same
    # patterns inverse.inverse_for matches, in the same order.
    inverses = [{"pattern": _js_pattern(pattern.pattern), "function": function.__name__}
                for pattern, function in INVERSE_PATTERNS]
    return {
        "sources": sources,
        "inverses": inverses,
        "tensor_params": sorted(TENSOR_PARAMS),
        "modes": {"tf": TF_MODES, "onnx": ONNX_MODES, "lax": LAX_MODES},
        "onnx_attributes": list(ONNX_ATTRIBUTES),
        "neutral": sorted(NEUTRAL),
        "accepted": ACCEPTED,
        "accepted_apis": ACCEPTED_APIS,
        "shape_calls": list(SHAPE_CALLS),
    }


def _families() -> dict:
    """The translations the page's rules restate (port_targets.js), by the adapter class whose
    ``translate`` (and, for torch's functions, ``arguments``) they restate: an adapter is
    answered in the page only when it runs exactly that code, so a changed or wrapped
    translation drops out of the page instead of drifting from the CLI."""
    from ..adapters.keras_api import KerasConv, KerasConvTranspose
    from ..adapters.mxnet_api import GluonConv, GluonConvTranspose, NdConvolution, NdDeconvolution, NdDeconvolutionTargetShape
    from ..adapters.onnxruntime_api import OnnxNodeAdapter
    from ..adapters.tensorflow_api import TfConvolution, TfConvTranspose
    from ..adapters.paddle_api import PaddleConvLayer, PaddleConvTransposeLayer, PaddleFunctionalConv, PaddleFunctionalConvTranspose
    from ..adapters.torch_api import TorchConvModule, TorchConvTransposeModule, TorchFunctionalConv, TorchFunctionalConvTranspose

    return {"torch_functional_transpose": TorchFunctionalConvTranspose, "torch_module_transpose": TorchConvTransposeModule,
            "torch_functional_conv": TorchFunctionalConv, "torch_module_conv": TorchConvModule,
            "keras_transpose": KerasConvTranspose, "keras_conv": KerasConv, "onnx_node": OnnxNodeAdapter,
            "paddle_functional_transpose": PaddleFunctionalConvTranspose, "paddle_functional_conv": PaddleFunctionalConv,
            "paddle_layer_transpose": PaddleConvTransposeLayer, "paddle_layer_conv": PaddleConvLayer,
            "tf_nn_transpose": TfConvTranspose, "tf_nn_conv": TfConvolution,
            "mxnet_deconvolution": NdDeconvolution, "mxnet_target_shape": NdDeconvolutionTargetShape,
            "mxnet_convolution": NdConvolution, "gluon_transpose": GluonConvTranspose, "gluon_conv": GluonConv}


def _wrapped(cls):
    """The adapter class whose translation a pass-through wrapper runs (the wrapper changes
    only the note, the doc link or the API's name, which the probe reads), else ``cls``."""
    from ..adapters.keras_api import KerasConv, KerasConvTranspose
    from ..adapters.tf_keras_api import TfKerasConv, TfKerasConvTranspose
    from ..adapters.torch_compile_api import _InductorModule
    from ..adapters.torch_onnx_api import _TorchOnnxAdapter

    if cls.translate is _InductorModule.translate:  # super().translate, with a note
        return cls.__mro__[cls.__mro__.index(_InductorModule) + 1]
    if cls.translate is _TorchOnnxAdapter.translate:  # self.source().translate, with a note
        return cls.source
    return {TfKerasConvTranspose.translate: KerasConvTranspose, TfKerasConv.translate: KerasConv}.get(cls.translate, cls)


def _family_of(cls) -> str | None:
    from ..adapters.base import Adapter

    if cls.express is not Adapter.express or "float32" not in cls.dtypes:  # checks of its own before translate
        return None
    cls = _wrapped(cls)
    for family, ref in _families().items():
        if cls.translate is ref.translate and getattr(cls, "arguments", None) is getattr(ref, "arguments", None):
            return family
    return None


def _probe(cls, op: str, dims: int) -> dict:
    """The adapter's API name and layouts at this rank, from its own translation of a plain layer."""
    from .layer import Layer

    from ..adapters.base import NativeCall

    for padding in (tuple((0, 0) for _ in range(dims)), "valid"):  # MXNet's target_shape takes only a mode
        layer = Layer(op, (1,) * dims, (1,) * dims, (1,) * dims, padding, 1, 1, input_shape=(1, 1, *(3,) * dims))
        call = cls().express(layer.case())  # no bias: some APIs (tf.nn) have no bias argument
        if isinstance(call, NativeCall):
            return {"api": call.api, "input_layout": call.input_layout, "kernel_layout": call.kernel_layout}
    raise ValueError(f"{cls.name}: expresses no plain {dims}-D {op}, so the page cannot learn its API name")


def target_tables() -> dict:
    """Per default target of each op: its family (or None: the page sends the user to the CLI),
    ranks, kind, and per rank its API name and layouts."""
    from ..adapters import all_adapters
    from ..vocabulary import PARAMETRISED_REASONS, UNSUPPORTED_REASONS
    from .targets import FLIPPED, PADDING_REASONS, default_targets

    adapters = all_adapters()
    targets = {}
    for op in ("conv_transpose", "conv"):
        rows = []
        for name in default_targets(op):
            cls = adapters[name]
            family = _family_of(cls)
            row = {"adapter": name, "family": family, "kind": cls.kind, "flipped": name in FLIPPED,
                   "spatial_dims": sorted(cls.spatial_dims)}
            if family:
                row["ranks"] = {str(d): _probe(cls, op, d) for d in sorted(cls.spatial_dims)}
            rows.append(row)
        targets[op] = rows
    return {"targets": targets, "reasons": dict(UNSUPPORTED_REASONS), "parametrised": dict(PARAMETRISED_REASONS),
            "padding_reasons": list(PADDING_REASONS)}
