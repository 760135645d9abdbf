"""The fixed words of the suite: why an API cannot express a case, and what kind a finding is.

An adapter's ``Unsupported(reason, ...)`` takes its ``reason`` from ``UNSUPPORTED_REASONS``
(a code, or ``family:value`` for the parametrised ones: ``rank:3``, ``dtype:float64``,
``padding-mode:same_lower``). The report groups by the code and shows the words; the
contract test refuses any other reason. UNSUPPORTED means the API has no way to say the
case - no parameter, layout, rank or dtype for it. A framework refusing what its API can
say is an ERROR with an expectation, never one of these.
"""

from __future__ import annotations

# code -> plain words (what the API lacks).
UNSUPPORTED_REASONS: dict[str, str] = {
    "bias": "no bias argument",
    "groups": "no groups argument",
    "groups-from-kernel": "groups are inferred from the kernel's shape, which gives another count than the case's",
    "dilation-per-dim": "one dilation for every spatial dim",
    "dilation": "no dilation argument",
    "explicit-padding": "padding is a mode ('valid'/'same') only: no explicit amounts",
    "asymmetric-padding": "one padding amount per dim for both ends: no way to pad or crop more at one end",
    "output-padding": "no output_padding (adj) argument",
    "output-padding-with-padding-mode": "output_padding cannot be given together with a padding mode",
    "output-shape": "no way to ask for an output size",
    "output-shape-with-explicit-padding": "the output size argument picks its own padding: no explicit padding beside it",
    "output-shape-with-output-padding": "output size and output_padding are one argument: no way to give both",
    "negative-padding": "negative padding amounts are ordinary values of the API, not a refusal it can be asked for",
}

# family -> words with {value}.
PARAMETRISED_REASONS: dict[str, str] = {
    "rank": "no {value}D form",
    "dtype": "no {value} tensors",
    "padding-mode": "no '{value}' padding mode, and no other way to say its split",
}

# Kinds of finding (expectation entries).
FINDING_KINDS: dict[str, str] = {
    "bug": "contradicts the framework's own documentation or specification",
    "convention": "documented semantics that differ from the canonical ones",
    "limitation": "refuses a valid case (or one the API can say)",
}


class UnknownReason(ValueError):
    pass


def is_reason(code: str) -> bool:
    if code in UNSUPPORTED_REASONS:
        return True
    family, sep, value = code.partition(":")
    return bool(sep) and family in PARAMETRISED_REASONS and bool(value)


def reason_words(code: str) -> str:
    """Plain words for an UNSUPPORTED reason code; raises UnknownReason for any other text."""
    if code in UNSUPPORTED_REASONS:
        return UNSUPPORTED_REASONS[code]
    family, sep, value = code.partition(":")
    if sep and family in PARAMETRISED_REASONS and value:
        return PARAMETRISED_REASONS[family].format(value=value)
    known = ", ".join([*UNSUPPORTED_REASONS, *(f"{f}:<value>" for f in PARAMETRISED_REASONS)])
    raise UnknownReason(f"unknown UNSUPPORTED reason {code!r}; known: {known}")
