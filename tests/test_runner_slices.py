"""The 2D slice of a non-PASS result: through the worst element, capped at 64 x 64."""

from __future__ import annotations

import numpy as np

from conformance.results import _jsonable
from conformance.runner.slices import error_slice


def test_2d_slice_goes_through_the_worst_element():
    reference = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    actual = reference.copy()
    actual[1, 2, 3, 1] += 7.0
    actual[0, 0, 0, 0] += 1.0
    cut = error_slice(reference, actual)
    assert (cut["label"], cut["index"], cut["origin"]) == ("n=1, c=2", [1, 2, 3, 1], [0, 0])
    assert np.array(cut["expected"]).shape == (4, 5)
    np.testing.assert_array_equal(np.array(cut["actual"]) - np.array(cut["expected"]), _one_hot((4, 5), (3, 1), 7.0))


def _one_hot(shape, index, value):
    out = np.zeros(shape)
    out[index] = value
    return out


def test_1d_is_one_row_cut_to_64_around_the_worst_element_and_nan_counts_as_worst():
    reference = np.zeros((1, 2, 100))
    actual = reference.copy()
    actual[0, 1, 90] = np.nan
    actual[0, 0, 5] = 1e9
    cut = error_slice(reference, actual)
    assert (cut["label"], cut["index"], cut["origin"]) == ("n=0, c=1; w 36..99", [0, 1, 90], [0, 36])
    assert len(cut["actual"]) == 1 and len(cut["actual"][0]) == 64
    assert _jsonable(cut["actual"])[0][90 - 36] == "nan"


def test_3d_fixes_the_depth_and_cuts_both_axes():
    reference = np.zeros((1, 1, 3, 100, 80))
    actual = reference.copy()
    actual[0, 0, 2, 70, 10] = 1.0
    cut = error_slice(reference, actual)
    assert cut["label"] == "n=0, c=0, d=2; h 36..99, w 0..63"
    assert np.array(cut["expected"]).shape == (64, 64) and cut["actual"][70 - 36][10] == 1.0


def test_shape_mismatch_shows_each_arrays_own_plane():
    reference = np.arange(12.0).reshape(1, 1, 3, 4)
    actual = np.ones((1, 1, 2, 5))
    cut = error_slice(reference, actual)
    assert cut["index"] == [0, 0, 0, 0]
    assert cut["expected"] == reference[0, 0].tolist()
    assert cut["actual"] == np.ones((2, 5)).tolist()


def test_no_output_shows_the_expected_plane_only():
    cut = error_slice(np.arange(6.0).reshape(1, 2, 3), None)
    assert (cut["label"], cut["expected"], cut["actual"]) == ("n=0, c=0", [[0.0, 1.0, 2.0]], None)
