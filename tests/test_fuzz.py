"""``conformance fuzz`` on the runner's fake adapters (no framework needed).

The flipped-kernel fake disagrees on every case with an asymmetric kernel: the fuzzer must
find it, shrink it to a tiny case, write a file that validates and reproduces, and write
the same bytes again for the same seed. The correct fake must give "found nothing".
"""

from __future__ import annotations

import io
from pathlib import Path

import fake_adapters
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import cli
from conformance.fuzz.classes import (
    diagnosis_family,
    disagreement_class,
    explaining_entry,
    fail_kind,
)
from conformance.fuzz.progress import Progress
from conformance.fuzz.space import build, case_specs
from conformance.loader import load_paths
from conformance.oracle import output_shape
from conformance.results import Result
from conformance.runner.check import check
from conformance.runner.executor import Executor
from conformance.runner.expectations import Expectations, parse_expectations

FLIPPED = "fake_adapters:FlippedKernel"
CORRECT = "fake_adapters:NumpyLoops"
EXAMPLES = "30"


def fuzz(tmp_path: Path, *extra: str, out: str = "out") -> tuple[int, Path]:
    folder = tmp_path / out
    code = cli.main(["fuzz", *extra, "--examples", EXAMPLES, "--seed", "3", "--out", str(folder),
                     "--expectations", str(tmp_path / "no-expectations")])
    return code, folder


@pytest.fixture(scope="module")
def flipped_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz-flipped")
    code, folder = fuzz(tmp, "--adapter", FLIPPED)
    return code, folder


def test_a_disagreement_is_found_shrunk_and_written(flipped_run):
    code, folder = flipped_run
    assert code == 1  # a new class was written
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["fake.flipped-kernel__fail-values-kernel-flipped.yaml"]
    loaded = load_paths([folder])
    assert [str(e) for e in loaded.errors] == []  # `conformance validate DIR` passes
    (case,) = loaded.cases
    assert case.id == "fuzz-fake-flipped-kernel-fail-values-kernel-flipped"
    # Shrunk: one input value, one channel each way, a few taps in one dim that are not
    # symmetric (a symmetric kernel cannot show a flip).
    assert case.spatial_dims == 1
    assert case.x.size == 1 and case.w.shape[:2] == (1, 1) and case.w.size <= 3
    assert list(case.w[0, 0]) != list(case.w[0, 0, ::-1])
    assert case.b is None and case.groups == 1 and case.padding == ((0, 0),)
    assert "status FAIL, diagnosis kernel-flipped, err_ratio" in case.description
    assert "--seed 3" in case.source and "(shrunk)" in case.source


def test_the_written_case_reproduces_the_disagreement(flipped_run):
    _, folder = flipped_run
    (case,) = load_paths([folder]).cases
    with Executor(case_timeout=30) as executor:
        result = check(case, fake_adapters.FlippedKernel(), executor)
        correct = check(case, fake_adapters.NumpyLoops(), executor)
    assert (result.status, result.diagnosis) == ("FAIL", "kernel-flipped")
    assert correct.status == "PASS"


def test_the_same_seed_writes_the_same_files(flipped_run, tmp_path):
    _, first = flipped_run
    code, second = fuzz(tmp_path, "--adapter", FLIPPED)
    assert code == 1
    first_files = {p.name: p.read_bytes() for p in first.iterdir()}
    second_files = {p.name: p.read_bytes() for p in second.iterdir()}
    assert first_files == second_files


def test_a_correct_adapter_yields_found_nothing(tmp_path, capsys):
    code, folder = fuzz(tmp_path, "--adapter", CORRECT)
    out = capsys.readouterr().out
    assert code == 0
    assert f"found nothing in {EXAMPLES} examples" in out
    assert "0 files written" in out
    assert not folder.exists()


def test_an_expectation_of_the_same_class_counts_it_as_explained(tmp_path, capsys):
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "fake.flipped-kernel.yaml").write_text(
        '"*":\n  kind: bug\n  status: FAIL\n  diagnosis: kernel-flipped\n  reason: the fake flips on purpose\n'
    )
    folder = tmp_path / "out"
    code = cli.main(["fuzz", "--adapter", FLIPPED, "--examples", EXAMPLES, "--seed", "3", "--out", str(folder),
                     "--expectations", str(expectations)])
    out = capsys.readouterr().out
    assert code == 0 and not folder.exists()
    assert "FAIL values kernel-flipped:" in out and "explained by" in out
    assert "0 new in 0 classes" in out


def test_command_refuses_missing_adapter_and_bad_dtypes(tmp_path, capsys):
    assert cli.main(["fuzz", "--examples", "5"]) == 2
    assert cli.main(["fuzz", "--adapter", CORRECT, "--dtypes", "float8"]) == 2
    assert "unknown dtype(s) float8" in capsys.readouterr().err


# -- the pieces ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["conv", "conv_transpose"]).flatmap(lambda op: case_specs(op, ("float32", "bfloat16"))))
def test_every_generated_spec_is_a_valid_case_within_the_size_limits(spec):
    case = build(spec)
    shape = output_shape(case)
    assert case.op == spec["op"] and case.dtype in ("float32", "bfloat16")
    assert min(shape) >= 1 and case.x.shape[1] <= 6 and case.out_channels <= 9
    assert case.in_channels % case.groups == 0


