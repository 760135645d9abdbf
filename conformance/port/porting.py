"""One port: read the source, answer every target, optionally verify, and render the answer
as text or as SPEC's JSON object."""

from __future__ import annotations

from dataclasses import replace

from .layer import Layer, PortError
from .sources import Source, read_source
from .targets import Answer, answer, choose_targets

EXAMPLE_LENGTH = 8  # the spatial size of the example input when none is given
SEED = 0


def parse_shape(text: str | None, flag: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if not shape or any(size < 1 for size in shape):
        raise PortError(f"{flag} {text!r}: expected positive sizes separated by commas, e.g. 1,16,16,32")
    return shape


def port(text: str, input_shape=None, weight_shape=None, to=None, do_verify=False, seed: int = SEED) -> dict:
    source, layer = read_source(text, input_shape, weight_shape)
    assumed = layer.input_shape is None
    if assumed:
        layer = layer.with_input((1, layer.in_channels, *([EXAMPLE_LENGTH] * layer.dims)))
    names = choose_targets(layer.op, to, source.adapter)
    answers = [answer(source, layer, name, seed) for name in names]
    if assumed:
        other = layer.with_input((1, layer.in_channels, *([EXAMPLE_LENGTH + 1] * layer.dims)))
        for found, name in zip(answers, names):
            again = answer(source, other, name, seed)
            if (again.verdict, again.call, again.weights) != (found.verdict, found.call, found.weights):
                found.known.append(f"this answer depends on the input size (shown for an example input "
                                   f"{_shape_text(layer.input_shape)}): give --input-shape")
    source_verified = None
    if do_verify:
        from .verify import verify

        runs = [{"adapter": source.adapter, "plan": {"case": "same", "flip": source.kernel_flipped}}]
        runs += [{"adapter": a.adapter, "plan": a.plan} for a in answers if a.plan is not None]
        results = verify(layer, seed, runs)
        source_verified = _verified(results.get(source.adapter))
        for found in answers:
            if found.plan is None:
                continue
            found.verified = _verified(results.get(found.adapter))
            if found.verified and found.verified["status"] not in ("PASS", "NO-ENV"):
                found.reason = (f"verify: {found.verified['status']} ({found.verified.get('message', '')})"
                                + (f"; was {found.verdict}" if found.verdict != "none" else ""))
                found.verdict = "none"
    return {
        "source": {
            "api": source.family,
            "call": text,
            "canonical": {**layer.to_json(), "input_shape_assumed": assumed},
            "adapter": source.adapter,
            "notes": list(source.notes),
            "verified": source_verified,
        },
        "targets": [{**a.to_json(), "notes": a.known} for a in answers],
    }


def _verified(result: dict | None) -> dict | None:
    if result is None:
        return None
    return {"status": result["status"], "max_abs_err": result.get("max_abs_err"), "err_ratio": result.get("err_ratio"),
            "message": result.get("message", ""), "env": result.get("env")}


def _shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def _padding_text(padding) -> str:
    return repr(padding) if isinstance(padding, str) else str([list(p) for p in padding])


def _verified_text(verified: dict | None) -> str:
    if verified is None:
        return ""
    if verified["max_abs_err"] is None:
        return f"{verified['status']} ({verified['message']})"
    return (f"{verified['status']}  max_abs_err={verified['max_abs_err']:.3g}  err_ratio={verified['err_ratio']:.3g}"
            f"  [{verified.get('env') or ''}]")


def render_text(result: dict, verified_run: bool) -> str:
    src, canonical = result["source"], result["source"]["canonical"]
    lines = [f"source: {src['call']}"]
    given = "an example input, not yours: give --input-shape for yours" if canonical["input_shape_assumed"] else "given"
    lines.append(
        f"  canonical: {canonical['op']} {canonical['in_channels']}->{canonical['out_channels']} channels,"
        f" kernel {canonical['kernel']}, stride {canonical['stride']}, dilation {canonical['dilation']},"
        f" padding {_padding_text(canonical['padding'])}, output_padding {canonical['output_padding']},"
        f" output_shape {canonical['output_shape']}, groups {canonical['groups']}, bias {canonical['bias']}"
    )
    what = "(before, O) of the full result" if canonical["op"] == "conv_transpose" else "(before, after) zeros"
    lines.append(f"  input {_shape_text(canonical['input_shape'])} ({given}); per dim {what}: {canonical['windows']}")
    for note in src["notes"]:
        lines.append(f"  note: {note}")
    if verified_run:
        lines.append(f"  verified ({src['adapter']}): {_verified_text(src['verified'])}")
        lines.append("verdicts: the translation, checked by running each target against the oracle (--verify)")
    else:
        lines.append("verdicts: from the translation and the suite's recorded results (nothing was run: --verify runs them)")
    for target in result["targets"]:
        lines.append("")
        lines.append(f"{target['adapter']}: {target['verdict'].upper()}")
        if target["call"]:
            label = "composition (several lines; not one call)" if target["verdict"] == "composition" else "call"
            if target["verdict"] == "none" and target["call"]:
                label = "the call the API would take (not equivalent, see why)"
            lines.append(f"  {label}:")
            lines += [f"    {line}" for line in target["call"].splitlines()]
            lines.append(f"  weights: {target['weights']}")
            lines.append(f"  input: {target['input']}    output: {target['output']}")
        if target["reason"]:
            lines.append(f"  why: {target['reason']}")
        for note in target["notes"]:
            lines.append(f"  note: {note}")
        if verified_run and target["verified"]:
            lines.append(f"  verified: {_verified_text(target['verified'])}")
    return "\n".join(lines)


__all__ = ["Answer", "Layer", "PortError", "Source", "parse_shape", "port", "render_text", "replace"]
