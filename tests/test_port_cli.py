"""``conformance port``: the classic wrong answer never appears, the JSON object is SPEC's,
bad input is one line and exit 2 (no framework needed)."""

from __future__ import annotations

import json

import pytest

from conformance import cli
from conformance.adapters import all_adapters
from conformance.port.parse import TensorArg, parse_call
from conformance.port.layer import PortError

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
