"""JSON that is safe to embed in an HTML ``<script type="application/json">`` block.

Inside a script element the HTML parser looks for ``</script`` and ``<!--`` whatever the
JSON means, so ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (still the
same JSON string). U+2028 and U+2029 are escaped too: they end a line in older JavaScript.
NaN and infinities, which JSON cannot hold, become the strings "nan", "inf", "-inf".
A large block (a report's repro scripts are mostly float literals) is embedded as a zlib
stream in base64 instead, which the page inflates with ``DecompressionStream``.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from typing import Any

# JSON above this many characters is embedded compressed (the page stays small).
COMPRESS_ABOVE = 512 * 1024

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


def embed_json(data: Any, compress_above: int | None = None) -> tuple[str, str]:
    """(encoding, text) for a data script block: 'json' (escaped for a script element)
    or, above ``compress_above`` characters (COMPRESS_ABOVE by default), 'deflate-base64'
    (a zlib stream in base64)."""
    text = compact_json(data)
    if len(text) <= (COMPRESS_ABOVE if compress_above is None else compress_above):
        return "json", escape_for_script(text)
    # Level 9: on a 26,000-result report 13% smaller than level 1 (8.7 against 10.0 MB) for
    # 0.8 s more; the page's size is the budget that binds.
    return "deflate-base64", base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def decode_embedded(encoding: str, text: str) -> Any:
    """The inverse of embed_json (what the page's script does), for tests and tools."""
    if encoding == "deflate-base64":
        text = zlib.decompress(base64.b64decode(text)).decode("utf-8")
    return json.loads(text)
