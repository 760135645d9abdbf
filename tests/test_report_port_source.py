"""The report's "find my layer" panel reads a pasted call as `conformance port` does: its JS
(conformance/report/static/port_source.js, over conformance.port.export's tables) run under
node on generated calls and bad input, compared with the CLI's source object and one-line errors."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.port.export import page_tables
from conformance.port.layer import PortError
from conformance.port.porting import parse_shape, port

JS = Path(__file__).resolve().parents[1] / "conformance" / "report" / "static" / "port_source.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

RUNNER = """
const port = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.configs.map(([call, shape]) => {
  try { return { source: port.readSource(call, shape, input.tables) }; }
  catch (err) { if (err instanceof port.PortError) return { error: err.message }; throw err; }
});
process.stdout.write(JSON.stringify(out));
"""


def generated_configs(count: int = 240, seed: int = 5) -> list[tuple[str, str | None]]:
    """torch modules and functions and Keras layers, transposed and not, over ranks, strides,
    kernels, paddings ('same'/'valid' where the API takes them), output_padding, groups, dilation."""
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        dims = rng.choice([1, 2, 3])
        transposed = rng.random() < 0.7
        groups = rng.choice([1, 1, 2, 4])
        c_in, c_out = groups * rng.choice([1, 2, 3]), groups * rng.choice([1, 2, 4])
        kernel = rng.choice([1, 2, 3, 4, 5]) if rng.random() < 0.7 else [rng.choice([1, 2, 3]) for _ in range(dims)]
        stride = rng.choice([1, 2, 3]) if rng.random() < 0.7 else [rng.choice([1, 2]) for _ in range(dims)]
        dilation = rng.choice([1, 1, 2])
        if transposed:
            padding = rng.choice([0, 1, 2, [1] * dims])
        else:
            padding = rng.choice([0, 1, "same", "valid", [2] * dims])
        kw = [f"stride={stride}", f"padding={padding!r}", f"dilation={dilation}", f"groups={groups}"]
        if transposed and rng.random() < 0.5:
            kw.append(f"output_padding={rng.choice([0, 1])}")
        rng.shuffle(kw)
        kw = kw[: rng.randint(1, len(kw))]
        lengths = [rng.randint(3, 11) for _ in range(dims)]
        shape = ",".join(map(str, [rng.choice([1, 2]), c_in, *lengths]))
        if rng.random() < 0.35:
            configs.append(keras_config(rng, dims, transposed, groups, c_in, c_out, kernel, stride, dilation, lengths))
            continue
        name = "ConvTranspose" if transposed else "Conv"
        if rng.random() < 0.5:
            call = f"torch.nn.{name}{dims}d({c_in}, {c_out}, {kernel}, {', '.join(kw)})"
        else:
            fn = "conv_transpose" if transposed else "conv"
            ks = kernel if isinstance(kernel, list) else [kernel] * dims
            w = [c_in, c_out // groups, *ks] if transposed else [c_out, c_in // groups, *ks]
            bias = rng.choice(["b", "None"])
            call = f"F.{fn}{dims}d(x, torch.randn({', '.join(map(str, w))}), {bias}, {', '.join(kw)})"
        configs.append((call, shape if rng.random() < 0.85 or call.startswith("F.") else None))
    return configs


def keras_config(rng, dims, transposed, groups, c_in, c_out, kernel, stride, dilation, lengths):
    """A Keras layer: 'same' (odd totals at stride 2 and 3) or 'valid', output_padding, channels first or last."""
    name = f"Conv{dims}DTranspose" if transposed else f"Conv{dims}D"
    kw = [f"strides={stride}", f"padding={rng.choice(['same', 'valid'])!r}", f"dilation_rate={dilation}"]
    if transposed and rng.random() < 0.4:
        kw.append(f"output_padding={rng.choice([0, 1])}")
    if not transposed and rng.random() < 0.5:
        kw.append(f"groups={groups}")
    if rng.random() < 0.3:
        kw.append(f"use_bias={rng.choice([True, False])}")
    first = rng.random() < 0.25
    if first:
        kw.append("data_format='channels_first'")
    rng.shuffle(kw)
    batch = rng.choice([1, 2])
    shape = [batch, c_in, *lengths] if first else [batch, *lengths, c_in]
    prefix = rng.choice(["keras.layers", "tf.keras.layers", "layers"])
    return f"{prefix}.{name}({c_out}, {kernel}, {', '.join(kw)})", ",".join(map(str, shape))


BAD = [
    ("torch.nn.ConvTranspose2d(16, 8, 3, strides=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2", None),
    ("torch.nn.ConvTranspose2d", None),
    ("[1, 2]", None),
    ("torch.nn.ConvTranspose9d(16, 8, 3)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, 2, 1, 1, 1, True, 1, 'zeros', 5)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, 2, stride=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, groups=3)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=0)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, padding='same')", None),
    ("torch.nn.ConvTranspose2d(16, 8, k)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=[2, 2, 2])", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=True)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, padding_mode='reflect')", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=f(2))", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2.0)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, *args)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, **kw)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,16,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,12,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,x,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,0,8,8"),
    ("torch.nn.Conv2d(16, 8, 3, padding='full')", None),
    ("F.conv_transpose2d(x, w, stride=2)", "1,16,8,8"),
    ("F.conv_transpose2d(x, torch.randn(16, 4, 3, 3), stride=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, name='up', bias=False)", "1,16,8,8"),
    ("keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')", None),
    ("keras.layers.Conv2DTranspose(8, 3, padding='full')", "1,8,8,4"),
    ("keras.layers.Conv1D(8, 3, padding='causal')", "1,8,4"),
    ("keras.layers.Conv2DTranspose(n, 3)", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, data_format='NCW?')", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, groups=2)", "1,8,8,4"),
    ("keras.layers.Conv2D(8, 3, groups=3)", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, activation='relu', kernel_initializer='he_normal')", "1,8,8,4"),
]


def page(configs) -> list[dict]:
    done = subprocess.run([NODE, "-e", RUNNER, str(JS)], input=json.dumps({"configs": configs, "tables": page_tables()}),
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _comparable(answer: dict) -> dict:
    if "error" in answer:
        return answer
    src = dict(answer["source"])
    src.pop("verified", None)
    src.pop("layouts", None)
    return {"source": src}


def test_page_reads_200_generated_calls_as_the_cli_does():
    configs = generated_configs()
    expected = []
    for call, shape in configs:
        try:
            source = port(call, parse_shape(shape, "--input-shape"), None, ["torch"])["source"]
            expected.append({"source": source})
        except PortError as err:
            expected.append({"error": str(err)})
    got = page(configs)
    read = sum("source" in e for e in expected)
    assert read >= 200, f"only {read} of the generated calls are layers the CLI reads"
    mismatches = [(c, _comparable(e), _comparable(g)) for c, e, g in zip(configs, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches[:3], indent=1)


def test_page_refuses_bad_input_with_the_cli_line():
    expected = []
    for call, shape in BAD:
        try:
            expected.append({"source": port(call, parse_shape(shape, "--input-shape"), None, ["torch"])["source"]})
        except PortError as err:
            expected.append({"error": str(err)})
    got = page(BAD)
    assert sum("error" in e for e in expected) >= 20
    mismatches = [(c, _comparable(e), _comparable(g)) for c, e, g in zip(BAD, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches, indent=1)
