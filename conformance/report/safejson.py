"""JSON that is safe to embed in an HTML ``<script type="application/json">`` block.

Inside a script element the HTML parser looks for ``</script`` and ``<!--`` whatever the
JSON means, so ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (still the
same JSON string). U+2028 and U+2029 are escaped too: they end a line in older JavaScript.
NaN and infinities, which JSON cannot hold, become the strings "nan", "inf", "-inf".
"""

from __future__ import annotations

import json
import math
from typing import Any

# (character, JSON escape); str.replace per character is many times faster than translate.
_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def finite_json(value: Any) -> Any:
    """A copy where non-finite floats are strings (as results files write them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value


def compact_json(value: Any) -> str:
    """Compact, standard JSON (no NaN tokens: non-finite floats are spelled as strings)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:  # a NaN or infinity somewhere: the slower copy that spells them out
        return json.dumps(finite_json(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def escape_for_script(json_text: str) -> str:
    """JSON text with every character that could end a script element escaped."""
    for character, escape in _ESCAPES:
        json_text = json_text.replace(character, escape)
    return json_text


def json_for_script(value: Any) -> str:
    """Compact JSON text that is safe inside ``<script type="application/json">``."""
    return escape_for_script(compact_json(value))
