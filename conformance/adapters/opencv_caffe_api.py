"""OpenCV's dnn implementation of Caffe's ``Deconvolution`` and ``Convolution`` layers.

1. Each case becomes a real Caffe model: a ``.prototxt`` (an Input layer and the layer with
   its ``convolution_param``) and a binary ``.caffemodel`` holding the layer's blobs, read
   by ``cv2.dnn.readNetFromCaffe`` and run on DNN_BACKEND_OPENCV / DNN_TARGET_CPU (float16
   cases on DNN_TARGET_CPU_FP16, see 4.). This tests OpenCV's reading and implementation of
   Caffe's layers, not Caffe (no Caffe build installs here).
2. Caffe is channels first like the canonical layouts: Convolution weights are
   (num_output, C_in / group, *k), Deconvolution weights (C_in, num_output / group, *k)
   (base_conv_layer.cpp: a Deconvolution keeps the weight shape of the Convolution it
   transposes, bottom and top swapped); no relayout.
3. Caffe's ``pad`` is one number per spatial dim for both sides, and its Deconvolution
   has no output padding (adj) or output shape: ``O = s(L-1) + d(k-1) + 1 - 2*pad``.
   Everything else is Unsupported. The functions below are pure integer arithmetic on the
   canonical geometry (``canonical.axes``); cv2 and google.protobuf are imported by the
   rendered call only (``repro_source``: it writes both files and runs them, and it is what
   the run and the repro script execute).
4. dtypes: OpenCV's dnn says a computation's precision with its target (dnn.hpp ``Target``),
   and ``Net::setInput`` takes 'CV_32F or CV_8U' blobs; the importer builds float32 blobs
   (from ``data``, or ``raw_data`` of type FLOAT/FLOAT16; ``double_data`` is not read). So
   float32 is DNN_TARGET_CPU and float16 is DNN_TARGET_CPU_FP16 (documented 'Only the ARM
   platform is supported': elsewhere OpenCV logs 'fall back to DNN_TARGET_CPU' and computes
   in float32, its own answer). No target and no input depth says float64 or bfloat16:
   those are UNSUPPORTED.
5. CPU dispatch: OpenCV picks SIMD code by CPUID; ``OPENCV_CPU_DISABLE`` (names as
   ``cv2.getCPUFeaturesLine()`` prints them: ``AVX512-SKX``, ``AVX2``, ``FMA3``, ``AVX``,
   ``FP16``, comma separated) masks features, and ``build_properties`` reports the highest
   dispatched feature left enabled as ``cpu_capability``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .caffe_proto import descriptor_text
from .canonical import Axis, axes, effective_kernel, full_transpose_length
from .layout import canonical_input_layout, canonical_kernel_layout

DOCS_DECONVOLUTION = "https://caffe.berkeleyvision.org/tutorial/layers/deconvolution.html"
DOCS_CONVOLUTION = "https://caffe.berkeleyvision.org/tutorial/layers/convolution.html"
DOCS_CAFFE_PROTO = (
    "https://github.com/BVLC/caffe/blob/master/src/caffe/proto/caffe.proto (ConvolutionParameter:"
    " 'repeated uint32 pad = 3; // The padding size; defaults to 0', one value for both sides"
    " of a dim; no output padding or output shape field)"
)
DOCS_DECONV_SHAPE = (
    "https://github.com/BVLC/caffe/blob/master/src/caffe/layers/deconv_layer.cpp (compute_output_shape:"
    " 'stride * (input_dim - 1) + kernel_extent - 2 * pad')"
)
DOCS_CAFFE_IMPORTER = (
    "https://github.com/opencv/opencv/blob/4.x/modules/dnn/src/caffe/caffe_importer.cpp (blobFromProto:"
    " blobs are created CV_32F from BlobProto's 'repeated float data' or raw_data of type FLOAT/FLOAT16;"
    " double_data is not read)"
)
DOCS_DNN_PRECISION = (
    "https://docs.opencv.org/4.x/db/d30/classcv_1_1dnn_1_1Net.html (setInput: 'A new blob. Should have"
    " CV_32F or CV_8U depth'; the precision is the target's: DNN_TARGET_CPU float32,"
    " DNN_TARGET_CPU_FP16 float16, no float64 or bfloat16 target)"
)
# The case dtype -> the target that computes in it (cv2.dnn attribute names).
TARGETS = {"float32": "DNN_TARGET_CPU", "float16": "DNN_TARGET_CPU_FP16"}

NET_NAME = "conformance"
INPUT_NAME = "data"
CALL_NOTE = (
    "a Caffe model (.prototxt + .caffemodel) read by cv2.dnn.readNetFromCaffe and run on"
    " DNN_BACKEND_OPENCV and the call's target: OpenCV's implementation of Caffe's layer, not Caffe itself"
)


def cpu_capability(features_line: str) -> str:
    """The highest CPU feature OpenCV dispatches to here, from ``cv2.getCPUFeaturesLine()``.

    The line lists the baseline features, then the dispatched ones marked ``*``; a ``?``
    after a name means it is not available at run time (absent, or masked by
    ``OPENCV_CPU_DISABLE``): "SSE SSE2 SSE3 *SSE4.1 *SSE4.2 *AVX *FP16 *AVX2 *AVX512-SKX?"
    gives "AVX2". With no dispatched feature left, the last baseline feature.
    """
    names = features_line.split()
    dispatched = [name[1:] for name in names if name.startswith("*") and not name.endswith("?")]
    if dispatched:
        return dispatched[-1]
    baseline = [name for name in names if not name.startswith("*") and not name.endswith("?")]
    return baseline[-1] if baseline else ""


# -- Caffe's output-size models ---------------------------------------------------------------
def deconvolution_output_length(length: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """Caffe Deconvolution (deconv_layer.cpp compute_output_shape):

    ``O = stride * (L - 1) + dilation * (k - 1) + 1 - 2 * pad``: the full scatter result
    (``pad`` 0) cropped by ``pad`` at both ends. There is no output padding.
    """
    return full_transpose_length(length, kernel, stride, dilation) - 2 * pad


def convolution_output_length(length: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """Caffe Convolution (conv_layer.cpp compute_output_shape):

    ``O = (L + 2 * pad - (dilation * (k - 1) + 1)) / stride + 1`` in C integer division,
    i.e. floor for the non-negative numerators of valid cases.
    """
    return (length + 2 * pad - effective_kernel(kernel, dilation)) // stride + 1


# -- canonical padding -> Caffe's pad ---------------------------------------------------------
def symmetric_pad(before: int, after: int) -> int | Unsupported:
    """An explicit (before, after) pair -> Caffe's one ``pad`` for both sides, or Unsupported."""
    if before != after:
        return Unsupported("asymmetric-padding", f"padding {before} before, {after} after", DOCS_CAFFE_PROTO)
    return before


