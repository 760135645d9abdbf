"""Keras 3's backward of keras.layers.Conv{1,2,3}D[Transpose], through the backend's autodiff.

The forward layer of ``keras_api`` (built, its weights set with ``set_weights``) called on
the channels-last input and differentiated by the backend Keras runs on, the way Keras'
own custom-training-loop guides do it:

* tensorflow: ``tf.GradientTape`` over the call, ``tape.gradient(out, [input, kernel,
  bias], output_gradients=g)``;
* jax: ``layer.stateless_call`` (the layer as a pure function of its variables) under
  ``jax.vjp`` w.r.t. the one tensor judged (the input, or the kernel or bias among the
  trainable variables), the others constants, cotangent ``g``: jax transposes only that
  tensor's path (one backward convolution, not two);
* torch: ``torch.autograd.grad(out, [input, kernel, bias], grad_outputs=g)`` on the
  variables' torch tensors (``variable.value``).

The upstream gradient has the output's layout, the input's (channels last); gradients come
back in Keras' layouts and are relaid to the canonical ones (exact).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .keras_api import KerasConv, KerasConvTranspose
from .keras_backends import KerasJaxConv, KerasJaxConvTranspose, KerasTorchConv, KerasTorchConvTranspose
from .layout import canonical_input_layout, canonical_kernel_layout
from .tensorflow_api import transpose_axes

DOCS_TF = "https://keras.io/guides/writing_a_custom_training_loop_in_tensorflow/"
DOCS_JAX = "https://keras.io/guides/writing_a_custom_training_loop_in_jax/"
DOCS_TORCH = "https://keras.io/guides/writing_a_custom_training_loop_in_torch/"
NOTES = {
    "tensorflow": "gradient by tf.GradientTape over the layer call, w.r.t. (input, kernel, bias), output_gradients g",
    "jax": "gradient by jax.vjp of layer.stateless_call w.r.t. the judged tensor (input, kernel or bias), cotangent g",
    "torch": "gradient by torch.autograd.grad(out, [input, kernel, bias], grad_outputs=g)",
}
_WHICH = {"grad_input": 0, "grad_weight": 1, "grad_bias": 2}


def gradient_lines(backend: str, quantity: str) -> list[str]:
    """Lines taking ``x_native``, ``g_native`` and the built ``layer`` to ``grad`` (numpy),
    the gradient named by ``quantity`` in Keras' layout."""
    which = _WHICH[quantity]
    if backend == "tensorflow":
        return [
            "import tensorflow as tf",
            "x_t = keras.ops.convert_to_tensor(x_native)",
            "with tf.GradientTape() as tape:",
            "    tape.watch(x_t)",
            "    out = layer(x_t)",
            "grads = tape.gradient(out, [x_t, *layer.trainable_weights], output_gradients=keras.ops.convert_to_tensor(g_native))",
            f"grad = keras.ops.convert_to_numpy(grads[{which}])  # (input, kernel, bias)[{which}]: {quantity}",
        ]
    if backend == "jax":
        return ["import jax", *jax_vjp_lines(quantity)]
    return [
        "import torch",
        "x_t = keras.ops.convert_to_tensor(x_native).requires_grad_(True)",
        "out = layer(x_t)",
        "weights = [v.value for v in layer.trainable_weights]  # [kernel, bias] as torch tensors",
        "grads = torch.autograd.grad(out, [x_t, *weights], grad_outputs=keras.ops.convert_to_tensor(g_native))",
        f"grad = keras.ops.convert_to_numpy(grads[{which}])  # (input, kernel, bias)[{which}]: {quantity}",
    ]


