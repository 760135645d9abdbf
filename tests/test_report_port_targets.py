"""The report's "find my layer" panel answers as `conformance port` does: the page's JS
(port_source.js + port_targets.js over conformance.port.export's tables) run under node on
generated layers, every default target's verdict, call, weights, relayouts and reason compared
with the CLI's - the suite's recorded disagreements (known.py) included: a synthetic results
folder records disagreements on the layers' own geometries and on the crop compositions' full
ones, and where this checkout has reports/results, the real ones."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.port import known
from conformance.port.export import page_tables, target_tables
from conformance.port.layer import PortError
from conformance.port.porting import EXAMPLE_LENGTH, parse_shape, port
from conformance.port.sources import read_source
from conformance.port.targets import default_targets

from test_report_port_source import family_configs, generated_configs

STATIC = Path(__file__).resolve().parents[1] / "conformance" / "report" / "static"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")
FIELDS = ("adapter", "verdict", "call", "weights", "input", "output", "reason")

RUNNER = """
const port = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.configs.map(([call, shape, weight]) => {
  try { return port.port(call, shape, input.tables, weight); }
  catch (err) { if (err.constructor.name === "PortError") return { error: err.message }; throw err; }
});
process.stdout.write(JSON.stringify(out));
"""

# Layers the porter asks about, beside the generated ones: the issue's example, Keras' odd
# 'same' crop the torch module cannot say, output_size, 'same' convs at stride 2.
EXTRA = [
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)", "1,16,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1)", "1,16,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)", "1,16,8,8"),
    ("torch.nn.ConvTranspose1d(4, 4, 5, stride=3, padding=2, output_padding=2, dilation=2)", "2,4,9"),
    ("torch.nn.ConvTranspose3d(4, 8, 3, stride=2, padding=1, output_padding=1, groups=4)", "1,4,3,4,5"),
    ("torch.nn.Conv2d(3, 8, 3, stride=2, padding='same')", "1,3,9,9"),
    ("torch.nn.Conv2d(3, 8, 4, padding='same')", "1,3,9,9"),
    ("torch.nn.Conv1d(3, 8, 3, padding='valid', bias=False)", "1,3,9"),
    ("keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')", "1,16,16,32"),
    ("keras.layers.Conv2DTranspose(8, 4, strides=2, padding='same', use_bias=False)", "1,16,16,32"),
    ("keras.layers.Conv1DTranspose(8, 2, strides=3, padding='valid')", "1,9,4"),
    ("keras.layers.Conv2D(8, 3, strides=2, padding='same', groups=2)", "1,16,16,4"),
]
# torch's and Keras' generated layers, then every other source family's (tf.nn, lax, ONNX,
# Gluon, ...: output_shape, 'SAME_LOWER' and weight shapes given by name), as (call, shape, weight).
CONFIGS = [(call, shape, None) for call, shape in EXTRA + generated_configs(count=260, seed=11)]
CONFIGS += [config for _, config in family_configs(per_family=20)]


def _layer(call, shape, weight):
    layer = read_source(call, parse_shape(shape, "--input-shape"), parse_shape(weight, "--weight-shape"))[1]
    if layer.input_shape is None:
        layer = layer.with_input((1, layer.in_channels, *([EXAMPLE_LENGTH] * layer.dims)))
    return layer


def _params(layer) -> dict:
    """A results file's params for this layer (what known.layer_of_params reads back)."""
    padding = layer.padding if isinstance(layer.padding, str) else [list(p) for p in layer.padding]
    return {"op": layer.op, "dtype": "float32", "input_shape": list(layer.input_shape), "kernel_shape": list(layer.kernel_shape()),
            "bias": layer.bias, "stride": list(layer.stride), "dilation": list(layer.dilation), "padding": padding,
            "output_padding": list(layer.output_padding),
            "output_shape": None if layer.output_shape is None else list(layer.output_shape), "groups": layer.groups, "expect": "ok"}