def deconvolution_axis_pad(axis: Axis) -> int | Unsupported:
    """One spatial dim: canonical padding (a mode or a (before, after) pair) -> Caffe's ``pad``.

    Caffe's window is ``full[pad : F - pad]`` (``deconvolution_output_length``). An explicit
    pair is expressible when ``before == after``, 'valid' is ``pad`` 0, and either needs an
    ``output_shape`` (if any) to be that window's length; 'same'/'same_lower' crop ``F - O``
    (the canonical window's O: ``L*s`` or output_shape) and are expressible when that crop
    is even and >= 0. A non-positive stride or dilation (an invalid case) is passed on for
    OpenCV to refuse. Output padding is the caller's to refuse (``deconvolution_pads``).
    """
    padding, full = axis.padding, axis.full
    if isinstance(padding, str) and padding != "valid":
        _, out = axis.window()
        crop = full - out
        if axis.stride >= 1 and axis.dilation >= 1:
            if crop < 0:
                return Unsupported(
                    "output-padding" if axis.output_shape is None else "output-shape",
                    f"'{padding}' asks for {out} positions, {-crop} past the full result ({full}):"
                    " Caffe's Deconvolution has no output padding",
                    DOCS_CAFFE_PROTO,
                )
            if crop % 2:
                return Unsupported(
                    "asymmetric-padding",
                    f"'{padding}' crops {crop} (odd) from the full result ({full}):"
                    " Caffe's pad crops both ends equally",
                    DOCS_CAFFE_PROTO,
                )
        return max(crop, 0) // 2
    pad = 0 if padding == "valid" else symmetric_pad(*padding)
    if isinstance(pad, Unsupported):
        return pad
    caffe_out = deconvolution_output_length(axis.length, axis.kernel, axis.stride, pad, axis.dilation)
    if axis.output_shape is not None and axis.output_shape != caffe_out:
        return Unsupported(
            "output-shape",
            f"output_shape {axis.output_shape} with pad {pad}: Caffe's Deconvolution gives {caffe_out}"
            " (no output padding)",
            DOCS_DECONV_SHAPE,
        )
    return pad


