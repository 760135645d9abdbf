"""JSON that is safe to embed in an HTML ``<script type="application/json">`` block.

Inside a script element the HTML parser looks for ``</script`` and ``<!--`` whatever the
JSON means, so ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (still the
same JSON string). U+2028 and U+2029 are escaped too: they end a line in older JavaScript.
NaN and infinities, which JSON cannot hold, become the strings "nan", "inf", "-inf".
A large block (a report's repro scripts are mostly float literals) is embedded as a zlib
stream in base85 instead, which the page inflates with ``DecompressionStream``: base85
(4 bytes in 5 characters) is 6% smaller than base64 (3 in 4), 0.8 MB on a 26,000-result
page. Its alphabet (``BASE85``) is printable ASCII without ``<``, ``>``, ``&``, ``!``,
``-``, ``/``, quotes and backslash, so the text can neither end the script element nor
open a comment in it; the block is "<byte length> <characters>", padded to whole groups.
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from typing import Any

from . import float_lines

# JSON above this many characters is embedded compressed (the page stays small).
COMPRESS_ABOVE = 512 * 1024

# Python's base85 alphabet (RFC 1924 order) and the page's: the same digit values, other characters.
RFC1924 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
BASE85 = bytes(c for c in range(33, 127) if chr(c) not in "!\"&'-/<>\\")
assert len(RFC1924) == len(BASE85) == 85
TO_PAGE = bytes.maketrans(RFC1924, BASE85)
FROM_PAGE = bytes.maketrans(BASE85, RFC1924)

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
    or, above ``compress_above`` characters (COMPRESS_ABOVE by default), 'deflate-base85'
    (a zlib stream: its length, a space, its base85 in the page's alphabet). Compressed, a
    dict's "strings" that are repro lines of float literals go as float64 bytes after the
    JSON ('deflate-base85-f64': 4 bytes of JSON length, big-endian, the JSON, the float
    planes; see float_lines.py)."""
    text = compact_json(data)
    if len(text) <= (COMPRESS_ABOVE if compress_above is None else compress_above):
        return "json", escape_for_script(text)
    encoding, payload = "deflate-base85", text.encode("utf-8")
    if isinstance(data, dict) and isinstance(data.get("strings"), list):
        strings, planes = float_lines.pack(data["strings"])
        if planes:
            head = compact_json({**data, "strings": strings}).encode("utf-8")
            encoding, payload = "deflate-base85-f64", len(head).to_bytes(4, "big") + head + planes
    # Level 9: on a 26,000-result report 13% smaller than level 1 (8.7 against 10.0 MB) for
    # 0.8 s more; the page's size is the budget that binds.
    packed = zlib.compress(payload, 9)
    return encoding, f"{len(packed)} " + page_base85(packed)


def page_base85(data: bytes) -> str:
    """``base64.b85encode(data, pad=True)`` in the page's alphabet, computed with NumPy: the
    standard library's loop took 1.4 s of CPU on a 26,000-result report's 13 MB, this 0.2 s."""
    import numpy as np

    padded = data + b"\0" * (-len(data) % 4)
    words = np.frombuffer(padded, dtype=">u4").astype(np.uint32)  # native order: faster arithmetic
    digits = np.empty((words.size, 5), dtype=np.uint8)
    for place in range(4, -1, -1):  # the last digit first: value % 85, then value // 85 ...
        digits[:, place] = words % 85
        words //= 85
    return np.frombuffer(BASE85, dtype=np.uint8)[digits].tobytes().decode("ascii")


def decode_embedded(encoding: str, text: str) -> Any:
    """The inverse of embed_json (what the page's script does), for tests and tools."""
    if encoding in ("deflate-base85", "deflate-base85-f64"):
        length, _, characters = text.strip().partition(" ")
        if not re.fullmatch(r"\d+", length):
            raise ValueError(f"a {encoding} block starts with its byte length, not {length[:20]!r}")
        packed = base64.b85decode(characters.encode("ascii").translate(FROM_PAGE))[: int(length)]
        payload = zlib.decompress(packed)
        if encoding == "deflate-base85-f64":
            size = int.from_bytes(payload[:4], "big")
            data = json.loads(payload[4 : 4 + size].decode("utf-8"))
            data["strings"] = float_lines.unpack(data["strings"], payload[4 + size :])
            return data
        text = payload.decode("utf-8")
    return json.loads(text)
