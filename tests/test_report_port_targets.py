"""The report's "find my layer" panel answers as `conformance port` does: the page's JS
(port_source.js + port_targets.js over conformance.port.export's tables) run under node on
generated layers, each target's verdict, call, weights, relayouts and reason compared with the
CLI's (its recorded-results step turned off: the page's verdicts are the translation's)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.port import known
from conformance.port.export import page_tables, target_tables
from conformance.port.layer import PortError
from conformance.port.porting import parse_shape, port
from conformance.port.sources import read_source

from test_report_port_source import generated_configs

STATIC = Path(__file__).resolve().parents[1] / "conformance" / "report" / "static"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")
FIELDS = ("adapter", "verdict", "call", "weights", "input", "output", "reason")

RUNNER = """
const port = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.configs.map(([call, shape]) => {
  try { return port.port(call, shape, input.tables); }
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


@pytest.fixture()
def translation_only(monkeypatch):
    """The CLI without the suite's recorded results (known.py), as the page answers."""
    monkeypatch.setattr(known, "recorded_for", lambda adapter, layer: [])


def cli_answers(configs, names: dict[str, list[str]]) -> list[dict]:
    """``names``: per op, the targets to ask (the page's families)."""
    answers = []
    for call, shape in configs:
        try:
            op = read_source(call, parse_shape(shape, "--input-shape"))[1].op
            result = port(call, parse_shape(shape, "--input-shape"), None, names[op])
        except PortError as err:
            answers.append({"error": str(err)})
            continue
        source = result["source"]["adapter"]
        answers.append({t["adapter"]: {f: t[f] for f in FIELDS} for t in result["targets"] if t["adapter"] != source})
    return answers


def page_answers(configs) -> list[dict]:
    tables = {**page_tables(), **target_tables()}
    done = subprocess.run([NODE, "-e", RUNNER, str(STATIC / "port_targets.js")], input=json.dumps({"configs": configs, "tables": tables}),
                          capture_output=True, text=True, check=True, timeout=300)
    answers = []
    for result in json.loads(done.stdout):
        if "error" in result:
            answers.append(result)
        else:
            answers.append({t["adapter"]: {f: t[f] for f in FIELDS} for t in result["targets"] if t["verdict"] != "not in the page"})
    return answers


def test_page_and_cli_agree_on_every_target_the_page_answers(translation_only):
    tables = target_tables()["targets"]
    answered = {op: [row["adapter"] for row in tables[op] if row["family"]] for op in tables}
    configs = EXTRA + generated_configs(count=260, seed=11)
    expected = cli_answers(configs, answered)
    got = page_answers(configs)
    compared = [e for e in expected if "error" not in e]
    assert len(compared) >= 200
    verdicts = {t["verdict"] for e in compared for t in e.values()}
    assert verdicts == {"equivalent", "composition", "none"}, verdicts
    mismatches = []
    for config, e, g in zip(configs, expected, got):
        if e != g:
            diff = {k: (e.get(k), g.get(k)) for k in set(e) | set(g) if e.get(k) != g.get(k)}
            mismatches.append((config, diff))
    assert not mismatches, json.dumps(mismatches[:3], indent=1)


def test_targets_outside_the_pages_families_send_the_user_to_the_cli():
    tables = {**page_tables(), **target_tables()}
    done = subprocess.run([NODE, "-e", RUNNER, str(STATIC / "port_targets.js")],
                          input=json.dumps({"configs": [EXTRA[0]], "tables": tables}), capture_output=True, text=True, check=True)
    targets = json.loads(done.stdout)[0]["targets"]
    outside = [t for t in targets if t["verdict"] == "not in the page"]
    assert outside and all(f"--to {t['adapter']}" in t["reason"] for t in outside)
    rows = {r["adapter"]: r["family"] for r in tables["targets"]["conv_transpose"]}
    assert {t["adapter"] for t in outside} == {name for name, family in rows.items() if family is None}
