"""What the report's "find my layer" panel reads, as JSON: every source API's signature
(name pattern, positional order, defaults, aliases) and the parser's accepted forms, so the
page binds a pasted call exactly as ``signatures.Signature.bind`` does without a second,
hand-kept copy of 20 signatures."""

from __future__ import annotations

from . import known
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
            "positional": signature.positional,
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
            "mxnet_convolution": NdConvolution, "gluon_transpose": GluonConvTranspose, "gluon_conv": GluonConv,
            **_more_families()}


def _more_families() -> dict:
    """The other APIs' translations: lax and Flax, OpenVINO's ops, MLX, tinygrad, MindSpore,
    TF.js (ops and layers) and OpenCV's Caffe layers."""
    from ..adapters.flax_api import FlaxLinenConv, FlaxLinenConvTranspose
    from ..adapters.jax_api import JaxConvGeneralDilated, JaxConvTranspose
    from ..adapters.mindspore_api import (
        MindsporeConvCell,
        MindsporeConvTransposeCell,
        MindsporeMintConvTranspose2d,
    )
    from ..adapters.mlx_api import MlxConv, MlxConvGeneral, MlxConvTranspose
    from ..adapters.opencv_caffe_api import (
        OpenCvCaffeConvolution,
        OpenCvCaffeDeconvolution,
    )
    from ..adapters.openvino_api import (
        OpenVinoConvolution,
        OpenVinoConvolutionBackpropData,
    )
    from ..adapters.tfjs_api import TfjsConv, TfjsConvTranspose
    from ..adapters.tfjs_layers_api import TfjsLayersConvTranspose
    from ..adapters.tinygrad_api import TinygradConv, TinygradConvTranspose

    return {"lax_transpose": JaxConvTranspose, "lax_conv": JaxConvGeneralDilated,
            "flax_transpose": FlaxLinenConvTranspose, "flax_conv": FlaxLinenConv,
            "openvino_transpose": OpenVinoConvolutionBackpropData, "openvino_conv": OpenVinoConvolution,
            "mlx_transpose": MlxConvTranspose, "mlx_conv": MlxConv, "mlx_conv_general": MlxConvGeneral,
            "tinygrad_transpose": TinygradConvTranspose, "tinygrad_conv": TinygradConv,
            "mindspore_cell_transpose": MindsporeConvTransposeCell, "mindspore_cell_conv": MindsporeConvCell,
            "mindspore_mint_transpose": MindsporeMintConvTranspose2d,
            "tfjs_transpose": TfjsConvTranspose, "tfjs_conv": TfjsConv, "tfjs_layers_transpose": TfjsLayersConvTranspose,
            "caffe_deconvolution": OpenCvCaffeDeconvolution, "caffe_convolution": OpenCvCaffeConvolution}


# The methods a family's rules restate beside translate (the class hooks translate calls): a
# subclass that overrides one runs other code, so it leaves the family.
RESTATED = ("translate", "arguments", "cell_args", "pads", "function", "kernel_layout", "channels", "num_output")
# Class attributes a family's rules read, per family (exported with the target's row).
FACTS = {"lax_transpose": ("TRANSPOSE_KERNEL", "KERNEL_CHANNELS"), "flax_transpose": ("API", "TRANSPOSE_KERNEL"),
         "flax_conv": ("API",), "caffe_deconvolution": ("LAYER_TYPE",), "caffe_convolution": ("LAYER_TYPE",)}


def _module_facts(family: str) -> dict:
    """The adapter modules' own tables a family's rules read (mode names, refusal wording,
    the ranks with explicit padding), exported rather than copied into the page."""
    from ..adapters import jax_api, mindspore_api, mlx_api, openvino_api, tfjs_api

    return {
        "lax_transpose": {"MODES": jax_api.TRANSPOSE_PADDING_MODES},
        "lax_conv": {"MODES": jax_api.CONV_PADDING_MODES},
        "flax_transpose": {"MODES": jax_api.TRANSPOSE_PADDING_MODES},  # flax_api's conv_transpose_padding_arg
        "openvino_transpose": {"AUTO_PAD": openvino_api.TRANSPOSE_AUTO_PAD},
        "openvino_conv": {"AUTO_PAD": openvino_api.CONV_AUTO_PAD},
        "mlx_transpose": {"REFUSALS": mlx_api.TRANSPOSE_REFUSALS},
        "mindspore_cell_transpose": {"CELL_MODES": list(mindspore_api.CELL_MODES)},
        "mindspore_cell_conv": {"CELL_MODES": list(mindspore_api.CELL_MODES)},
        "tfjs_transpose": {"EXPLICIT_DIMS": sorted(tfjs_api.EXPLICIT_PADDING_TRANSPOSE_DIMS)},
        "tfjs_conv": {"EXPLICIT_DIMS": sorted(tfjs_api.EXPLICIT_PADDING_CONV_DIMS)},
    }.get(family, {})


