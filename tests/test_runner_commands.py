"""``conformance run`` (pytest with the plugin) and ``conformance adapters`` (the table)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import fake_adapters

from conformance.cli import build_parser
from conformance.commands import adapters as adapters_command
from conformance.commands import run as run_command
from conformance.results import read_results_file

ROOT = Path(__file__).resolve().parents[1]


def parse_run(argv):
    parser = build_parser()
    run_command.add_arguments(parser._subparsers._group_actions[0].choices["run"])
    return parser.parse_args(["run", *argv])


def test_run_builds_the_pytest_command_and_passes_words_after_dashes():
    args = parse_run(["--framework", "torch", "cases/a.yaml", "cases/b", "-n", "2", "--", "-k", "pad and not same", "-x"])
    assert run_command.pytest_command(args) == [
        "cases/a.yaml", "cases/b", "--framework", "torch", "-n", "2",
        "-W", "ignore::pytest.PytestAssertRewriteWarning", "-k", "pad and not same", "-x",
    ]
    args = parse_run(["--adapter", "m:C", "--adapter", "n:D", "--results", "out", "--case-timeout", "5"])
    assert run_command.pytest_command(args)[:9] == [
        "cases", "--adapter", "m:C", "--adapter", "n:D", "--results", "out", "--case-timeout", "5.0",
    ]


def conformance(*argv, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "conformance", *map(str, argv)], cwd=ROOT, env=env,
                          check=False, capture_output=True, text=True, timeout=timeout)


def test_run_writes_results_through_the_plugin(tmp_path):
    done = conformance(
        "run", "--adapter", "tests.fake_adapters:NumpyLoops", "tests/data/runner/cases.yaml",
        "--results", tmp_path, "--", "-k", "stride2 or same", "-p", "no:cacheprovider",
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "PytestAssertRewriteWarning" not in done.stdout
    info, results = read_results_file(tmp_path / "fake.numpy-loops.json")
    assert [(r.case, r.status) for r in results] == [("rt-stride2-2d", "PASS"), ("rt-same-mode", "UNSUPPORTED")]
    assert info["adapter"] == "fake.numpy-loops"


def test_run_needs_a_framework_or_an_adapter():
    done = conformance("run", "tests/data/runner")
    assert done.returncode == 2 and "give --framework NAME or --adapter NAME" in done.stderr


def test_adapters_table_rows_and_import_errors():
    table = adapters_command.rows([fake_adapters.NumpyLoops, fake_adapters.MissingFramework])
    assert table == [
        {"adapter": "fake.missing-framework", "framework": "fake", "op": "conv_transpose", "kind": "api", "imports": False,
         "version": "ModuleNotFoundError: No module named 'conformance_no_such_framework'"},
        {"adapter": "fake.numpy-loops", "framework": "fake", "op": "conv_transpose", "kind": "api", "imports": True,
         "version": __import__("numpy").__version__},
    ]
    text = adapters_command.format_table(table).splitlines()
    assert text[0].split() == ["adapter", "framework", "op", "kind", "imports", "version", "/", "import", "error"]
    assert text[1].split()[:5] == ["fake.missing-framework", "fake", "conv_transpose", "api", "no"]


def test_adapters_command_lists_the_builtin_adapters():
    done = conformance("adapters", "--json")
    assert done.returncode == 0, done.stderr
    names = {__import__("json").loads(line)["adapter"] for line in done.stdout.splitlines()}
    assert {"torch.nn.functional.conv_transpose", "tf.nn.conv_transpose", "mxnet.nd.Deconvolution"} <= names
