"""The pytest plugin end to end: pytest in a subprocess on tests/data/runner with the fake adapters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.results import read_results_file

ROOT = Path(__file__).resolve().parents[1]
DATA = "tests/data/runner"
FAKES = [
    "NumpyLoops", "FlippedKernel", "AbortsOnAbortCases", "HangsOnHangCases", "RaisesOnRaiseCases", "AcceptsInvalid",
    "BuggyOnInvalidCases",
]
EXPECTATIONS = {
    "fake.flipped-kernel.yaml": """\
"rt-sweep[stride=?]":
  kind: bug
  reason: "flips the kernel"
  status: FAIL
  diagnosis: kernel-flipped
"rt-*-here":
  kind: bug
  reason: "crops the other side"
  status: FAIL
  diagnosis: window-shifted(1)
"rt-invalid-stride0":
  kind: bug
  reason: "once accepted stride 0"
  status: FAIL
  diagnosis: accepted-invalid
"rt-no-such-case":
  kind: bug
  reason: "a case that was renamed"
  status: FAIL
  diagnosis: kernel-flipped
""",
    "fake.aborts.yaml": """\
"rt-abort-here":
  kind: bug
  reason: "aborts by design"
  status: CRASH
  message: SIGABRT
""",
    "fake.hangs.yaml": """\
"rt-hang-here":
  kind: bug
  reason: "hangs, except on a machine that does not exist"
  expected:
    - if: {cpu_has: [no_such_cpu_flag]}
      status: PASS
    - status: TIMEOUT
"rt-after-faults":
  kind: limitation
  reason: "raised on an older numpy only: no outcome holds here, so PASS is expected"
  expected:
    - if: {numpy: "<1.0"}
      status: ERROR
      message: "anything"