def jax_vjp_lines(quantity: str) -> list[str]:
    """jax.vjp of ``layer.stateless_call`` w.r.t. the tensor ``quantity`` judges, the others constants."""
    lines = [
        "trainable = [v.value for v in layer.trainable_variables]  # [kernel, bias]",
        "non_trainable = [v.value for v in layer.non_trainable_variables]",
        "x_j = keras.ops.convert_to_tensor(x_native)",
        "",
    ]
    if quantity == "grad_input":
        lines += [
            "# grad_input: the vjp w.r.t. the input alone, the variables constants",
            "def forward(x_j):",
            "    out, _ = layer.stateless_call(trainable, non_trainable, x_j)",
            "    return out",
            "",
            "out, backward = jax.vjp(forward, x_j)",
        ]
    else:
        which = _WHICH[quantity] - 1
        lines += [
            f"# {quantity}: the vjp w.r.t. trainable[{which}] alone, the input and the other variable constants",
            "def forward(variable):",
            f"    variables = [*trainable[:{which}], variable, *trainable[{which + 1}:]]",
            "    out, _ = layer.stateless_call(variables, non_trainable, x_j)",
            "    return out",
            "",
            f"out, backward = jax.vjp(forward, trainable[{which}])",
        ]
    return lines + [
        "(grad,) = backward(keras.ops.convert_to_tensor(g_native))",
        f"grad = keras.ops.convert_to_numpy(grad)  # {quantity}",
    ]


class _KerasGradient(GradientMixin):
    @property
    def gradient_note(self) -> str:  # type: ignore[override]  # one per backend
        return NOTES[self.backend]

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        to_x = transpose_axes(canonical_x, call.input_layout)
        back = {
            "grad_input": f"np.transpose(grad, {transpose_axes(call.input_layout, canonical_x)})  # -> {canonical_x}",
            "grad_weight": f"np.transpose(grad, {transpose_axes(call.kernel_layout, canonical_w)})  # -> {canonical_w}",
            "grad_bias": "grad",
        }[case.quantity]
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items() if key != "dtype")
        native_shape = (case.x.shape[0], *case.x.shape[2:], case.x.shape[1])
        lines = [
            *self.source_imports(),
            "",
            "np_dtype = np.dtype(dtype)",
            f"x_native = np.ascontiguousarray(np.transpose(x, {to_x}), dtype=np_dtype)  # {canonical_x} -> {call.input_layout}",
            f"kernel = np.ascontiguousarray(np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}),"
            f" dtype=np_dtype)  # {canonical_w} -> {call.kernel_layout}",
            f"g_native = np.ascontiguousarray(np.transpose(g, {to_x}), dtype=np_dtype)  # upstream gradient -> {call.input_layout}",
            f"layer = {call.api}({args}, dtype=dtype)",
            f"layer.build({native_shape})  # {call.input_layout}",
            "layer.set_weights([kernel] + ([] if b is None else [b.astype(np_dtype)]))",
            *gradient_lines(self.backend, case.quantity),
            "grad = np.asarray(grad).astype(np.float64)",
            f"y = {back}",
        ]
        return "\n".join(lines) + "\n"


class KerasConvTransposeGrad(_KerasGradient, KerasConvTranspose):
    name = "keras.layers.ConvTranspose.grad"
    docs = DOCS_TF


class KerasConvGrad(_KerasGradient, KerasConv):
    name = "keras.layers.Conv.grad"
    docs = DOCS_TF


class KerasJaxConvTransposeGrad(_KerasGradient, KerasJaxConvTranspose):
    name = "keras.layers.ConvTranspose@jax.grad"
    docs = DOCS_JAX


class KerasJaxConvGrad(_KerasGradient, KerasJaxConv):
    name = "keras.layers.Conv@jax.grad"
    docs = DOCS_JAX


class KerasTorchConvTransposeGrad(_KerasGradient, KerasTorchConvTranspose):
    name = "keras.layers.ConvTranspose@torch.grad"
    docs = DOCS_TORCH


class KerasTorchConvGrad(_KerasGradient, KerasTorchConv):
    name = "keras.layers.Conv@torch.grad"
    docs = DOCS_TORCH


ADAPTERS = [
    KerasConvTransposeGrad,
    KerasConvGrad,
    KerasJaxConvTransposeGrad,
    KerasJaxConvGrad,
    KerasTorchConvTransposeGrad,
    KerasTorchConvGrad,
]