@pytest.fixture(scope="module")
def synthetic_results(tmp_path_factory) -> str:
    """Recorded FAILs (with and without an expectation) and PASSes on the generated layers'
    geometries and on their full (uncropped) results, spread over the targets."""
    folder = tmp_path_factory.mktemp("results")
    files: dict[str, list] = {}
    for i, (call, shape, weight) in enumerate(CONFIGS):
        try:
            layer = _layer(call, shape, weight)
        except PortError:
            continue
        dims = layer.dims
        flat = replace(layer, padding=tuple((0, 0) for _ in range(dims)), output_padding=(0,) * dims, output_shape=None)
        for j, adapter in enumerate(default_targets(layer.op)):
            for n, geometry in enumerate((layer, flat)):
                pick = (i * 7 + j * 3 + n) % 5
                if pick > 1:
                    continue
                status = "PASS" if (i + j) % 4 == 0 else ("FAIL" if pick else "CRASH")
                kind, why = (("bug", f"synthetic bug {j} 'quoted' \\ {i}") if pick else (None, None))
                files.setdefault(adapter, []).append({
                    "case": f"case-{i}-{n}", "status": status, "params": _params(geometry), "expectation_kind": kind,
                    "expectation_reason": why, "message": f"max_abs_err {i}.{j} > tolerance"})
    for adapter, results in files.items():
        (folder / (adapter.replace("@", "_") + ".json")).write_text(json.dumps({"results": results}))
    return str(folder)


def cli_answers(configs) -> list[dict]:
    answers = []
    for call, shape, weight in configs:
        try:
            result = port(call, parse_shape(shape, "--input-shape"), parse_shape(weight, "--weight-shape"))
        except PortError as err:
            answers.append({"error": str(err)})
            continue
        source = result["source"]["adapter"]
        answers.append({t["adapter"]: {f: t[f] for f in FIELDS} for t in result["targets"] if t["adapter"] != source})
    return answers


def page_answers(configs, results_dir: str) -> list[dict]:
    tables = {**page_tables(), **target_tables(results_dir=results_dir)}
    done = subprocess.run([NODE, "-e", RUNNER, str(STATIC / "port_targets.js")], input=json.dumps({"configs": configs, "tables": tables}),
                          capture_output=True, text=True, check=True, timeout=600)
    answers = []
    for result in json.loads(done.stdout):
        if "error" in result:
            answers.append(result)
        else:
            answers.append({t["adapter"]: {f: t[f] for f in FIELDS} for t in result["targets"]})
    return answers


def compare(configs, results_dir: str, monkeypatch) -> list[dict]:
    monkeypatch.setattr(known, "recorded_for", functools.partial(known.recorded_for, results_dir=results_dir))
    expected = cli_answers(configs)
    got = page_answers(configs, results_dir)
    mismatches = []
    for config, e, g in zip(configs, expected, got):
        if e != g:
            diff = {k: (e.get(k), g.get(k)) for k in set(e) | set(g) if e.get(k) != g.get(k)}
            mismatches.append((config, diff))
    assert not mismatches, f"{len(mismatches)} layers differ; the first: " + json.dumps(mismatches[:2], indent=1)
    return [e for e in expected if "error" not in e]


def test_every_default_target_is_answered_in_the_page():
    tables = target_tables()["targets"]
    assert [row["adapter"] for rows in tables.values() for row in rows if not row["family"]] == []


def test_page_and_cli_agree_on_every_default_target(synthetic_results, monkeypatch):
    compared = compare(CONFIGS, synthetic_results, monkeypatch)
    answers = [t for e in compared for t in e.values()]
    print(f"{len(compared)} layers, {len(answers)} (layer, target) answers compared")
    assert len(compared) >= 400
    tables = target_tables()["targets"]
    assert len(answers) >= 400 * min(len(rows) for rows in tables.values())
    for op, rows in tables.items():  # every target answered somewhere, on both sides
        assert {row["adapter"] for row in rows} <= {t["adapter"] for t in answers}, op
    verdicts = {t["verdict"] for t in answers}
    assert verdicts == {"equivalent", "composition", "none"}, verdicts
    known_reasons = [t for t in answers if (t["reason"] or "").startswith("known disagreement")]
    assert any("synthetic bug" in t["reason"] for t in known_reasons) and any("tolerance" in t["reason"] for t in known_reasons)


@pytest.mark.skipif(not known.RESULTS_DIR.is_dir(), reason="no reports/results in this checkout")
def test_page_and_cli_agree_with_the_suites_recorded_results(monkeypatch):
    compared = compare(CONFIGS[::4], str(known.RESULTS_DIR), monkeypatch)  # every source family
    assert len(compared) >= 80