def test_the_space_reaches_every_feature():
    seen = set()

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case_specs("conv_transpose"))
    def collect(spec):
        case = build(spec)
        seen.add(f"{case.spatial_dims}D")
        seen.add(case.padding if isinstance(case.padding, str) else "explicit")
        seen.add("groups" if case.groups > 1 else "no-groups")
        seen.add("depthwise" if case.groups == case.in_channels > 1 else "")
        seen.add("output_shape" if case.output_shape else "")
        seen.add("output_padding" if any(case.output_padding) else "")
        seen.add("dilation" if max(case.dilation) > 1 else "")
        seen.add("bias" if case.b is not None else "")
        seen.add(case.dtype)

    collect()
    assert seen >= {"1D", "2D", "3D", "explicit", "same", "same_lower", "valid", "groups", "depthwise",
                    "output_shape", "output_padding", "dilation", "bias", "float32", "float64"}


def result(status, message="", diagnosis=None):
    return Result(case="fuzz", file="<fuzz>", line=0, op="conv_transpose", status=status, message=message,
                  diagnosis=diagnosis)


def test_disagreement_classes():
    assert disagreement_class(result("PASS")) is None
    assert disagreement_class(result("UNSUPPORTED", "groups")) is None
    assert disagreement_class(result("FAIL", "values differ: err_ratio=3 > 1", "window-shifted(0,1)")) == \
        "FAIL values window-shifted"
    assert disagreement_class(result("FAIL", "out.shape=(1, 2, 3), but should be (1, 2, 4) [...]", "unexplained")) == \
        "FAIL shape unexplained"
    assert fail_kind("2 non-finite values where the oracle is finite; first at (0,)") == "non-finite"
    tf_message = ("InvalidArgumentError: {{function_node __wrapped__Conv2DBackpropInput_device_/job:localhost/"
                  "replica:0/task:0/device:CPU:0}} Current CPU implementations do not yet support dilation rates "
                  "larger than 1. [Op:Conv2DBackpropInput]")
    assert disagreement_class(result("ERROR", tf_message)) == \
        "ERROR InvalidArgumentError current cpu implementations do not yet"
    assert disagreement_class(result("ERROR", "ValueError: requested an output size of [7], valid sizes 5 to 6")) == \
        "ERROR ValueError requested an output size of valid"
    mxnet = result("ERROR", "MXNetError: Traceback (most recent call last):")
    mxnet.details = {"traceback": 'File "linalg_impl.h", line 166\nMXNetError: FP16 gemm on cpu not implemented!\n'}
    assert disagreement_class(mxnet) == "ERROR MXNetError fp gemm on cpu not implemented"
    # ONNX Runtime's wrapper words are the same for every cause: the class is the cause's
    ort = ("InvalidArgument: [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Non-zero status code returned while "
           "running Conv node. Name:'Y_nchwc' Status Message: Dilation not supported for AutoPadType::SAME_UPPER")
    assert disagreement_class(result("ERROR", ort)) == "ERROR InvalidArgument dilation not supported for autopadtype same_upper"
    opencv = ("error: OpenCV(4.14.0) /io/opencv/modules/dnn/src/layers/convolution_layer.cpp:128: error: "
              "(-215:Assertion failed) inputs[0].dims == outputs[0].dims in function 'finalize'")
    assert disagreement_class(result("ERROR", opencv)) == "ERROR error inputs dims outputs dims in function"
    assert disagreement_class(result("CRASH", "killed by SIGSEGV (signal 11)")) == "CRASH"
    assert diagnosis_family(None) == "unexplained"


def test_explaining_entry_rule():
    entries = parse_expectations(
        '"tconv-*":\n  kind: bug\n  status: FAIL\n  diagnosis: kernel-flipped\n  reason: id glob\n'
        '"other":\n  kind: bug\n  status: FAIL\n  diagnosis: window-shifted(1,0)\n  reason: odd crop at the start\n'
        '"raises":\n  kind: limitation\n  reason: "TF refuses dilation on the CPU"\n  expected:\n'
        '    - if: {onednn: true}\n      status: PASS\n'
        '    - status: ERROR\n      message: "do not yet support dilation rates"\n',
        "expectations/x.yaml",
    )
    expectations = Expectations("x", entries)
    shifted = result("FAIL", "values differ", "window-shifted(0,1)")
    assert explaining_entry(expectations, "fuzz-x", shifted).pattern == "other"  # same family, offsets aside
    assert explaining_entry(expectations, "fuzz-x", result("FAIL", "values differ", "unexplained")) is None
    assert explaining_entry(expectations, "tconv-new", result("FAIL", "values differ", "kernel-flipped")).pattern == "tconv-*"
    dilation = "InvalidArgumentError: {{node x}} Current CPU implementations do not yet support dilation rates larger than 2."
    # an outcome of any machine explains it: its pinned message is found in the error
    assert explaining_entry(expectations, "fuzz-x", result("ERROR", dilation)).pattern == "raises"
    # Same exception type, other words: another class.
    assert explaining_entry(expectations, "fuzz-x", result("ERROR", "InvalidArgumentError: groups")) is None
    assert explaining_entry(expectations, "fuzz-x", result("ERROR", "InvalidArgumentError:")) is None
    assert explaining_entry(expectations, "fuzz-x", result("CRASH", "killed")) is None


def test_progress_draws_only_when_enabled():
    quiet = io.StringIO()
    Progress(stream=quiet).show("fuzz a", 3, 10)  # a StringIO is not a TTY
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    progress = Progress(stream=shown, enabled=True)
    first = "fuzz a [" + "#" * 12 + "." * 12 + "] 5/10 1 disagreement"
    progress.show("fuzz a", 5, 10, "1 disagreement")
    assert shown.getvalue() == "\r" + first
    progress.show("shrink a", 7, None)  # shorter: padded over the previous line
    assert shown.getvalue().endswith("\r" + "shrink a 7".ljust(len(first)))
    progress.clear()
    assert shown.getvalue().endswith("\r" + " " * len("shrink a 7") + "\r")