def convolution_axis_pad(axis: Axis) -> int | Unsupported:
    """One spatial dim: canonical padding -> Caffe Convolution's ``pad``, or Unsupported.

    Explicit pairs need ``before == after``; 'valid' is 0; 'same'/'same_lower' add the
    canonical 'same' total (``Axis.same_total``), expressible when it is even: half on each
    side gives Caffe's floor output ``ceil(L / s)``, the same pad for both modes.
    """
    padding = axis.padding
    if not isinstance(padding, str):
        return symmetric_pad(*padding)
    if padding == "valid":
        return 0
    total = axis.same_total()
    if total % 2:
        return Unsupported(
            "asymmetric-padding",
            f"'{padding}' needs total padding {total} with stride {axis.stride}; Caffe pads both sides equally",
            DOCS_CAFFE_PROTO,
        )
    return total // 2


def caffe_pads(case: Case, axis_pad: Callable[[Axis], int | Unsupported]) -> list[int] | Unsupported:
    """``axis_pad`` over the case's spatial dims: Caffe's ``pad`` per dim, or the first
    dim's Unsupported, naming the dim."""
    pads = []
    for i, axis in enumerate(axes(case)):
        pad = axis_pad(axis)
        if isinstance(pad, Unsupported):
            return Unsupported(pad.reason, f"spatial dim {i}: {pad.detail}", pad.doc)
        pads.append(pad)
    return pads


def deconvolution_pads(case: Case) -> list[int] | Unsupported:
    """The case -> Caffe Deconvolution ``pad`` per spatial dim, or Unsupported."""
    if any(case.output_padding):
        return Unsupported(
            "output-padding",
            f"output_padding {list(case.output_padding)}: Caffe's ConvolutionParameter has no output padding (adj)",
            DOCS_CAFFE_PROTO,
        )
    return caffe_pads(case, deconvolution_axis_pad)


def convolution_pads(case: Case) -> list[int] | Unsupported:
    """The case -> Caffe Convolution ``pad`` per spatial dim, or Unsupported.

    A non-positive stride under a mode gets pad 0 in every dim, so OpenCV itself is asked
    about the stride.
    """
    if isinstance(case.padding, str) and min(case.stride) < 1:
        return [0] * case.spatial_dims
    return caffe_pads(case, convolution_axis_pad)


# -- the Caffe model ----------------------------------------------------------------------------
def convolution_param(case: Case, num_output: int, pads: list[int]) -> dict[str, Any]:
    """Caffe's ConvolutionParameter fields, repeated ones with one value per spatial dim.

    Caffe documents pad, kernel_size, stride and dilation as "given as a single value for
    equal dimensions in all spatial dimensions, or once per spatial dimension"; the per-dim
    form is the one that cannot be read with another number of dims.
    """
    return {
        "num_output": num_output,
        "bias_term": case.b is not None,
        "kernel_size": list(case.kernel_spatial),
        "stride": list(case.stride),
        "pad": list(pads),
        "dilation": list(case.dilation),
        "group": case.groups,
    }