""",
}
TIMING = ("duration_s", "framework_s", "oracle_s")


def pytest_run(*args, cwd=ROOT, env_path=(), timeout=300):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([*map(str, env_path), str(ROOT)]))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=timeout)


def adapter_args(names=FAKES):
    return [arg for name in names for arg in ("--adapter", f"tests.fake_adapters:{name}")]


def write_expectations(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in EXPECTATIONS.items():
        (folder / name).write_text(text)
    return folder


def full_run(tmp: Path, workers: str):
    results = tmp / f"results-{workers}"
    done = pytest_run(
        DATA, *adapter_args(), "--case-timeout", "2", "--results", results,
        "--expectations", tmp / "expectations", "-n", workers, "-rA",
    )
    files = {path.stem: read_results_file(path) for path in sorted(results.glob("*.json"))}
    return done, files


@pytest.fixture(scope="module")
def runs_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    write_expectations(folder / "expectations")
    return folder


@pytest.fixture(scope="module")
def serial(runs_folder):
    return full_run(runs_folder, "0")


@pytest.fixture(scope="module")
def parallel(runs_folder):
    return full_run(runs_folder, "2")


def statuses(files, adapter):
    return {r.case: (r.status, r.expected_status) for r in files[adapter][1]}


def test_statuses_per_adapter_in_the_results_files(serial):
    done, files = serial
    assert done.returncode == 1, done.stdout[-3000:]  # some results are unexpected
    assert sorted(files) == sorted(
        [
            "fake.numpy-loops", "fake.flipped-kernel", "fake.aborts", "fake.hangs", "fake.raises",
            "fake.accepts-invalid", "fake.buggy",
        ]
    )
    loops = statuses(files, "fake.numpy-loops")
    assert loops["rt-same-mode"] == ("UNSUPPORTED", "UNSUPPORTED")
    assert loops["rt-invalid-stride0"] == ("PASS", "PASS")
    assert {s for case, s in loops.items() if case != "rt-same-mode"} == {("PASS", "PASS")}
    assert "rt-conv-only" not in loops  # a conv case: no conv_transpose adapter is collected for it
    assert len(loops) == 12  # 11 conv_transpose cases in cases.yaml (a sweep of 2) + broken.yaml's good one
    aborts = statuses(files, "fake.aborts")
    assert aborts["rt-abort-here"] == ("CRASH", "CRASH")
    assert aborts["rt-hang-here"] == aborts["rt-after-faults"] == ("PASS", "PASS")  # the run went on
    hangs = {r.case: r for r in files["fake.hangs"][1]}
    assert (hangs["rt-hang-here"].status, hangs["rt-hang-here"].expected_status) == ("TIMEOUT", "TIMEOUT")
    assert hangs["rt-hang-here"].met_expectation and hangs["rt-hang-here"].expectation_kind == "bug"
    assert hangs["rt-after-faults"].met_expectation and hangs["rt-after-faults"].expected_status == "PASS"
    assert statuses(files, "fake.raises")["rt-raise-here"] == ("ERROR", "PASS")
    assert statuses(files, "fake.accepts-invalid")["rt-invalid-stride0"] == ("FAIL", "PASS")
    buggy = {r.case: r for r in files["fake.buggy"][1]}
    assert (buggy["rt-invalid-stride0"].status, buggy["rt-invalid-stride0"].expected_status) == ("HARNESS", "PASS")
    assert (buggy["rt-raise-here"].status, buggy["rt-raise-here"].expected_status) == ("HARNESS", "PASS")
    flipped = {r.case: r for r in files["fake.flipped-kernel"][1]}
    assert (flipped["rt-pad-1d"].status, flipped["rt-pad-1d"].diagnosis) == ("FAIL", "kernel-flipped")
    assert flipped["rt-sweep[stride=2]"].expected_status == "FAIL" and flipped["rt-sweep[stride=2]"].met_expectation
    assert flipped["rt-sweep[stride=2]"].expectation_reason == "flips the kernel"
    # FAIL as the entry says, but with another diagnosis: not met
    here = flipped["rt-raise-here"]
    assert (here.status, here.expected_status, here.diagnosis, here.expected_diagnosis) == (
        "FAIL", "FAIL", "kernel-flipped", "window-shifted(1)"
    )
    assert not here.met_expectation
    assert here.unexpected == "FAIL as expected, but diagnosis kernel-flipped where the entry says window-shifted(1)"


def test_node_ids_and_outcomes(serial):
    out = serial[0].stdout
    assert "PASSED tests/data/runner/cases.yaml::rt-stride2-2d[fake.numpy-loops]" in out
    assert "PASSED tests/data/runner/cases.yaml::rt-sweep[stride=2][fake.numpy-loops]" in out
    assert "XFAIL tests/data/runner/cases.yaml::rt-abort-here[fake.aborts]" in out
    assert "FAILED tests/data/runner/cases.yaml::rt-pad-1d[fake.flipped-kernel]" in out
    assert "SKIPPED [7] tests/data/runner/cases.yaml:31: UNSUPPORTED: padding-mode:same" in out
    assert "FAILED tests/data/runner/cases.yaml::rt-raise-here[fake.flipped-kernel]" in out  # another diagnosis
    assert "FAILED tests/data/runner/cases.yaml::rt-invalid-stride0[fake.buggy]" in out  # HARNESS, never a refusal
    assert "rt-conv-only" not in out


def test_failure_text_is_the_case_not_a_traceback(serial):
    out = serial[0].stdout
    section = out.split("rt-pad-1d [fake.flipped-kernel] _")[1].split("\n___")[0]
    assert "rt-pad-1d on fake.flipped-kernel: FAIL, expected PASS" in section
    assert "case:         rt-pad-1d (tests/data/runner/cases.yaml:15) - 1D explicit asymmetric crop" in section
    assert "native call:  naive_conv_transpose(stride=[3], dilation=[2], pads=[[1, 2]], output_padding=[1]" in section
    assert "shape:        [2, 2, 15] (expected [2, 2, 15])" in section
    assert "diagnosis:    kernel-flipped: The framework flipped the kernel spatially" in section
    assert "python -m conformance.repro" in section and "fake.flipped-kernel.json rt-pad-1d" in section
    assert "Traceback" not in section and "conformance/runner" not in section
    error = out.split("rt-raise-here [fake.raises] _")[1].split("\n___")[0]
    assert "    RuntimeError: fake framework: no kernel for this configuration" in error
    assert "framework traceback (tail):" in error  # the framework's own traceback, clearly labelled
    other = out.split("rt-raise-here [fake.flipped-kernel] _")[1].split("\n___")[0]
    assert "rt-raise-here on fake.flipped-kernel: FAIL as expected, but diagnosis kernel-flipped where the entry says" in other
    assert "expectation:  FAIL window-shifted(1) at " in other and "(bug): crops the other side" in other
    harness = out.split("rt-invalid-stride0 [fake.buggy] _")[1].split("\n___")[0]
    assert "HARNESS where the entry says PASS" in harness or "HARNESS, expected PASS" in harness
    assert "the adapter's own code raised KeyError: 'weights'" in harness
    assert "the adapter's traceback (tail):" in harness


def test_load_errors_are_one_line_items(serial):
    out = serial[0].stdout
    section = out.split("rt-broken-bad[line-11] _")[1].split("\n", 1)[1].split("\n___")[0].split("\n==")[0]
    assert section.strip() == (
        "tests/data/runner/broken.yaml:11: case 'rt-broken-bad': kernel: shape must be "
        "(C_in=2, C_out/groups, *k) for conv_transpose (got [1, 1, 2])"
    )


def test_stale_expectations_in_run_info_and_summary(serial):
    done, files = serial
    stale = files["fake.flipped-kernel"][0]["stale_expectations"]
    assert [(s["pattern"], s["why"]) for s in stale] == [
        ("rt-*-here", "every matching case got FAIL (kernel-flipped), not FAIL, diagnosis window-shifted(1)"),
        ("rt-invalid-stride0", "every matching case got PASS, not FAIL, diagnosis accepted-invalid"),
        ("rt-no-such-case", "matched no case in this run"),
    ]
    assert files["fake.aborts"][0]["stale_expectations"] == []
    # a conditional entry whose outcome on this run (PASS: no condition holds) is met is not stale
    assert files["fake.hangs"][0]["stale_expectations"] == []
    assert "stale expectations (" in done.stdout
    assert (
        "fake.flipped-kernel.yaml:11: 'rt-invalid-stride0' (FAIL): every matching case got PASS, "
        "not FAIL, diagnosis accepted-invalid" in done.stdout
    )
    assert "fake.numpy-loops (" in done.stdout and "11 PASS, 1 UNSUPPORTED" in done.stdout


def test_run_info(serial):
    info = serial[1]["fake.hangs"][0]
    assert info["adapter"] == "fake.hangs" and info["framework"] == "fake"
    import numpy

    assert info["framework_version"] == numpy.__version__ and info["device"] == "cpu"
    assert info["time_start"] <= info["time_end"] and info["python"] and info["suite_version"]
    # run properties: what the expectations' conditions read
    assert info["os"] == sys.platform and isinstance(info["cpu_flags"], list) and info["numpy"] == numpy.__version__
    assert info["build"] == {} and isinstance(info["env"], dict) and "blas" in info


def comparable(files):
    """The results without what legitimately differs between runs: timings, crash stacks."""
    out = {}
    for adapter, (info, results) in files.items():
        info = {k: v for k, v in info.items() if k not in ("time_start", "time_end")}
        rows = []
        for r in results:
            row = {k: v for k, v in r.to_json().items() if k not in TIMING}
            if row["status"] in ("CRASH", "TIMEOUT"):
                row["details"] = {**row["details"], "traceback": None}  # thread ids, addresses
                row["error_text"] = None  # what the dying process printed: the same stacks
            rows.append(row)
        out[adapter] = (info, rows)
    return out


def test_xdist_gives_the_same_results_files(serial, parallel):
    assert parallel[0].returncode == serial[0].returncode
    assert "created: 2/2 workers" in parallel[0].stdout
    assert comparable(parallel[1]) == comparable(serial[1])


PHASE_SPY = """
import json, os


