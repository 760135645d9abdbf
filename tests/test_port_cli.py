"""``conformance port``: the classic wrong answer never appears, the JSON object is SPEC's,
bad input is one line and exit 2 (no framework needed)."""

from __future__ import annotations

import json

import pytest

from conformance import cli
from conformance.adapters import all_adapters
from conformance.port.layer import PortError
from conformance.port.parse import TensorArg, parse_call

KERAS_SAME = "keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')"
TORCH_SAME_LOWER = "torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)"


def run(capsys, *argv):
    code = cli.main(["port", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def port_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_keras_same_is_never_torch_equivalent(capsys):
    """Keras 'same' (k=3, s=2) crops 0 before and 1 after; torch's padding=1,
    output_padding=1 crops 1 before: no single ConvTranspose2d says it."""
    result = port_json(capsys, KERAS_SAME, "--input-shape", "1,16,16,32", "--to", "torch")
    torch = {t["adapter"]: t for t in result["targets"]}
    assert set(torch) == {"torch.nn.ConvTranspose", "torch.nn.functional.conv_transpose"}
    for target in torch.values():
        assert target["verdict"] == "composition"
        assert "padding=[0, 0]" in target["call"] and "0:-1" in target["call"]  # the full result, then crop 1 at the end
        assert "padding=[1, 1], output_padding=[1, 1]" not in target["call"]
    assert result["source"]["canonical"]["windows"] == [[0, 32], [0, 32]]


def test_torch_same_lower_is_not_keras_same(capsys):
    """The other direction: torch's padding=1, output_padding=1 is not Keras 'same'."""
    result = port_json(capsys, TORCH_SAME_LOWER, "--input-shape", "1,16,8,8", "--to", "keras.layers.ConvTranspose")
    (keras,) = result["targets"]
    assert keras["verdict"] == "composition"
    assert "padding='valid'" in keras["call"] and "1:" in keras["call"]
    assert keras["weights"] == "w.transpose(2, 3, 1, 0)"
    assert keras["input"] == "x.transpose(0, 2, 3, 1)" and keras["output"] == "y.transpose(0, 3, 1, 2)"


def test_json_is_specs_object(capsys):
    result = port_json(capsys, TORCH_SAME_LOWER)
    assert {"api", "call", "canonical"} <= set(result["source"])
    assert result["source"]["api"] == "torch.nn.ConvTranspose2d"
    adapters = all_adapters()
    assert result["targets"]
    for target in result["targets"]:
        assert {"adapter", "verdict", "call", "weights", "input", "output", "reason", "verified"} <= set(target)
        assert target["adapter"] in adapters
        assert target["verdict"] in ("equivalent", "composition", "none")
        assert target["verified"] is None  # nothing ran
        if target["verdict"] == "none":
            assert target["reason"]
    onnx = next(t for t in result["targets"] if t["adapter"] == "onnxruntime.ConvTranspose")
    assert onnx["verdict"] == "equivalent" and "pads=[1, 1, 1, 1], output_padding=[1, 1]" in onnx["call"]


def test_text_says_where_the_verdict_comes_from(capsys):
    code, out, _ = run(capsys, TORCH_SAME_LOWER, "--to", "jax")
    assert code == 0
    assert "nothing was run" in out and "recorded results" in out
    assert "jax.lax.conv_transpose: COMPOSITION" in out  # lax has no bias: the call, then + b
    assert "an example input" in out  # no --input-shape: the answer says which shape it shows


def test_groups_have_no_keras_answer(capsys):
    result = port_json(capsys, "nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1, groups=32)", "--to", "keras.layers.ConvTranspose")
    (keras,) = result["targets"]
    assert keras["verdict"] == "none" and keras["reason"].startswith("groups:")


@pytest.mark.parametrize("argv, words", [
    (["torch.nn.Frobnicate2d(16, 8, 3)"], "unknown API 'torch.nn.Frobnicate2d'; accepted: torch.nn.ConvTranspose"),
    (["torch.nn.ConvTranspose2d"], "is not a call"),
    (["torch.nn.ConvTranspose2d(16, 8, 3"], "is not Python"),
    (["torch.nn.ConvTranspose2d(16, 8, 3, strides=2)"], "does not take argument 'strides'; it takes: in_channels"),
    (["torch.nn.ConvTranspose2d(16, 8, k)"], "is a name; give its literal value"),
    (["torch.nn.ConvTranspose2d(16, 8, 3, stride=os.system('x'))"], "is a call; give a literal value"),
    ([KERAS_SAME], "infers its input channels from its tensors: give --input-shape"),
    (["torch.nn.ConvTranspose2d(16, 8, 3, groups=3)"], "in_channels=16 does not divide by groups=3"),
    (["torch.nn.ConvTranspose2d(16, 8, 3, stride=0)"], "stride=0: expected a positive whole number"),
    (["torch.nn.ConvTranspose2d(16, 8, 3)", "--input-shape", "1,16,8"], "takes a 4-d input (NCHW)"),
    (["torch.nn.ConvTranspose2d(16, 8, 3)", "--input-shape", "1,x,8"], "expected positive sizes"),
    (["torch.nn.ConvTranspose2d(16, 8, 3)", "--to", "nosuch"], "not an adapter or a framework"),
    (["torch.nn.ConvTranspose2d(16, 8, 3, stride=[2, 2, 2])"], "argument stride: expected an int or 2 ints"),
    (["tf.nn.conv2d_transpose(x, w, output_shape=[1, 8, 8, 8], strides=2)", "--input-shape", "1,4,4,16"],
     "the kernel size is needed"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_parse_reads_literals_and_tensor_shapes_without_running_anything():
    parsed = parse_call("F.conv_transpose2d(torch.randn(1, 16, 8, 8), w, stride=(2, 2), padding=b'x')")
    assert parsed.api == "F.conv_transpose2d"
    assert parsed.args == (TensorArg("torch.randn(1, 16, 8, 8)", (1, 16, 8, 8)), TensorArg("w"))
    assert parsed.kwargs == {"stride": [2, 2], "padding": "x"}
    with pytest.raises(PortError, match="is a call"):
        parse_call("nn.Conv2d(1, 2, __import__('os'))")


def source_of(capsys, *argv):
    return port_json(capsys, *argv, "--to", "torch")["source"]


@pytest.mark.parametrize("call, weight", [
    # TF1's module path (was "unknown API": the pattern read tf.compat.v1.tf.nn...)
    ("tf.compat.v1.nn.conv2d_transpose(value=x, filter=w, output_shape=[1, 16, 16, 8], strides=[1, 2, 2, 1])", "3,3,8,4"),
    # TF1's positional order: value, filter, output_shape, strides, padding, data_format, name
    ("tf.compat.v1.nn.conv2d_transpose(x, w, [1, 16, 16, 8], [1, 2, 2, 1], 'SAME', 'NHWC', 'up')", "3,3,8,4"),
    ("tensorflow.nn.conv2d_transpose(x, w, [1, 16, 16, 8], 2, padding='SAME')", "3,3,8,4"),
    ("tf.compat.v2.nn.conv_transpose(x, w, [1, 16, 16, 8], 2)", "3,3,8,4"),
])
def test_tf1_and_unaliased_spellings_read_as_tf_nn(capsys, call, weight):
    source = source_of(capsys, call, "--input-shape", "1,8,8,4", "--weight-shape", weight)
    canonical = source["canonical"]
    assert (canonical["op"], canonical["stride"], canonical["out_channels"], canonical["output_shape"]) == (
        "conv_transpose", [2, 2], 8, [16, 16])


def test_tf1_conv_signatures_have_tf1_orders(capsys):
    """conv2d(input, filter, strides, padding, use_cudnn_on_gpu, data_format, ...) and
    convolution(input, filter, padding, strides, dilation_rate, ...): TF1's own positions."""
    conv2d = source_of(capsys, "tf.compat.v1.nn.conv2d(x, w, [1, 1, 2, 2], 'VALID', True, 'NCHW')",
                       "--input-shape", "1,4,9,9", "--weight-shape", "3,3,4,8")["canonical"]
    assert (conv2d["stride"], conv2d["padding"], conv2d["input_shape"]) == ([2, 2], "valid", [1, 4, 9, 9])
    convolution = source_of(capsys, "tf.compat.v1.nn.convolution(x, w, 'SAME', [2, 2], dilation_rate=[1, 1])",
                            "--input-shape", "1,9,9,4", "--weight-shape", "3,3,4,8")["canonical"]
    assert (convolution["stride"], convolution["padding"]) == ([2, 2], "same")


def test_tf_strides_follow_data_format(capsys):
    """NCHW's strides are [1, 1, s_h, s_w] (was read as [1, s_h]: the middle entries)."""
    canonical = source_of(capsys, "tf.nn.conv2d_transpose(x, w, [1, 8, 16, 24], strides=[1, 1, 2, 3], data_format='NCHW')",
                          "--input-shape", "1,4,8,8", "--weight-shape", "3,3,8,4")["canonical"]
    assert canonical["stride"] == [2, 3] and canonical["output_shape"] == [16, 24]


def test_notes_quote_the_users_text(capsys):
    notes = source_of(capsys, "keras.layers.Conv2DTranspose(8, 3, activation=tf.nn.relu, dtype=tf.float32)",
                      "--input-shape", "1,8,8,4")["notes"]
    assert notes == ["dtype=tf.float32 does not change the convolution",
                     "activation=tf.nn.relu is applied after the convolution: add it after the ported call"]
    code, _, err = run(capsys, "torch.nn.ConvTranspose2d(16, 8, 3, stride=s)")
    assert code == 2 and "TensorArg" not in err and "stride='s' is a name" in err


@pytest.mark.parametrize("call, shape, neutral", [
    (("flax.linen.ConvTranspose(8, (3, 3), dtype=jnp.float32, param_dtype=jnp.bfloat16, precision=jax.lax.Precision.HIGHEST,"
      " kernel_init=nn.initializers.normal(0.02), bias_init=nn.initializers.zeros, name='up')"), "1,8,8,4",
     ["dtype", "param_dtype", "precision", "kernel_init", "bias_init", "name"]),
    ("flax.linen.Conv(8, (3, 3), dtype=jnp.float32, kernel_init=nn.initializers.lecun_normal())", "1,8,8,4",
     ["dtype", "kernel_init"]),
    ("torch.nn.ConvTranspose2d(16, 8, 3, 2, 1, 1, 1, True, 1, 'zeros', 'cuda', torch.float16)", None, ["device", "dtype"]),
    ("torch.nn.Conv2d(16, 8, 3, device=torch.device('cuda'), dtype=torch.bfloat16)", None, ["device", "dtype"]),
    (("keras.layers.Conv2DTranspose(8, 4, 2, 'same', kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02),"
      " bias_initializer='zeros', kernel_regularizer=keras.regularizers.L2(1e-4), name='g1')"), "1,8,8,4",
     ["kernel_initializer", "bias_initializer", "kernel_regularizer", "name"]),
    ("tf.compat.v1.layers.conv2d_transpose(x, 8, 4, 2, 'same', kernel_initializer=tf.random_normal_initializer(stddev=0.02))",
     "1,8,8,4", ["kernel_initializer"]),
    ("mx.gluon.nn.Conv2DTranspose(8, 4, 2, 1, weight_initializer=mx.init.Normal(0.02), in_channels=16, prefix='g_')", None,
     ["weight_initializer", "prefix"]),
])
def test_neutral_arguments_are_accepted_and_noted(capsys, call, shape, neutral):
    """dtype, devices, precision, initializers, regularizers and names do not change the canonical
    layer: read (never run), noted in the user's own words, bound to nothing."""
    argv = [call] + (["--input-shape", shape] if shape else [])
    source = source_of(capsys, *argv)
    noted = [note.split("=", 1)[0] for note in source["notes"]]
    assert noted == neutral
    assert all("TensorArg" not in note and note.endswith("does not change the convolution") for note in source["notes"])


@pytest.mark.parametrize("call, words", [
    ("flax.linen.Conv(8, (3, 3), mask=[[1, 0], [0, 1]])", "mask=[[1, 0], [0, 1]]: a masked kernel is not a plain convolution"),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=f(2), name=g(1))", "stride: 'f(2)' is a call; give a literal value"),
    ("tf.compat.v1.nn.conv2d_transpose(x, w, [1, 16, 16, 8], 2, 'SAME', 'NHWC', 'up', 1)", "takes at most 7 positional"),
    ("tf.compat.v1.tf.nn.conv2d_transpose(x, w, [1, 16, 16, 8], 2)", "unknown API"),
])
def test_what_changes_the_layer_is_still_refused(capsys, call, words):
    code, _, err = run(capsys, call, "--input-shape", "1,8,8,4", "--weight-shape", "3,3,8,4")
    assert code == 2 and words in err, err