def layer_name(layer_type: str) -> str:
    return layer_type.lower()


def prototxt(layer_type: str, input_shape, param: dict[str, Any]) -> str:
    """The .prototxt text: an Input layer of ``input_shape`` feeding one ``layer_type`` layer."""
    dims = " ".join(f"dim: {int(size)}" for size in input_shape)
    fields = []
    for key, value in param.items():
        for item in value if isinstance(value, list) else [value]:
            text = ("true" if item else "false") if isinstance(item, bool) else str(int(item))
            fields.append(f"    {key}: {text}")
    name = layer_name(layer_type)
    return "\n".join(
        [
            f'name: "{NET_NAME}"',
            "layer {",
            f'  name: "{INPUT_NAME}"',
            '  type: "Input"',
            f'  top: "{INPUT_NAME}"',
            f"  input_param {{ shape {{ {dims} }} }}",
            "}",
            "layer {",
            f'  name: "{name}"',
            f'  type: "{layer_type}"',
            f'  bottom: "{INPUT_NAME}"',
            f'  top: "{name}"',
            "  convolution_param {",
            *fields,
            "  }",
            "}",
            "",
        ]
    )


_REPRO = '''\
import numpy as np
import cv2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

# Caffe's caffe.proto messages a .caffemodel needs (Caffe's own field numbers), built at run time.
CAFFE_WEIGHTS_PROTO = """
{descriptor}"""
file_proto = text_format.Parse(CAFFE_WEIGHTS_PROTO, descriptor_pb2.FileDescriptorProto())
pool = descriptor_pool.DescriptorPool()
pool.AddSerializedFile(file_proto.SerializeToString())
NetParameter = message_factory.GetMessageClass(pool.FindMessageTypeByName("caffe.NetParameter"))

# The .prototxt: the network, an Input layer feeding the layer under test.
prototxt = """
{prototxt}"""
# The .caffemodel: the layer's blobs (the weights, then the bias), float32. Caffe's weight
# layout is x's and w's own (channels first), so nothing is transposed.
model = NetParameter(name={net_name!r})
layer = model.layer.add(name={layer_name!r}, type={layer_type!r})
for array in ([w] if b is None else [w, b]):
    blob = layer.blobs.add()
    blob.shape.dim.extend(array.shape)
    blob.data.extend(np.asarray(array, dtype=np.float32).ravel().tolist())

# Both files from memory (readNetFromCaffe also takes their paths), run on OpenCV's own backend.
net = cv2.dnn.readNetFromCaffe(
    np.frombuffer(prototxt.encode(), dtype=np.uint8), np.frombuffer(model.SerializeToString(), dtype=np.uint8)
)
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.{target})  # the target that computes in the case's dtype
net.setInput(np.asarray(x, dtype=np.float32))  # setInput takes CV_32F; x holds values of the case's dtype
y = net.forward().astype(np.float64)
'''


