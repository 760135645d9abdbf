"""The seeds' worked examples (cases/seeds/) load, and the oracle reproduces every one.

The ``expected`` values in those files are copied from the tutorials' printed output, so
these tests check the oracle against outside sources. A shape-only example carries
``expected: {shape: [...]}`` without values (the tutorial printed only a shape).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from conformance.compare import judge
from conformance.loader import load_paths
from conformance.oracle import evaluate, output_shape

SEEDS = Path(__file__).resolve().parent.parent / "cases" / "seeds"
LOADED = load_paths([SEEDS])
CASES = {case.id: case for case in LOADED.cases}

# Every seed case, per file, in file order: a case added or lost shows up here.
EXPECTED_IDS = {
    "d2l.yaml": [
        "d2l-basic",
        "d2l-padding1",
        "d2l-stride2",
        "d2l-multichannel-conv",
        "d2l-multichannel-tconv",
        "d2l-corr2d-matrix",
    ],
    "deconv_notes_tf_caffe.yaml": [
        "deconv-notes-ones-kernel-tf-valid",
        "deconv-notes-ones-kernel-caffe-pad0",
        "deconv-notes-conv-size-5-to-2",
        "deconv-notes-tconv-size-2-to-5",
        "deconv-notes-caffe-bilinear-factor2",
        "deconv-notes-caffe-bilinear-factor3",
    ],
    "rramosp_tf_keras.yaml": [
        "rramosp-conv-valid",
        "rramosp-tconv",
        "rramosp-tconv-stride2",
        "rramosp-tconv-dilation2",
        "rramosp-tconv-as-conv-of-padded-input",
        "rramosp-tconv-stride2-as-conv-of-dilated-input",
        "rramosp-autoencoder-conv-same",
        "rramosp-autoencoder-tconv-same",
        "rramosp-modelb-conv-stride2-same",
        "rramosp-modelb-tconv-stride2-same",
    ],
    "tf1_transpose_cnn_notes.yaml": [
        "tf1-notes-tconv-3x3-to-6x6-same",
        "tf1-notes-tconv-2x2-to-4x4-same",
        "tf1-notes-dense-as-conv-upsample",
        "tf1-notes-tconv-kernel1-stride2-valid",
        "tf1-notes-tconv-kernel3-stride2-valid",
        "tf1-notes-layers-tconv-7-to-14-same",
        "tf1-notes-nn-tconv-7-to-14-same",
        "tf1-notes-nn-conv-14-to-7-same",
        "tf1-notes-nn-conv-14-to-4-valid",
        "tf1-notes-layers-tconv-4-to-12-valid",
        "tf1-notes-nn-tconv-4-to-14-valid",
    ],
}

# The cases whose tutorial printed values, not only a shape.
WITH_VALUES = [
    "d2l-basic",
    "d2l-padding1",
    "d2l-stride2",
    "d2l-corr2d-matrix",
    "deconv-notes-ones-kernel-tf-valid",
    "deconv-notes-ones-kernel-caffe-pad0",
    "rramosp-conv-valid",
    "rramosp-tconv",
    "rramosp-tconv-stride2",
    "rramosp-tconv-dilation2",
    "rramosp-tconv-as-conv-of-padded-input",
    "rramosp-tconv-stride2-as-conv-of-dilated-input",
]
# The one seed configuration whose tutorial printed neither values nor its shape.
WITHOUT_EXPECTED = ["d2l-multichannel-conv"]
SHAPE_ONLY = [
    case_id
    for ids in EXPECTED_IDS.values()
    for case_id in ids
    if case_id not in WITH_VALUES and case_id not in WITHOUT_EXPECTED
]


def test_seed_files_load_without_errors():
    assert [str(error) for error in LOADED.errors] == []


def test_seed_case_ids_per_file():
    found: dict[str, list[str]] = {}
    for case in LOADED.cases:
        found.setdefault(Path(case.file).name, []).append(case.id)
    assert found == EXPECTED_IDS


def test_every_seed_case_is_tagged_and_names_its_seed():
    for case in LOADED.cases:
        assert "seed" in case.tags, case.id
        assert re.search(r"\bseeds? 00[0-4]", case.source), (case.id, case.source)
        assert case.description, case.id


@pytest.mark.parametrize("case_id", WITH_VALUES)
def test_oracle_reproduces_the_printed_values(case_id):
    case = CASES.get(case_id)
    assert case is not None, f"{case_id} did not load"
    assert case.expected is not None
    reference = evaluate(case)
    assert reference.shape == case.expected.shape
    if np.array_equal(case.expected, np.round(case.expected)):
        # Integer examples: the float64 oracle is exact on them.
        np.testing.assert_array_equal(reference, case.expected)
    else:
        verdict = judge(case, case.expected, reference)
        assert verdict.status == "PASS", verdict.message


@pytest.mark.parametrize("case_id", SHAPE_ONLY)
def test_oracle_gives_the_printed_shape(case_id):
    case = CASES.get(case_id)
    assert case is not None, f"{case_id} did not load"
    printed = case.spec["expected"]["shape"]
    assert "values" not in case.spec["expected"]
    # The canonical shape rule; the oracle's arrays have it (tests/test_oracle.py).
    assert list(output_shape(case)) == printed


def test_shape_only_cases_are_tagged_so():
    for case_id in SHAPE_ONLY:
        case = CASES.get(case_id)
        assert case is not None, f"{case_id} did not load"
        assert "shape-only" in case.tags, case_id
    for case_id in WITH_VALUES:
        assert "shape-only" not in CASES[case_id].tags, case_id


def test_without_expected_is_the_one_unprinted_configuration():
    assert [case.id for case in LOADED.cases if "expected" not in case.spec] == WITHOUT_EXPECTED