def pytest_configure(config):
    global CONTROLLER
    CONTROLLER = not hasattr(config, "workerinput")  # its reports came through the pipe


def pytest_runtest_logreport(report):
    if not CONTROLLER:
        return
    with open(os.environ["PHASE_SPY_FILE"], "a") as out:
        out.write(json.dumps([report.when, [(k, type(v).__name__) for k, v in report.user_properties]]) + "\\n")
"""


def test_only_the_call_report_carries_the_result_and_as_one_json_string(tmp_path, monkeypatch):
    """What crosses xdist's pipe to the controller: the result once per item, in its call report,
    as a JSON string (execnet's serializer would walk a dict value by value), never again in the
    teardown report (pytest copies an item's user_properties into every phase's report)."""
    (tmp_path / "phase_spy.py").write_text(PHASE_SPY)
    monkeypatch.setenv("PHASE_SPY_FILE", str(tmp_path / "phases.jsonl"))
    results = tmp_path / "results"
    done = pytest_run(
        f"{DATA}/cases.yaml", *adapter_args(["NumpyLoops"]), "--results", results, "-n", "2", "-p", "phase_spy",
        env_path=[tmp_path],
    )
    assert done.returncode == 0, done.stdout[-2000:]
    phases = [json.loads(line) for line in (tmp_path / "phases.jsonl").read_text().splitlines()]
    calls = [properties for when, properties in phases if when == "call"]
    assert calls and all(properties == [["conformance_result", "str"]] for properties in calls)
    assert all(properties == [] for when, properties in phases if when != "call")
    _, written = read_results_file(results / "fake.numpy-loops.json")
    assert len(written) == len(calls)


def test_inactive_without_framework_or_adapter(tmp_path):
    done = pytest_run(DATA, "--collect-only", "-q")
    assert done.returncode == 5  # no tests collected
    assert "no tests collected" in done.stdout


def test_missing_framework_is_a_usage_error_at_start(tmp_path):
    done = pytest_run(DATA, *adapter_args(["MissingFramework"]), "--results", tmp_path)
    assert done.returncode == 4
    assert (
        "ERROR: conformance: adapter fake.missing-framework cannot run here: ModuleNotFoundError: "
        "No module named 'conformance_no_such_framework'." in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_unknown_adapter_lists_the_known_ones(tmp_path):
    done = pytest_run(DATA, "--adapter", "no.such.adapter")
    assert done.returncode == 4
    assert "unknown adapter 'no.such.adapter'; known:" in done.stderr and "torch.nn.functional.conv_transpose" in done.stderr


def test_malformed_expectations_are_a_usage_error_with_file_and_line(tmp_path):
    (tmp_path / "fake.numpy-loops.yaml").write_text(
        '"rt-pad-1d":\n  kind: bug\n  reason: x\n  expected:\n    - if: {gpu: h100}\n      status: PASS\n'
    )
    done = pytest_run(DATA, *adapter_args(["NumpyLoops"]), "--expectations", tmp_path)
    assert done.returncode == 4
    assert f"{tmp_path}/fake.numpy-loops.yaml:5: 'rt-pad-1d': if: unknown run property 'gpu' (known: os," in done.stderr


def test_results_file_is_replaced_atomically(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    target = results / "fake.numpy-loops.json"
    target.write_text("old contents")
    with open(target) as held:  # a reader that opened the old file keeps reading the old file
        done = pytest_run(f"{DATA}/cases.yaml", *adapter_args(["NumpyLoops"]), "--results", results, "-k", "stride2")
        assert done.returncode == 0, done.stdout[-2000:]
        assert held.read() == "old contents"
    data = json.loads(target.read_text())
    assert [r["case"] for r in data["results"]] == ["rt-stride2-2d"]
    assert sorted(p.name for p in results.iterdir()) == ["fake.numpy-loops.json"]  # no temp file left


def test_entry_point_adapter_by_name(tmp_path):
    """An installed third-party package: a dist-info with the entry point, on PYTHONPATH only."""
    site = tmp_path / "site"
    dist = site / "fake_conformance_adapters-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-conformance-adapters\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[conformance.adapters]\nfakes = tests.fake_adapters:ADAPTERS\n")
    done = pytest_run(
        f"{DATA}/cases.yaml", "--adapter", "fake.numpy-loops", "--results", tmp_path / "r", "-k", "pad", env_path=[site]
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    _, results = read_results_file(tmp_path / "r" / "fake.numpy-loops.json")
    assert [r.case for r in results] == ["rt-pad-1d"] and results[0].status == "PASS"
    listing = subprocess.run(
        [sys.executable, "-m", "conformance", "adapters"],
        cwd=ROOT, check=False, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)])),
    )
    row = next(line for line in listing.stdout.splitlines() if line.startswith("fake.numpy-loops "))
    assert row.split()[1:5] == ["fake", "conv_transpose", "api", "yes"]


def test_results_file_is_readable_like_any_file_the_user_writes(tmp_path):
    from conformance.results import Result, read_results_file, write_results_file

    result = Result(case="c", file="f.yaml", line=1, op="conv", status="PASS")
    path = write_results_file(tmp_path / "a.json", {"adapter": "a"}, [result])
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert read_results_file(path)[1][0].case == "c"