# -- adapters -------------------------------------------------------------------------------------
class _OpenCvCaffeLayer(Adapter):
    """One Caffe layer type through ``cv2.dnn.readNetFromCaffe``; subclasses give type and pads."""

    framework = "opencv"
    module = "cv2"
    pip_package = "opencv-python-headless"
    pip_extras = ("protobuf>=4.22",)
    LAYER_TYPE = ""  # Caffe's layer type string
    # A CPU target per dtype (TARGETS): float32 DNN_TARGET_CPU, float16 DNN_TARGET_CPU_FP16.
    dtypes = frozenset(TARGETS)
    dtype_reasons = {
        "float64": "no OpenCV dnn target computes in float64 and Net.setInput takes CV_32F or CV_8U;"
        " the importer builds CV_32F blobs (double_data is not read): "
        + DOCS_DNN_PRECISION
        + "; "
        + DOCS_CAFFE_IMPORTER,
        "bfloat16": "no OpenCV dnn target computes in bfloat16, Net.setInput takes CV_32F or CV_8U and"
        " OpenCV's BlobProto raw_data_type has no bfloat16: " + DOCS_DNN_PRECISION,
    }

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """OpenCV's CPU dispatch: ``cpu_capability`` is the highest dispatched feature enabled
        at run time (``OPENCV_CPU_DISABLE`` masks them), ``cpu_features`` the whole line."""
        import cv2

        line = cv2.getCPUFeaturesLine()
        return {"cpu_capability": cpu_capability(line), "cpu_features": line}

    @abc.abstractmethod
    def num_output(self, case: Case) -> int:
        """Caffe's num_output, read from the layer type's weight layout."""

    @abc.abstractmethod
    def pads(self, case: Case) -> list[int] | Unsupported:
        """Caffe's pad per spatial dim under the layer type's output-size model, or Unsupported."""

    def translate(self, case: Case) -> NativeCall | Unsupported:
        pads = self.pads(case)
        if isinstance(pads, Unsupported):
            return pads
        dims = case.spatial_dims
        return NativeCall(
            api="cv2.dnn.readNetFromCaffe",
            kwargs={
                "layer": self.LAYER_TYPE,
                "input_shape": list(case.x.shape),
                "convolution_param": convolution_param(case, self.num_output(case), pads),
                "target": TARGETS[case.dtype],
            },
            # Caffe's layouts are the canonical ones: nothing is relayouted.
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            note=CALL_NOTE,
        )

    def prototxt_text(self, call: NativeCall) -> str:
        """The call's .prototxt: its layer, input shape and convolution_param."""
        return prototxt(call.kwargs["layer"], call.kwargs["input_shape"], call.kwargs["convolution_param"])

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """Builds both Caffe files (the .caffemodel with protobuf, from Caffe's own message
        definitions) and runs them through cv2.dnn: what the run executes and the repro shows."""
        return _REPRO.format(
            descriptor=descriptor_text(),
            prototxt=self.prototxt_text(call),
            net_name=NET_NAME,
            layer_name=layer_name(self.LAYER_TYPE),
            layer_type=self.LAYER_TYPE,
            target=call.kwargs["target"],
        )


class OpenCvCaffeDeconvolution(_OpenCvCaffeLayer):
    """Caffe's ``Deconvolution`` layer as OpenCV's dnn module implements it (not Caffe itself).

    Weights (C_in, num_output / group, *k); ``O = s(L-1) + d(k-1) + 1 - 2*pad``.
    """

    name = "opencv.caffe.Deconvolution"
    op = "conv_transpose"
    docs = DOCS_DECONVOLUTION
    LAYER_TYPE = "Deconvolution"

    def num_output(self, case: Case) -> int:
        return case.w.shape[1] * case.groups

    def pads(self, case: Case) -> list[int] | Unsupported:
        return deconvolution_pads(case)


class OpenCvCaffeConvolution(_OpenCvCaffeLayer):
    """Caffe's ``Convolution`` layer as OpenCV's dnn module implements it (not Caffe itself).

    Weights (num_output, C_in / group, *k); ``O = floor((L + 2*pad - d(k-1) - 1) / s) + 1``.
    """

    name = "opencv.caffe.Convolution"
    op = "conv"
    docs = DOCS_CONVOLUTION
    LAYER_TYPE = "Convolution"

    def num_output(self, case: Case) -> int:
        return case.w.shape[0]

    def pads(self, case: Case) -> list[int] | Unsupported:
        return convolution_pads(case)


ADAPTERS = [OpenCvCaffeDeconvolution, OpenCvCaffeConvolution]
