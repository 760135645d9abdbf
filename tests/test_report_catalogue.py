"""The README's list of findings is generated from expectations/ and kept equal to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.report.catalogue import (
    BEGIN,
    END,
    counts,
    expectation_classes,
    readme_section,
    replace_section,
)

REPO = Path(__file__).resolve().parent.parent


def test_the_readme_findings_section_is_the_generated_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    generated = readme_section(REPO / "expectations")
    current = readme[readme.index(BEGIN) : readme.index(END) + len(END)]
    assert current == generated, (
        "README.md's findings section differs from expectations/: run "
        "`python -m conformance.report.catalogue --write README.md`"
    )


ANCHORED = """
"case-a": &shared
  kind: bug
  reason: >-
    the same words,
    folded
  link: {issue: "https://example.org/issues/1"}
  status: ERROR
  message: "boom"
"case-b": *shared
"case-c":
  kind: limitation
  reason: another reason
  status: ERROR
  message: "no"
"""
SAME_WORDS = """
"case-d":
  kind: bug
  reason: "the same words, folded"
  link: {source: "https://example.org/src.cc"}
  status: ERROR
  message: "boom"
"""


def test_an_anchor_and_one_frameworks_adapters_with_the_same_reason_are_one_finding(tmp_path):
    (tmp_path / "torch.nn.ConvTranspose.yaml").write_text(ANCHORED, encoding="utf-8")
    (tmp_path / "torch.nn.functional.conv_transpose.yaml").write_text(SAME_WORDS, encoding="utf-8")
    (tmp_path / "mxnet.nd.Deconvolution.yaml").write_text(SAME_WORDS, encoding="utf-8")
    classes = expectation_classes(tmp_path)
    assert [(f.framework, f.kind, f.entries) for f in classes] == [
        ("mxnet", "bug", 1),
        ("torch", "bug", 3),
        ("torch", "limitation", 1),
    ]
    torch_bug = classes[1]
    assert torch_bug.reason == "the same words, folded"
    assert torch_bug.adapters == ["torch.nn.ConvTranspose", "torch.nn.functional.conv_transpose"]
    assert torch_bug.links == {"issue": "https://example.org/issues/1", "source": "https://example.org/src.cc"}
    assert counts(classes) == {
        "mxnet": {"bug": 1, "convention": 0, "limitation": 0},
        "torch": {"bug": 1, "convention": 0, "limitation": 1},
    }
    section = readme_section(tmp_path)
    assert section.startswith(BEGIN) and section.endswith(END)
    assert "| torch | 1 | 0 | 1 | 2 |" in section and "| **all** | **2** | **0** | **1** | **3** |" in section
    assert "[issue](<https://example.org/issues/1>)" in section


def test_a_file_of_no_registered_adapter_is_an_error_naming_it(tmp_path):
    (tmp_path / "no.such.Adapter.yaml").write_text(SAME_WORDS, encoding="utf-8")
    with pytest.raises(LookupError, match=r"no\.such\.Adapter\.yaml.*no registered adapter"):
        expectation_classes(tmp_path)


def test_replace_section_needs_both_markers():
    assert replace_section(f"a\n{BEGIN}\nold\n{END}\nb", "NEW") == "a\nNEW\nb"
    with pytest.raises(ValueError, match="markers"):
        replace_section("no markers here", "NEW")
