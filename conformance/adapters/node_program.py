"""What JavaScript adapters share: the rendered call is an ES module run by Node.

1. ``repro_source`` is JavaScript (``repro_language = "javascript"``): an ES module body that
   imports the framework's npm packages, reads ``x``, ``w``, ``b`` (``{shape, data:
   Float64Array}``, canonical layout, values already rounded to the dtype) and ``dtype``, and
   leaves ``y`` (``{shape, data}``, canonical layout). The runner runs that text in its
   persistent Node child (``runner.node_executor``), and the repro is a standalone ``.mjs``
   file embedding the same text (``repro_js``): one source.
2. The npm packages are pinned in ``npm_folder``'s package.json and package-lock.json
   (``npm ci`` in the framework's tox environment); the repro's install line names them, and
   the repro runs from whatever folder they were installed in.
3. ``probe_source`` is a small program leaving ``y`` = what the packages report of
   themselves; ``version_from_probe``/``build_from_probe`` read it (in the runner's Node
   child at warm-up, or by a one-off node for ``conformance adapters``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from .base import Adapter

JS_FOLDER = Path(__file__).resolve().parents[2] / "js"

# Plain JavaScript, in the programs that need it: the relayout between the canonical layout
# and the framework's, so that only the convolution is the framework's work.
PERMUTE_SOURCE = """\
// Plain JS relayout (not the framework's): out[i] = t[i permuted by axes], row-major.
function permute(t, axes) {
  const shape = axes.map((a) => t.shape[a]);
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((p, s) => p * s, 1));
  const out = new Float64Array(t.data.length);
  const index = new Array(shape.length).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    let from = 0;
    for (let d = 0; d < shape.length; d++) from += index[d] * strides[axes[d]];
    out[flat] = t.data[from];
    for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
  }
  return { shape, data: out };
}"""


def js(value: Any) -> str:
    """A JSON-able Python value as a JavaScript literal."""
    return json.dumps(value)


class NodeProgramAdapter(Adapter):
    """A framework API run by Node (see the module docstring); subclasses give the packages,
    the probe and ``repro_source``."""

    repro_language: ClassVar[str] = "javascript"
    npm_folder: ClassVar[Path]
    npm_packages: ClassVar[dict[str, str]] = {}  # the package.json pins the repro installs

    @classmethod
    def install_line(cls, version: str | None) -> str:
        return "npm install " + " ".join(f"{name}@{pin}" for name, pin in cls.npm_packages.items())

    @classmethod
    def probe_source(cls) -> str:
        """An ES module leaving ``y``: what the packages report of themselves (JSON)."""
        raise NotImplementedError  # abstract

    @classmethod
    def version_from_probe(cls, probe: dict[str, Any]) -> str:
        raise NotImplementedError  # abstract

    @classmethod
    def build_from_probe(cls, probe: dict[str, Any]) -> dict[str, Any]:
        return {"node": probe["node"], "v8": probe["v8"]}

    @classmethod
    def framework_version(cls) -> str:
        from ..runner.node_executor import probe_once

        return cls.version_from_probe(probe_once(cls))

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        from ..runner.node_executor import probe_once

        return cls.build_from_probe(probe_once(cls))

    def execute(self, case, call):
        """The program in this process' Node child (the runner uses its own, isolated)."""
        from ..runner.node_executor import run_program

        return run_program(self, case, call)
