"""``conformance port CALL``: the same layer in other APIs (conformance.port does the work)."""

from __future__ import annotations

import json
import sys

HELP = "the same layer in other APIs: equivalent call, composition, or why there is none"


def add_arguments(parser) -> None:
    parser.add_argument("call", metavar="CALL", help="the layer's call as Python text (parsed, never run)")
    parser.add_argument("--input-shape", metavar="SHAPE", help="the input's shape in the source API's layout, e.g. 1,16,16,32")
    parser.add_argument("--weight-shape", metavar="SHAPE",
                        help="the weight's shape in the source API's layout, when the call passes it as a name (functions, ONNX nodes)")
    parser.add_argument("--to", metavar="NAME|FRAMEWORK|all", action="append",
                        help="target adapters (as `conformance adapters` lists them), frameworks, or all (default); repeatable")
    parser.add_argument("--verify", action="store_true", help="run source and targets in their tox environments against the oracle")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def main(args) -> int:
    from ..port.layer import PortError
    from ..port.porting import parse_shape, port, render_text

    try:
        to = [item for value in (args.to or []) for item in value.split(",") if item]
        result = port(args.call, parse_shape(args.input_shape, "--input-shape"),
                      parse_shape(args.weight_shape, "--weight-shape"), to or None, args.verify)
    except PortError as err:
        print(f"conformance port: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(render_text(result, args.verify))
    return 0
