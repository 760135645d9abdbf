"""The report's "find my layer" panel: its scripts (read the pasted call, answer every
target, draw the table) and the tables they read (conformance.port.export, as a JSON
literal escaped for a script element), appended to the page's one inline script so the
CSP's single hash covers them and the page keeps its two script elements."""

from __future__ import annotations

import functools
from importlib import resources

from ..port.export import page_tables, target_tables
from .safejson import json_for_script

SCRIPTS = ("port_source.js", "port_targets.js", "port_panel.js")
# The calls the API picker fills in: one per source family the page reads, (call, input shape) or
# (call, input shape, weight shape) where the call names its weight: ONNX's make_node names its
# tensors by string, so its channels and kernel come only from the weight's shape (--weight-shape).
EXAMPLES = {
    "torch.nn.ConvTranspose2d": ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)", "1,16,8,8"),
    "torch.nn.ConvTranspose1d": ("torch.nn.ConvTranspose1d(4, 4, 4, stride=2, padding=1)", "1,4,16"),
    "torch.nn.ConvTranspose3d": ("torch.nn.ConvTranspose3d(8, 4, 3, stride=2, padding=1, output_padding=1)", "1,8,4,4,4"),
    "torch.nn.functional.conv_transpose2d": ("torch.nn.functional.conv_transpose2d(x, torch.randn(16, 8, 4, 4), b, stride=2, padding=1)", "1,16,8,8"),
    "torch.nn.Conv2d": ("torch.nn.Conv2d(3, 16, 3, stride=2, padding=1)", "1,3,32,32"),
    "keras.layers.Conv2DTranspose": ("keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')", "1,16,16,32"),
    "keras.layers.Conv1DTranspose": ("keras.layers.Conv1DTranspose(8, 4, strides=2, padding='valid', output_padding=1)", "1,16,4"),
    "keras.layers.Conv2D": ("keras.layers.Conv2D(16, 3, strides=2, padding='same')", "1,32,32,3"),
    "torch.nn.functional.conv2d": ("torch.nn.functional.conv2d(x, torch.randn(16, 3, 3, 3), None, padding='same')", "1,3,32,32"),
    "tf_keras.layers.Conv2DTranspose": ("tf_keras.layers.Conv2DTranspose(8, 4, strides=2, padding='same', use_bias=False)", "1,16,16,32"),
    "tf.layers.conv2d_transpose": ("tf.layers.conv2d_transpose(x, 8, 3, strides=2, padding='same')", "1,16,16,32"),
    "tf.nn.conv2d_transpose": ("tf.nn.conv2d_transpose(x, tf.zeros((4, 4, 8, 32)), output_shape=[1, 32, 32, 8], strides=2, padding='SAME')",
                               "1,16,16,32"),
    "tf.nn.conv2d": ("tf.nn.conv2d(x, tf.zeros((3, 3, 3, 16)), strides=2, padding='SAME')", "1,32,32,3"),
    "mxnet.gluon.nn.Conv2DTranspose": ("mxnet.gluon.nn.Conv2DTranspose(8, 4, strides=2, padding=1, in_channels=16)", "1,16,8,8"),
    "mxnet.gluon.nn.Conv2D": ("mxnet.gluon.nn.Conv2D(16, 3, strides=2, padding=1, in_channels=3)", "1,3,32,32"),
    "mx.nd.Deconvolution": (("mx.nd.Deconvolution(data=x, weight=mx.nd.zeros((16, 8, 4, 4)), kernel=(4, 4), stride=(2, 2),"
                             " pad=(1, 1), num_filter=8)"), "1,16,8,8"),
    "jax.lax.conv_transpose": ("jax.lax.conv_transpose(x, jnp.zeros((3, 3, 16, 8)), (2, 2), 'SAME')", "1,8,8,16"),
    "jax.lax.conv_general_dilated": ("jax.lax.conv_general_dilated(x, jnp.zeros((16, 3, 3, 3)), (2, 2), 'SAME')", "1,3,32,32"),
    "paddle.nn.Conv2DTranspose": ("paddle.nn.Conv2DTranspose(16, 8, 3, stride=2, padding=1, output_padding=1)", "1,16,8,8"),
    "paddle.nn.Conv2D": ("paddle.nn.Conv2D(3, 16, 3, stride=2, padding='same')", "1,3,32,32"),
    "flax.linen.ConvTranspose": ("flax.linen.ConvTranspose(8, (3, 3), strides=(2, 2), padding='SAME', transpose_kernel=True)", "1,8,8,16"),
    "flax.linen.Conv": ("flax.linen.Conv(16, (3, 3), strides=(2, 2), padding='SAME')", "1,32,32,3"),
    "onnx.helper.make_node": (("onnx.helper.make_node('ConvTranspose', ['x', 'w', 'b'], ['y'], strides=[2, 2], pads=[1, 1, 1, 1],"
                               " output_padding=[1, 1])"), "1,16,8,8", "16,8,3,3"),
}


@functools.cache
def _tables() -> dict:
    return {**page_tables(), **target_tables()}


def panel_data_text() -> str:
    return json_for_script(_tables())


def panel_script() -> str:
    folder = resources.files("conformance.report") / "static"
    scripts = [(folder / name).read_text(encoding="utf-8") for name in SCRIPTS]
    return "\n".join([f"window.PortTables = {panel_data_text()};", *scripts])


def panel_model() -> dict:
    rows = [row for rows in _tables()["targets"].values() for row in rows]
    return {"port_examples": EXAMPLES, "port_answered": sum(1 for row in rows if row["family"]), "port_targets": len(rows)}
