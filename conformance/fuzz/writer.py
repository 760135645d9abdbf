"""A shrunk disagreement -> one case file, valid per the schema and ready to move into cases/.

One file per (adapter, class): ``<adapter>__<class>.yaml``, e.g.
``torch.nn.ConvTranspose__fail-values-kernel-flipped.yaml``. The header comment and the
case's description say what disagreed (status, diagnosis, err_ratio, the message); nothing
in the file depends on the time of the run, so the same seed writes the same bytes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .classes import slug

FILE_SUFFIX = ".yaml"
MESSAGE_WIDTH = 300  # a framework message can be a page long; the header keeps its start


@dataclass(frozen=True)
class Finding:
    """The minimal example of one disagreement class on one adapter."""

    adapter: str
    framework_version: str
    klass: str
    spec: dict[str, Any]
    status: str
    diagnosis: str | None
    err_ratio: float | None
    message: str
    occurrences: int  # examples of the exploration that fell in this class
    shrunk: bool  # False: shrinking did not reproduce it, the first example found is written

    @property
    def case_id(self) -> str:
        return f"fuzz-{slug(self.adapter)}-{slug(self.klass)}"

    @property
    def file_name(self) -> str:
        return f"{self.adapter}__{slug(self.klass)}{FILE_SUFFIX}"


def what_disagreed(finding: Finding) -> str:
    parts = [f"status {finding.status}"]
    if finding.diagnosis:
        parts.append(f"diagnosis {finding.diagnosis}")
    if finding.err_ratio is not None:
        parts.append(f"err_ratio {finding.err_ratio:.3g}")
    return ", ".join(parts)


def case_mapping(finding: Finding, command: str) -> dict[str, Any]:
    """The case entry: id, description, source, tags, then the spec's fields in order."""
    description = (
        f"{finding.adapter} disagrees with the oracle ({what_disagreed(finding)}): "
        f"{first_line(finding.message)[:MESSAGE_WIDTH]}"
    )
    return {
        "id": finding.case_id,
        "description": description,
        "source": f"{command} ({'shrunk' if finding.shrunk else 'first example, not shrunk'})",
        "tags": ["fuzz"],
        **finding.spec,
    }


def render(finding: Finding, command: str) -> str:
    header = [
        f"Found by: {command}",
        f"Adapter: {finding.adapter} ({finding.framework_version})",
        (
            f"Disagreement: {finding.klass} - {what_disagreed(finding)}; "
            f"{finding.occurrences} of the explored examples fell in this class."
        ),
        f"Message: {first_line(finding.message)[:MESSAGE_WIDTH]}",
        "Move the case into cases/ (e.g. cases/fuzz_found.yaml) and record the result in",
        f"expectations/{finding.adapter}.yaml with its reason and upstream link.",
    ]
    lines = [line for text in header for line in wrap(text)]
    comment = "".join(f"# {line}\n" for line in lines)
    body = yaml.safe_dump(
        {"cases": [case_mapping(finding, command)]}, sort_keys=False, default_flow_style=None, width=100
    )
    return comment + body


def write(finding: Finding, directory: str | Path, command: str) -> Path:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / finding.file_name
    path.write_text(render(finding, command), encoding="utf-8")
    return path


def wrap(text: str) -> list[str]:
    """Comment lines of at most ~100 characters; a long path or option stays whole."""
    return textwrap.wrap(text, 98, break_on_hyphens=False, break_long_words=False) or [""]


def first_line(text: str) -> str:
    stripped = (text or "").strip()
    return stripped.splitlines()[0] if stripped else "(no message)"