def _wrapped(cls):
    """The adapter class whose translation a pass-through wrapper runs (the wrapper changes
    only the note, the doc link or the API's name, which the probe reads), else ``cls``."""
    from ..adapters.keras_api import KerasConv, KerasConvTranspose
    from ..adapters.tf2onnx_api import _Tf2OnnxAdapter
    from ..adapters.tf_keras_api import TfKerasConv, TfKerasConvTranspose
    from ..adapters.tflite_api import _TfliteAdapter
    from ..adapters.torch_compile_api import _InductorModule
    from ..adapters.torch_onnx_api import _TorchOnnxAdapter

    if cls.translate is _InductorModule.translate:  # super().translate, with a note
        return cls.__mro__[cls.__mro__.index(_InductorModule) + 1]
    if cls.translate in (_TorchOnnxAdapter.translate, _TfliteAdapter.translate, _Tf2OnnxAdapter.translate):
        return cls.source  # self.source().translate, with a note
    return {TfKerasConvTranspose.translate: KerasConvTranspose, TfKerasConv.translate: KerasConv}.get(cls.translate, cls)


def _dtype_doc_express() -> set:
    """``express`` overrides that only name their API's dtype doc on a dtype refusal, then run
    ``Adapter.express``: for the port's float32 case they are ``Adapter.express``."""
    from ..adapters.base import Adapter
    from ..adapters.onnxruntime_web_api import OnnxJsNodeAdapter
    from ..adapters.tfjs_api import _TfjsAdapter
    from ..adapters.tract_api import _TractNodeAdapter

    return {Adapter.express, _TractNodeAdapter.express, OnnxJsNodeAdapter.express, _TfjsAdapter.express}


def _family_of(cls) -> str | None:
    if cls.express not in _dtype_doc_express() or "float32" not in cls.dtypes:  # checks of its own before translate
        return None
    cls = _wrapped(cls)
    for family, ref in _families().items():
        if all(getattr(cls, method, None) is getattr(ref, method, None) for method in RESTATED):
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


def target_tables(results_dir: str | None = None) -> dict:
    """Per default target of each op: its family (or None: the page sends the user to the CLI),
    ranks, kind, per rank its API name and layouts, the family's facts (class attributes its
    rules read), and the suite's recorded disagreements the CLI turns verdicts to none with
    (``known_disagreements``, from the results folder ``conformance port`` reads)."""
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
                facts = {**{fact: getattr(cls, fact) for fact in FACTS.get(family, ())}, **_module_facts(family)}
                if facts:
                    row["facts"] = facts
            rows.append(row)
        targets[op] = rows
    names = [row["adapter"] for rows in targets.values() for row in rows if not row["flipped"]]
    return {"targets": targets, "reasons": dict(UNSUPPORTED_REASONS), "parametrised": dict(PARAMETRISED_REASONS),
            "padding_reasons": list(PADDING_REASONS),
            "known_disagreements": known_disagreements(names, str(known.RESULTS_DIR if results_dir is None else results_dir))}


def geometry_text(key) -> str:
    """``known.geometry_key`` as the page computes it (port_targets.js geometryText): kernel,
    stride, dilation, groups, per dim (before, after), the padding's spelling, output_shape
    given or not. The op is the adapter's own."""
    _op, kernel, stride, dilation, groups, windows, (mode, no_shape) = key
    numbers = [",".join(map(str, values)) for values in (kernel, stride, dilation)]
    return "|".join([*numbers, str(groups), ";".join(f"{b},{a}" for b, a in windows), mode, "1" if no_shape else "0"])


def known_disagreements(names: list[str], results_dir: str) -> dict:
    """What ``known.disagreement`` finds per target and geometry, compactly: each string once
    in ``texts``; each distinct record once in ``records`` as [status, case, kind, reason]
    indices into texts (kind -1: none); each geometry once in ``geometries``; per target the
    pairs [geometry, record] (indices)."""
    texts: dict = {}
    records: dict = {}
    geometries: dict = {}
    by_target = {}

    def text(value):
        return -1 if value is None else texts.setdefault(value, len(texts))

    for name in names:
        pairs = []
        for key, found in known.recorded_index(name, results_dir).items():
            bad = known.disagreement(found)
            if bad is None:
                continue
            record = (text(bad.status), text(bad.case), text(bad.kind), text(bad.reason or bad.message))
            pairs.append([geometries.setdefault(geometry_text(key), len(geometries)),
                          records.setdefault(record, len(records))])
        if pairs:
            by_target[name] = sorted(pairs)
    return {"texts": list(texts), "records": [list(r) for r in records], "geometries": list(geometries),
            "targets": by_target}
