"""Real layers ported between torch, Keras, tf.nn, MXNet, JAX and ONNX Runtime: each
target's verdict from the translation (no framework), and the seeds' layers."""

from __future__ import annotations

import pytest

from conformance.port.porting import parse_shape
from conformance.port.sources import read_source
from conformance.port.targets import answer
from port_layers import LAYERS, expected


@pytest.mark.parametrize("name, call, input_shape, weight_shape, verdicts", LAYERS, ids=[entry[0] for entry in LAYERS])
def test_real_layer_verdicts(name, call, input_shape, weight_shape, verdicts):
    source, layer = read_source(call, parse_shape(input_shape, "--input-shape"), parse_shape(weight_shape, "--weight-shape"))
    got = {}
    for adapter, want in expected(verdicts, layer.op).items():
        found = answer(source, layer, adapter)
        got[adapter] = found.verdict
        if found.verdict == "composition":
            assert "\n" in found.call, f"{adapter}: a composition prints its code lines: {found.call}"
    assert got == expected(verdicts, layer.op), "\n".join(
        f"{a}: got {got[a]}, expected {w}" for a, w in expected(verdicts, layer.op).items() if got[a] != w)


def test_at_least_thirty_layers():
    assert len(LAYERS) >= 30


# -- the seeds' layers -----------------------------------------------------------------------
def _answers(call, input_shape=None, weight_shape=None, targets=()):
    source, layer = read_source(call, parse_shape(input_shape, "-"), parse_shape(weight_shape, "-"))
    return source, layer, {name: answer(source, layer, name) for name in targets}


@pytest.mark.parametrize("extra, windows", [
    ("", [[0, 4], [0, 4]]),  # 2x2 input, 3x3 kernel: the full 4x4 result
    ("strides=2, ", [[0, 5], [0, 5]]),
    ("dilation_rate=2, ", [[0, 6], [0, 6]]),
])
def test_notebook_keras_examples_to_torch(extra, windows):
    """seeds/000: tf.keras.layers.Conv2DTranspose(filters=1, kernel_size=akernel.shape, ...) on a
    2x2 one-channel image ('valid', so every output position is the full result's)."""
    call = f"tf.keras.layers.Conv2DTranspose(filters=1, {extra}kernel_size=(3, 3), activation='linear')"
    source, layer, found = _answers(call, "1,2,2,1", None, ["torch.nn.ConvTranspose"])
    assert layer.windows() == [tuple(w) for w in windows]
    torch = found["torch.nn.ConvTranspose"]
    assert torch.verdict == "equivalent"
    assert "padding=[0, 0]" in torch.call and torch.weights == "w.transpose(3, 2, 0, 1)"


@pytest.mark.parametrize("call, input_shape, torch_verdict, keras_verdict", [
    ("nn.Conv2DTranspose(1, kernel_size=2)", "1,1,2,2", "equivalent", "equivalent"),
    # padding=1 crops one from each end of the 3x3 full result: Keras 'same' with
    # output_padding=0 ((L-1)s + k - 2(k//2) + 0 = 1 position, placed as TF's SAME) says it
    ("nn.Conv2DTranspose(1, kernel_size=2, padding=1)", "1,1,2,2", "equivalent", "equivalent"),
    ("nn.Conv2DTranspose(1, kernel_size=2, strides=2)", "1,1,2,2", "equivalent", "equivalent"),
    # the conv (k5 p2 s3) of a 16x16 input gives 6x6; the transposed conv brings back 16x16
    ("nn.Conv2DTranspose(10, kernel_size=5, padding=2, strides=3)", "1,20,6,6", "equivalent", "equivalent"),
])
def test_d2l_gluon_examples_to_torch_and_keras(call, input_shape, torch_verdict, keras_verdict):
    source, layer, found = _answers(call, input_shape, None, ["torch.nn.ConvTranspose", "keras.layers.ConvTranspose"])
    assert source.adapter == "mxnet.gluon.nn.ConvTranspose"
    assert found["torch.nn.ConvTranspose"].verdict == torch_verdict
    assert found["keras.layers.ConvTranspose"].verdict == keras_verdict
    if "strides=3" in call:
        assert [out for _, out in layer.windows()] == [16, 16]


def test_tf1_notes_output_shape_to_torch():
    """seeds/004: tf.nn.conv2d_transpose with output_shape 14 from 7 ('SAME', stride 2) crops the
    odd position at the end: torch says it only as a composition; from 4 ('VALID', stride 3) the
    output is the full 12 plus 2 zeros: torch's output_padding=2 says it."""
    same = "tf.nn.conv2d_transpose(x1, w, output_shape=[64, 14, 14, 128], strides=[1, 2, 2, 1], padding='SAME')"
    _, layer, found = _answers(same, "64,7,7,256", "3,3,128,256", ["torch.nn.ConvTranspose"])
    assert layer.windows() == [(0, 14), (0, 14)]
    assert found["torch.nn.ConvTranspose"].verdict == "composition"
    valid = "tf.nn.conv2d_transpose(x, w, output_shape=[64, 14, 14, 128], strides=[1, 3, 3, 1], padding='VALID')"
    _, layer, found = _answers(valid, "64,4,4,256", "3,3,128,256", ["torch.nn.ConvTranspose"])
    torch = found["torch.nn.ConvTranspose"]
    assert torch.verdict == "equivalent" and torch.call.endswith("(x, output_size=[14, 14])")
    assert torch.weights == "w.transpose(3, 2, 0, 1)"  # (kh, kw, out, in) -> (in, out, kh, kw)
