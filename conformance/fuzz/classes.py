"""Disagreement classes, and which of them an expectations file already explains.

A fuzz case is valid and new, so every result but PASS and UNSUPPORTED is a disagreement
with the oracle (UNSUPPORTED is the adapter declaring what its API cannot express). Its
*class* is what a maintainer would file one issue for:

- ``FAIL <what> <diagnosis>``: ``what`` is ``shape``, ``values`` or ``non-finite`` (the
  judge's message says which), ``diagnosis`` the judge's code without its offsets
  (``window-shifted(0,1)`` and ``window-shifted(1,0)`` are one class: a window placed
  differently), or ``unexplained``;
- ``ERROR <ExceptionType> <words>``: the framework's exception type and the first words
  of its message with numbers and ``{{...}}`` node names removed (TF's one
  InvalidArgumentError type covers unrelated refusals; its words tell them apart);
- ``CRASH`` and ``TIMEOUT``.

The rule for "already explained" (fuzz ids are new, so an id or glob rarely matches):
a disagreement is explained by an entry of ``expectations/<adapter>.yaml`` when

1. the entry's id or glob matches the fuzz case's id and one of its outcomes is met; or
2. one of the entry's outcomes (on any machine) has the result's status and the same
   class: for FAIL, the outcome's ``diagnosis`` with its offsets stripped equals the
   result's; for ERROR and CRASH, the outcome's ``message`` pattern is found in the
   result's message (the pattern the runner pins); a TIMEOUT outcome explains every
   TIMEOUT.

Explained disagreements are counted; only the others are shrunk and written.
"""

from __future__ import annotations

import re

from ..runner.expectations import searched_text

STATUSES_AGREEING = ("PASS", "UNSUPPORTED")
_OFFSETS = re.compile(r"\(.*\)$")
_EXCEPTION_TYPE = re.compile(r"^([A-Za-z_][\w.]*)\s*:")
_NODE_NAMES = re.compile(r"\{\{.*?\}\}")
_NOT_WORDS = re.compile(r"[^a-z_]+")
SIGNATURE_WORDS = 6


def diagnosis_family(diagnosis: str | None) -> str:
    """``window-shifted(1,0)`` -> ``window-shifted``; None -> ``unexplained``."""
    return _OFFSETS.sub("", diagnosis) if diagnosis else "unexplained"


def fail_kind(message: str) -> str:
    """What a FAIL is about, from the judge's message: shape, values or non-finite."""
    if message.startswith("out.shape="):
        return "shape"
    if "non-finite" in message.split(";", 1)[0]:
        return "non-finite"
    return "values"


def exception_type(message: str) -> str:
    """``InvalidArgumentError: ...`` -> ``InvalidArgumentError`` (the runner's ERROR message)."""
    match = _EXCEPTION_TYPE.match(message or "")
    return match.group(1) if match else "error"


# ONNX Runtime wraps every kernel error in the same words ("[ONNXRuntimeError] : 2 :
# INVALID_ARGUMENT : Non-zero status code returned while running ConvTranspose node.
# Name:'' Status Message: <the cause>"): the cause is what follows the marker.
_CAUSE_MARKER = "Status Message:"
# OpenCV's errors start with its version and source path: "OpenCV(4.14.0) /io/opencv/...
# .cpp:128: error: (-215:Assertion failed) <the cause> in function 'finalize'".
_OPENCV_CAUSE = re.compile(r"error: \(-\d+:[^)]*\)\s*(.*)")


def error_text(result) -> str:
    """The framework's own words for an ERROR: the message; the cause after ONNX Runtime's
    or OpenCV's wrapper; or, when the message is only the first line of a C++ traceback (MXNet's), the
    traceback's last line."""
    message = result.message or ""
    if _CAUSE_MARKER in message:
        return message.split(_CAUSE_MARKER, 1)[1].strip()
    opencv = _OPENCV_CAUSE.search(message)
    if opencv:
        return opencv.group(1).strip()
    if _strip_types(message).startswith("Traceback") and result.details and result.details.get("traceback"):
        lines = [line.strip() for line in result.details["traceback"].splitlines() if line.strip()]
        return lines[-1] if lines else message
    return message


def _strip_types(text: str) -> str:
    """``MXNetError: MXNetError: could not...`` -> ``could not...``."""
    while _EXCEPTION_TYPE.match(text):
        text = text.split(":", 1)[1].lstrip()
    return text


def message_signature(text: str) -> str:
    """The first words of an error text after its exception types, numbers and node names removed."""
    words = _NOT_WORDS.sub(" ", _NODE_NAMES.sub(" ", _strip_types(text or "").lower())).split()
    return " ".join(words[:SIGNATURE_WORDS])


def disagreement_class(result) -> str | None:
    """The class of a result on a valid case, or None when it agrees (PASS, UNSUPPORTED)."""
    if result.status in STATUSES_AGREEING:
        return None
    if result.status == "FAIL":
        return f"FAIL {fail_kind(result.message)} {diagnosis_family(result.diagnosis)}"
    if result.status == "ERROR":
        return f"ERROR {exception_type(result.message)} {message_signature(error_text(result))}".rstrip()
    return result.status


def explaining_entry(expectations, case_id: str, result):
    """The expectations entry that explains this disagreement under the module's rule, or None."""
    entry = expectations.match(case_id, getattr(result, "quantity", "output"))
    if entry is not None and any(o.mismatch(result) is None for o in entry.outcomes):
        return entry
    for entry in expectations.entries:
        for outcome in entry.outcomes:
            if outcome.status != result.status:
                continue
            if result.status == "FAIL":
                if diagnosis_family(outcome.diagnosis) == diagnosis_family(result.diagnosis):
                    return entry
            elif result.status in ("ERROR", "CRASH"):
                if any(p in searched_text(result) for p in outcome.patterns):
                    return entry
            else:
                return entry
    return None


def slug(text: str) -> str:
    """A class or adapter name as an id or file-name part.

    ``FAIL values kernel-flipped`` -> ``fail-values-kernel-flipped``.
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
