"""The report's "find my layer" panel reads a pasted call as `conformance port` does: its JS
(conformance/report/static/port_source.js, over conformance.port.export's tables) run under
node on generated calls of every source family the CLI reads, and on bad input, compared with
the CLI's source object and one-line errors."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.port.export import page_tables
from conformance.port.layer import PortError
from conformance.port.porting import parse_shape, port

JS = Path(__file__).resolve().parents[1] / "conformance" / "report" / "static" / "port_source.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

RUNNER = """
const port = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.configs.map(([call, shape, weight]) => {
  try { return { source: port.readSource(call, shape, input.tables, weight) }; }
  catch (err) { if (err instanceof port.PortError) return { error: err.message }; throw err; }
});
process.stdout.write(JSON.stringify(out));
"""


def generated_configs(count: int = 240, seed: int = 5) -> list[tuple[str, str | None]]:
    """torch modules and functions and Keras layers, transposed and not, over ranks, strides,
    kernels, paddings ('same'/'valid' where the API takes them), output_padding, groups, dilation."""
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        dims = rng.choice([1, 2, 3])
        transposed = rng.random() < 0.7
        groups = rng.choice([1, 1, 2, 4])
        c_in, c_out = groups * rng.choice([1, 2, 3]), groups * rng.choice([1, 2, 4])
        kernel = rng.choice([1, 2, 3, 4, 5]) if rng.random() < 0.7 else [rng.choice([1, 2, 3]) for _ in range(dims)]
        stride = rng.choice([1, 2, 3]) if rng.random() < 0.7 else [rng.choice([1, 2]) for _ in range(dims)]
        dilation = rng.choice([1, 1, 2])
        if transposed:
            padding = rng.choice([0, 1, 2, [1] * dims])
        else:
            padding = rng.choice([0, 1, "same", "valid", [2] * dims])
        kw = [f"stride={stride}", f"padding={padding!r}", f"dilation={dilation}", f"groups={groups}"]
        if transposed and rng.random() < 0.5:
            kw.append(f"output_padding={rng.choice([0, 1])}")
        rng.shuffle(kw)
        kw = kw[: rng.randint(1, len(kw))]
        lengths = [rng.randint(3, 11) for _ in range(dims)]
        shape = ",".join(map(str, [rng.choice([1, 2]), c_in, *lengths]))
        if rng.random() < 0.35:
            configs.append(keras_config(rng, dims, transposed, groups, c_in, c_out, kernel, stride, dilation, lengths))
            continue
        name = "ConvTranspose" if transposed else "Conv"
        if rng.random() < 0.5:
            neutral = rng.choice(["", "", ", device='cpu'", ", dtype=torch.float32", ", device=torch.device('cuda', 0)"])
            call = f"torch.nn.{name}{dims}d({c_in}, {c_out}, {kernel}, {', '.join(kw)}{neutral})"
        else:
            fn = "conv_transpose" if transposed else "conv"
            ks = kernel if isinstance(kernel, list) else [kernel] * dims
            w = [c_in, c_out // groups, *ks] if transposed else [c_out, c_in // groups, *ks]
            bias = rng.choice(["b", "None"])
            call = f"F.{fn}{dims}d(x, torch.randn({', '.join(map(str, w))}), {bias}, {', '.join(kw)})"
        configs.append((call, shape if rng.random() < 0.85 or call.startswith("F.") else None))
    return configs


def keras_config(rng, dims, transposed, groups, c_in, c_out, kernel, stride, dilation, lengths):
    """A Keras layer: 'same' (odd totals at stride 2 and 3) or 'valid', output_padding, channels first or last."""
    name = f"Conv{dims}DTranspose" if transposed else f"Conv{dims}D"
    kw = [f"strides={stride}", f"padding={rng.choice(['same', 'valid'])!r}", f"dilation_rate={dilation}"]
    if transposed and rng.random() < 0.4:
        kw.append(f"output_padding={rng.choice([0, 1])}")
    if not transposed and rng.random() < 0.5:
        kw.append(f"groups={groups}")
    if rng.random() < 0.3:
        kw.append(f"use_bias={rng.choice([True, False])}")
    if rng.random() < 0.3:
        kw.append(rng.choice(["kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02)", "name='g1'", "dtype=tf.float32",
                              "activation=tf.nn.relu"]))
    first = rng.random() < 0.25
    if first:
        kw.append("data_format='channels_first'")
    rng.shuffle(kw)
    batch = rng.choice([1, 2])
    shape = [batch, c_in, *lengths] if first else [batch, *lengths, c_in]
    prefix = rng.choice(["keras.layers", "tf.keras.layers", "layers"])
    return f"{prefix}.{name}({c_out}, {kernel}, {', '.join(kw)})", ",".join(map(str, shape))


# -- every other source family `conformance port` reads: one generator each, (call, input shape, weight shape) --------
def _spec(rng, transposed=None, dims=None, max_groups=4):
    """One layer's numbers: rank, groups, channels, per-dim kernel/stride/dilation, input lengths."""
    dims = dims or rng.choice([1, 2, 3])
    transposed = rng.random() < 0.65 if transposed is None else transposed
    groups = rng.choice([g for g in (1, 1, 2, 4) if g <= max_groups])
    return {
        "dims": dims, "transposed": transposed, "groups": groups,
        "c_in": groups * rng.choice([1, 2, 3]), "c_out": groups * rng.choice([1, 2, 4]),
        "kernel": [rng.choice([1, 2, 3, 4, 5])] * dims if rng.random() < 0.6 else [rng.choice([1, 2, 3]) for _ in range(dims)],
        "stride": [rng.choice([1, 2, 3])] * dims if rng.random() < 0.7 else [rng.choice([1, 2]) for _ in range(dims)],
        "dilation": [rng.choice([1, 1, 2])] * dims,
        "lengths": [rng.randint(3, 11) for _ in range(dims)],
        "batch": rng.choice([1, 2]),
    }


def _shape(values) -> str:
    return ",".join(map(str, values))


def _int_or_list(rng, values):
    """An int where all dims agree (sometimes), else a tuple."""
    return values[0] if len(set(values)) == 1 and rng.random() < 0.6 else tuple(values)


def _kwargs(rng, items, keep_all=False):
    items = [i for i in items if i]
    rng.shuffle(items)
    return items if keep_all else items[: rng.randint(0, len(items))]


def tf_keras_layer(rng):
    s = _spec(rng, max_groups=1)
    config = keras_config(rng, s["dims"], s["transposed"], 1, s["c_in"], s["c_out"], _int_or_list(rng, s["kernel"]),
                          _int_or_list(rng, s["stride"]), s["dilation"][0], s["lengths"])
    return ("tf_keras.layers." + config[0][config[0].index("Conv"):], config[1], None)


def tf_layers(rng):
    s = _spec(rng, transposed=True, dims=2)
    prefix = rng.choice(["tf.layers", "tf.compat.v1.layers", "layers"])
    first = rng.random() < 0.25
    kw = _kwargs(rng, [f"strides={_int_or_list(rng, s['stride'])!r}", f"padding={rng.choice(['same', 'valid', 'SAME'])!r}",
                       f"use_bias={rng.choice([True, False])}", "data_format='channels_first'" if first else None,
                       rng.choice(["activation='relu'", "name='up'", None])])
    shape = [s["batch"], s["c_in"], *s["lengths"]] if first else [s["batch"], *s["lengths"], s["c_in"]]
    inputs = rng.choice(["x", f"tf.zeros({tuple(shape)!r})"])
    if rng.random() < 0.25:  # the layer class (tf.compat.v1.layers.Conv2DTranspose): no inputs argument
        kw = [k for k in kw if not k.startswith("use_bias")] + ["kernel_initializer=tf.random_normal_initializer(stddev=0.02)"]
        call = f"{prefix.replace('layers', 'layers.Conv2DTranspose') if prefix != 'layers' else 'tf.layers.Conv2DTranspose'}"
        call += f"({s['c_out']}, {_int_or_list(rng, s['kernel'])!r}{''.join(', ' + k for k in kw)})"
        return call, _shape(shape), None
    call = f"{prefix}.conv2d_transpose({inputs}, {s['c_out']}, {_int_or_list(rng, s['kernel'])!r}{''.join(', ' + k for k in kw)})"
    return call, _shape(shape) if rng.random() < 0.9 or inputs != "x" else None, None


def tf_nn(rng):
    """tf.nn's transposed conv (output_shape, TF1's value=/filter=) and its conv; SAME/VALID/explicit; NHWC/NCHW."""
    s = _spec(rng, max_groups=1)
    dims, sp = s["dims"], "DHW"[3 - s["dims"]:]
    first = rng.random() < 0.25
    layout = "NC" + sp if first else "N" + sp + "C"
    x = [s["batch"], s["c_in"], *s["lengths"]] if first else [s["batch"], *s["lengths"], s["c_in"]]
    k, st, d = s["kernel"], s["stride"], s["dilation"]
    if s["transposed"]:
        w = [*k, s["c_out"], s["c_in"]]
        name = rng.choice([f"tf.nn.conv{dims}d_transpose", "tf.nn.conv_transpose", f"tf.compat.v1.nn.conv{dims}d_transpose",
                           f"tensorflow.nn.conv{dims}d_transpose", "tf.compat.v1.nn.conv_transpose"])
        padding = rng.choice(["SAME", "VALID", "same", "explicit"])
        out = []
        for n, kk, ss, dd in zip(s["lengths"], k, st, d):
            full = (n - 1) * ss + dd * (kk - 1) + 1
            out.append(n * ss if padding.upper() == "SAME" else full if padding == "VALID" else full - 2)
        if padding == "explicit":
            pairs = [[0, 0]] + [[1, 1]] * dims + [[0, 0]]
            padding = pairs if not first else [[0, 0], [0, 0]] + [[1, 1]] * dims
        out_shape = [s["batch"], s["c_out"], *out] if first else [s["batch"], *out, s["c_out"]]
        filt = rng.choice(["w", f"tf.zeros({tuple(w)!r})"])
        tf1 = rng.random() < 0.3  # TF1's names: value=, filter=
        args = [f"value=x, filter={filt}" if tf1 else f"x, {filt}", f"output_shape={out_shape}"]
    else:
        w = [*k, s["c_in"], s["c_out"]]
        name = rng.choice([f"tf.nn.conv{dims}d", "tf.nn.convolution", f"tf.compat.v1.nn.conv{dims}d", "tf.compat.v1.nn.convolution"])
        padding = rng.choice(["SAME", "VALID", "valid"])
        filt = f"tf.random.normal({w})" if rng.random() < 0.7 else "w"
        args = [f"x, {filt}"]
    # strides and dilations: an int, one per spatial dim, or one per input dim in data_format's order
    full = ([1, 1, *st] if first else [1, *st, 1])
    strides = rng.choice([_int_or_list(rng, st), full])
    dilations = rng.choice([d[0], [1, 1, *d] if first else [1, *d, 1]])
    kw = [f"strides={strides!r}", f"padding={padding!r}", f"data_format={layout!r}" if first or rng.random() < 0.3 else None,
          f"dilations={dilations!r}" if d[0] > 1 and max(st) == 1 else None,
          rng.choice(["name='up'", "name=scope", None])]
    kw = _kwargs(rng, kw, keep_all=True)
    weight = _shape(w) if filt == "w" and rng.random() < 0.8 else None
    return f"{name}({', '.join(args + kw)})", _shape(x) if rng.random() < 0.9 else None, weight


def gluon(rng):
    s = _spec(rng)
    prefix = rng.choice(["mxnet.gluon.nn", "mx.gluon.nn", "gluon.nn", "nn"])
    name = f"Conv{s['dims']}D{'Transpose' if s['transposed'] else ''}"
    kw = [f"strides={_int_or_list(rng, s['stride'])!r}", f"padding={rng.choice([0, 1, 2, (1,) * s['dims']])!r}",
          f"dilation={s['dilation'][0]}", f"groups={s['groups']}", f"use_bias={rng.choice([True, False])}",
          f"output_padding={rng.choice([0, 1])}" if s["transposed"] else None,
          f"in_channels={s['c_in']}" if rng.random() < 0.5 else None, rng.choice(["activation='relu'", "layout='NCHW'", None])]
    kw = _kwargs(rng, kw)
    positional = rng.random() < 0.2
    head = [str(s["c_out"]), repr(_int_or_list(rng, s["kernel"]))]
    if positional:  # channels, kernel_size, strides, padding, ... by position
        head += [repr(_int_or_list(rng, s["stride"])), str(rng.choice([0, 1]))]
        kw = [k for k in kw if not k.startswith(("strides=", "padding="))]
    call = f"{prefix}.{name}({', '.join(head + kw)})"
    return call, _shape([s["batch"], s["c_in"], *s["lengths"]]) if rng.random() < 0.85 else None, None


def mxnet_nd(rng):
    s = _spec(rng)
    op = "Deconvolution" if s["transposed"] else "Convolution"
    prefix = rng.choice(["mx.nd", "mxnet.nd", "mx.sym", "nd", "mxnet.ndarray"])
    g = s["groups"]
    w = [s["c_in"], s["c_out"] // g, *s["kernel"]] if s["transposed"] else [s["c_out"], s["c_in"] // g, *s["kernel"]]
    weight = rng.choice(["weight=w", f"weight=mx.nd.zeros({tuple(w)!r})"])
    kw = [f"kernel={tuple(s['kernel'])!r}", weight, f"stride={tuple(s['stride'])!r}" if rng.random() < 0.8 else None,
          f"pad={tuple([rng.choice([0, 1])] * s['dims'])!r}", f"dilate={tuple(s['dilation'])!r}" if rng.random() < 0.5 else None,
          f"num_filter={s['c_out']}" if rng.random() < 0.8 else None, f"num_group={g}",
          f"no_bias={rng.choice([True, False])}" if rng.random() < 0.5 else None]
    if s["transposed"]:
        kw.append(f"adj={tuple([rng.choice([0, 1])] * s['dims'])!r}" if rng.random() < 0.4 else None)
        if rng.random() < 0.3:
            kw.append(f"target_shape={tuple(n * st for n, st in zip(s['lengths'], s['stride']))!r}")
    kw = _kwargs(rng, ["data=x"] + kw, keep_all=True)
    ws = _shape(w) if "weight=w" in kw and rng.random() < 0.5 else None
    return f"{prefix}.{op}({', '.join(kw)})", _shape([s["batch"], s["c_in"], *s["lengths"]]) if rng.random() < 0.85 else None, ws


def jax_lax(rng):
    """lax.conv_transpose (transpose_kernel, dimension_numbers) and conv_general_dilated (lhs_dilation: transposed)."""
    s = _spec(rng, max_groups=1 if rng.random() < 0.5 else 4)
    dims, sp = s["dims"], "DHW"[3 - s["dims"]:]
    prefix = rng.choice(["jax.lax", "lax"])
    k, st = s["kernel"], s["stride"]
    pad = rng.choice(["SAME", "VALID", "same", [[1, 1]] * dims, [[0, 2]] * dims, "SAME_LOWER"])
    if s["transposed"] and rng.random() < 0.6:
        s["groups"], s["c_in"], s["c_out"] = 1, s["c_in"] // s["groups"], s["c_out"] // s["groups"]
        last = rng.random() < 0.7
        lhs = "N" + sp + "C" if last else "NC" + sp
        rhs = rng.choice([sp + "IO", "IO" + sp, "OI" + sp])
        tk = rng.random() < 0.5
        sizes = {"I": s["c_out"] if tk else s["c_in"], "O": s["c_in"] if tk else s["c_out"], **dict(zip(sp, k))}
        w = [sizes[c] for c in rhs]
        x = [s["batch"], *s["lengths"], s["c_in"]] if last else [s["batch"], s["c_in"], *s["lengths"]]
        dn = f", dimension_numbers={(lhs, rhs, lhs)!r}" if (lhs, rhs) != ("N" + sp + "C", sp + "IO") or rng.random() < 0.3 else ""
        tks = f", transpose_kernel={tk}" if tk or rng.random() < 0.3 else ""
        dil = f", rhs_dilation={tuple(s['dilation'])!r}" if rng.random() < 0.4 else ""
        call = f"{prefix}.conv_transpose(x, jnp.zeros({tuple(w)!r}), {tuple(st)!r}, {pad!r}{dil}{dn}{tks})"
        return call, _shape(x) if rng.random() < 0.85 else None, None
    g = s["groups"]
    first = rng.random() < 0.7
    lhs, rhs = ("NC" + sp, "OI" + sp) if first else ("N" + sp + "C", sp + "IO")
    x = [s["batch"], s["c_in"], *s["lengths"]] if first else [s["batch"], *s["lengths"], s["c_in"]]
    if s["transposed"]:  # the forward conv's kernel flipped: O = C_out, I = C_in/g read as a conv
        sizes = {"O": s["c_out"], "I": s["c_in"] // g, **dict(zip(sp, k))}
        strides, extra = (1,) * dims, f", lhs_dilation={tuple(st)!r}"
    else:
        sizes = {"O": s["c_out"], "I": s["c_in"] // g, **dict(zip(sp, k))}
        strides, extra = tuple(st), ""
    w = [sizes[c] for c in rhs]
    dn = f", dimension_numbers={(lhs, rhs, lhs)!r}" if not first or rng.random() < 0.5 else ""
    fg = f", feature_group_count={g}" if g > 1 or rng.random() < 0.2 else ""
    call = f"{prefix}.conv_general_dilated(x, jnp.zeros({tuple(w)!r}), {strides!r}, {pad!r}{extra}{dn}{fg})"
    return call, _shape(x) if rng.random() < 0.9 else None, None


def onnx_node(rng):
    s = _spec(rng)
    dims, g = s["dims"], s["groups"]
    op = "ConvTranspose" if s["transposed"] else "Conv"
    w = [s["c_in"], s["c_out"] // g, *s["kernel"]] if s["transposed"] else [s["c_out"], s["c_in"] // g, *s["kernel"]]
    name = rng.choice(["onnx.helper.make_node", "helper.make_node", "make_node"])
    inputs = rng.choice([["x", "w"], ["x", "w", "b"]])
    kw = [f"kernel_shape={s['kernel']}" if rng.random() < 0.8 else None, f"strides={s['stride']}",
          f"dilations={s['dilation']}" if rng.random() < 0.5 else None, f"group={g}" if g > 1 or rng.random() < 0.3 else None]
    mode = rng.choice(["pads", "pads", "auto_pad", "none", "output_shape"] if s["transposed"] else ["pads", "auto_pad", "none"])
    if mode == "pads":
        kw.append(f"pads={[rng.choice([0, 1]) for _ in range(dims)] + [rng.choice([0, 1, 2]) for _ in range(dims)]}")
    elif mode == "auto_pad":
        kw.append(f"auto_pad={rng.choice(['SAME_UPPER', 'SAME_LOWER', 'VALID', 'NOTSET', b'SAME_UPPER'])!r}")
    if s["transposed"] and rng.random() < 0.4:
        kw.append(f"output_padding={[rng.choice([0, 1]) for _ in range(dims)]}")
    if mode == "output_shape" or (mode == "auto_pad" and s["transposed"] and rng.random() < 0.3):
        kw.append(f"output_shape={[n * st for n, st in zip(s['lengths'], s['stride'])]}")
    kw = _kwargs(rng, kw, keep_all=True)
    positional = rng.random() < 0.6
    head = [repr(op), repr(inputs), "['y']"] if positional else [f"op_type={op!r}", f"inputs={inputs!r}", "outputs=['y']"]
    call = f"{name}({', '.join(head + kw)})"
    return call, _shape([s["batch"], s["c_in"], *s["lengths"]]) if rng.random() < 0.85 else None, _shape(w) if rng.random() < 0.9 else None


def paddle_layer(rng):
    s = _spec(rng)
    dims = s["dims"]
    name = f"Conv{dims}D{'Transpose' if s['transposed'] else ''}"
    prefix = "paddle.nn"  # a bare nn.Conv2D is Gluon's: its pattern comes first, in the CLI and the page
    last = rng.random() < 0.2
    fmt = {1: ("NCL", "NLC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}[dims][last]
    padding = rng.choice([0, 1, 2, "same", "valid", "SAME", [1] * dims, [0, 1] * dims])
    kw = [f"stride={_int_or_list(rng, s['stride'])!r}", f"padding={padding!r}", f"dilation={s['dilation'][0]}",
          f"groups={s['groups']}", f"bias_attr={rng.choice([False, None])}" if rng.random() < 0.4 else None,
          f"data_format={fmt!r}" if last or rng.random() < 0.3 else None,
          f"output_padding={rng.choice([0, 1])}" if s["transposed"] and rng.random() < 0.4 else None]
    kw = _kwargs(rng, kw)
    x = [s["batch"], *s["lengths"], s["c_in"]] if last else [s["batch"], s["c_in"], *s["lengths"]]
    call = f"{prefix}.{name}({s['c_in']}, {s['c_out']}, {_int_or_list(rng, s['kernel'])!r}{''.join(', ' + k for k in kw)})"
    return call, _shape(x) if rng.random() < 0.8 else None, None


def flax_layer(rng):
    s = _spec(rng)
    dims = s["dims"]
    transposed = s["transposed"]
    prefix = rng.choice(["flax.linen", "flax.nnx"] + (["nn"] if transposed else []))
    padding = rng.choice(["SAME", "VALID", "same", [[1, 1]] * dims, [[0, 1]] * dims])
    kw = [f"strides={tuple(s['stride'])!r}" if rng.random() < 0.8 else None, f"padding={padding!r}",
          f"kernel_dilation={tuple(s['dilation'])!r}" if rng.random() < 0.4 else None,
          f"use_bias={rng.choice([True, False])}" if rng.random() < 0.4 else None,
          rng.choice(["name='up'", "precision=None", "dtype=jnp.float32", "param_dtype=jnp.bfloat16", None]),
          rng.choice(["kernel_init=nn.initializers.normal(0.02)", "bias_init=nn.initializers.zeros", None])]
    if transposed:
        kw.append(f"transpose_kernel={rng.choice([True, False])}" if rng.random() < 0.6 else None)
    else:
        kw.append(f"feature_group_count={s['groups']}" if s["groups"] > 1 or rng.random() < 0.2 else None)
    kw = _kwargs(rng, kw, keep_all=True)
    call = f"{prefix}.Conv{'Transpose' if transposed else ''}({s['c_out']}, {tuple(s['kernel'])!r}{''.join(', ' + k for k in kw)})"
    return call, _shape([s["batch"], *s["lengths"], s["c_in"]]) if rng.random() < 0.9 else None, None


FAMILIES = {"tf_keras": tf_keras_layer, "tf.layers": tf_layers, "tf.nn": tf_nn, "gluon": gluon, "mx.nd": mxnet_nd,
            "jax.lax": jax_lax, "onnx": onnx_node, "paddle": paddle_layer, "flax": flax_layer}


BAD = [
    ("torch.nn.ConvTranspose2d(16, 8, 3, strides=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2", None),
    ("torch.nn.ConvTranspose2d", None),
    ("[1, 2]", None),
    ("torch.nn.ConvTranspose9d(16, 8, 3)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, 2, 1, 1, 1, True, 1, 'zeros', 5)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, 2, stride=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, groups=3)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=0)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, padding='same')", None),
    ("torch.nn.ConvTranspose2d(16, 8, k)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=[2, 2, 2])", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=True)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, padding_mode='reflect')", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=f(2))", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, stride=2.0)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, *args)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, **kw)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,16,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,12,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,x,8,8"),
    ("torch.nn.ConvTranspose2d(16, 8, 3)", "1,0,8,8"),
    ("torch.nn.Conv2d(16, 8, 3, padding='full')", None),
    ("F.conv_transpose2d(x, w, stride=2)", "1,16,8,8"),
    ("F.conv_transpose2d(x, torch.randn(16, 4, 3, 3), stride=2)", None),
    ("torch.nn.ConvTranspose2d(16, 8, 3, name='up', bias=False)", "1,16,8,8"),
    ("keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same')", None),
    ("keras.layers.Conv2DTranspose(8, 3, padding='full')", "1,8,8,4"),
    ("keras.layers.Conv1D(8, 3, padding='causal')", "1,8,4"),
    ("keras.layers.Conv2DTranspose(n, 3)", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, data_format='NCW?')", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, groups=2)", "1,8,8,4"),
    ("keras.layers.Conv2D(8, 3, groups=3)", "1,8,8,4"),
    ("keras.layers.Conv2DTranspose(8, 3, activation='relu', kernel_initializer='he_normal')", "1,8,8,4"),
]


# Bad input in every other family: an argument or attribute the API does not take, a mode it does
# not have, a layout it does not read, a missing size the answer needs, channels that do not split.
BAD_FAMILIES = [
    ("tf.nn.conv2d_transpose(x, w, strides=2, padding='SAME')", "1,8,8,4", "3,3,8,4"),
    ("tf.nn.conv2d_transpose(x, w, [1, 16, 16, 8], 2, 'FULL')", "1,8,8,4", "3,3,8,4"),
    ("tf.nn.conv2d_transpose(x, w, output_shape=[1, 16, 16], strides=2)", "1,8,8,4", "3,3,8,4"),
    ("tf.nn.conv_transpose(x, w, strides=2)", None, None),
    ("tf.nn.conv2d_transpose(x, w, output_shape=[1, 16, 16, 8], strides=2)", "1,8,8,4", None),
    ("tf.nn.conv2d(x, tf.zeros((3, 3, 4, 8)), strides=1, padding='SAME', data_format='HWNC')", "1,8,8,4", None),
    ("tf.nn.conv2d(x, tf.zeros((3, 3, 4, 8)), strides=1, padding='SAME', groups=2)", "1,8,8,4", None),
    ("tf.compat.v1.tf.nn.conv2d_transpose(value=x, filter=w, output_shape=[1, 16, 16, 8], strides=2)", "1,8,8,4", "3,3,8,4"),
    ("tf.compat.v1.nn.conv2d_transpose(x, w, [1, 16, 16, 8], 2, 'SAME', 'NHWC', 'up', 1)", "1,8,8,4", "3,3,8,4"),
    ("tf.compat.v1.nn.conv2d(x, w, padding='SAME')", "1,8,8,4", "3,3,4,8"),
    ("tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding='SAME', data_format='NCHW')", "1,4,8,8", "3,3,4,8"),
    ("tf.nn.conv2d(x, w, strides=1, padding=[[0, 0], [1, 1], [1, 1], [0, 0]], data_format='NCHW')", "1,4,8,8", "3,3,4,8"),
    ("tf.nn.conv3d_transpose(x, w, [1, 8, 8, 8, 8], [1, 2, 2, 2, 2], data_format='NCDHW')", "1,4,4,4,4", "3,3,3,8,4"),
    ("tf.layers.conv2d_transpose(x, f, 3)", "1,8,8,4", None),
    ("tf.layers.conv2d_transpose(x, 8, 3, dilation_rate=2)", "1,8,8,4", None),
    ("tf_keras.layers.Conv2D(8, 3, padding='causal')", "1,8,8,4", None),
    ("mx.gluon.nn.Conv2DTranspose(8, 3, layout='NHWC')", "1,8,8,4", None),
    ("mx.gluon.nn.Conv2DTranspose(8, 3, strides=2, padding=1, in_channels=6, groups=4)", None, None),
    ("mx.gluon.nn.Conv2DTranspose(8, 3, stride=2)", "1,4,8,8", None),
    ("mx.gluon.nn.Conv2D(8, (3, 3, 3))", "1,4,8,8", None),
    ("mx.nd.Deconvolution(data=x, weight=w, num_filter=8)", "1,4,8,8", None),
    ("mx.nd.Deconvolution(data=x, weight=w, kernel=3, num_filter=8)", "1,4,8,8", None),
    ("mx.nd.Convolution(data=x, weight=w, kernel=(3, 3), num_filter=8, layout='NHWC')", "1,8,8,4", None),
    ("mx.nd.Deconvolution(data=x, weight=w, kernel=(3, 3), pad=(1, 1, 1), num_filter=8)", "1,4,8,8", None),
    ("mx.nd.Deconvolution(data=x, weight=w, kernel=(3, 3), stride=(2, 2))", "1,4,8,8", None),
    ("jax.lax.conv_transpose(x, w, (2, 2), 'SAME')", "1,8,8,4", None),
    ("jax.lax.conv_transpose(x, jnp.zeros((3, 3, 4, 8)), (2, 2), 'FULL')", "1,8,8,4", None),
    ("jax.lax.conv_transpose(x, jnp.zeros((3, 3, 4, 8)), (2, 2), 'SAME', dimension_numbers='NHWC')", "1,8,8,4", None),
    ("jax.lax.conv_transpose(x, jnp.zeros((2, 2, 4, 8)), (3, 3), 'VALID')", None, None),
    ("jax.lax.conv_general_dilated(x, jnp.zeros((8, 4, 3, 3)), (1, 1), 'SAME', batch_group_count=2)", "1,4,8,8", None),
    ("jax.lax.conv_general_dilated(x, jnp.zeros((8, 4, 3, 3)), (2, 2), [[1, 1], [1, 1]], lhs_dilation=(2, 2))", "1,4,8,8", None),
    ("jax.lax.conv_general_dilated(x, jnp.zeros((8, 4, 3, 3)), (1, 1), [[1, 1]])", "1,4,8,8", None),
    ("onnx.helper.make_node('Relu', ['x'], ['y'])", None, None),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'], kernel_shape=[3, 3], padding=[1, 1])", "1,4,8,8", "4,8,3,3"),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'], auto_pad='SAME')", "1,4,8,8", "4,8,3,3"),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'], pads=[1, 1])", "1,4,8,8", "4,8,3,3"),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'], strides=[2, 2])", "1,4,8,8", None),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'], output_shape=[16, 16])", None, "4,8,3,3"),
    ("onnx.helper.make_node('ConvTranspose', ['x', 'w'], ['y'])", None, None),
    ("onnx.helper.make_node('Conv', ['x', 'w'], ['y'], group=3)", "1,4,8,8", "8,2,3,3"),
    ("onnx.helper.make_node('Conv', ['x', 'w'], ['y'])", "1,4,8,8", "8,a,3,3"),
    ("paddle.nn.Conv2DTranspose(4, 8, 3, padding='full')", None, None),
    ("paddle.nn.Conv2D(4, 8, 3, padding_mode='reflect')", None, None),
    ("paddle.nn.Conv2DTranspose(4, 8, 3, data_format='HWCN')", None, None),
    ("paddle.nn.Conv2D(4, 8, 3, padding=[1, 2, 3])", None, None),
    ("paddle.nn.Conv2D(4, 8, 3, groups=3)", None, None),
    ("flax.linen.ConvTranspose(8, 3)", "1,8,8,4", None),
    ("flax.linen.Conv(8, (3, 3), input_dilation=2)", "1,8,8,4", None),
    ("flax.linen.ConvTranspose(8, (3, 3), padding='FULL')", "1,8,8,4", None),
    ("flax.linen.ConvTranspose(8, (3, 3), padding=[[1, 1]])", "1,8,8,4", None),
    ("flax.linen.Conv(8, (3, 3), mask=[[1, 0], [0, 1]])", "1,8,8,4", None),
    ("flax.linen.ConvTranspose(8, (3, 3), dtype=jnp.float32, padding=pad)", "1,8,8,4", None),
    ("flax.linen.Conv(8, (3, 3), feature_group_count=3)", "1,8,8,4", None),
    ("flax.linen.ConvTranspose(8, (3, 3), padding=[[1, 1], [1, 1]])", None, None),
]


def page(configs) -> list[dict]:
    done = subprocess.run([NODE, "-e", RUNNER, str(JS)], input=json.dumps({"configs": configs, "tables": page_tables()}),
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _comparable(answer: dict) -> dict:
    if "error" in answer:
        return answer
    src = dict(answer["source"])
    src.pop("verified", None)
    src.pop("layouts", None)
    return {"source": src}


def cli(configs) -> list[dict]:
    """What `conformance port` reads: its source object, or its one-line error."""
    expected = []
    for call, shape, *weight in configs:
        try:
            weight_shape = parse_shape(weight[0] if weight else None, "--weight-shape")
            expected.append({"source": port(call, parse_shape(shape, "--input-shape"), weight_shape, ["torch"])["source"]})
        except PortError as err:
            expected.append({"error": str(err)})
    return expected


def family_configs(per_family: int = 30) -> list[tuple[str, tuple]]:
    """Calls of every family but torch's and Keras' (test_page_reads_200... has those), seeded per family."""
    return [(family, generate(rng)) for family, generate in FAMILIES.items()
            for rng in [random.Random(f"port-source-{family}")] for _ in range(per_family)]


def test_page_reads_every_source_family_as_the_cli_does():
    configs = family_configs()
    calls = [config for _, config in configs]
    expected, got = cli(calls), page(calls)
    read = {family: 0 for family in FAMILIES}
    for (family, _), e in zip(configs, expected):
        read[family] += "source" in e
    assert all(count >= 20 for count in read.values()), f"calls the CLI reads, per family: {read}"
    mismatches = [(c, _comparable(e), _comparable(g)) for c, e, g in zip(configs, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches[:3], indent=1)


def test_page_refuses_bad_input_of_every_family_with_the_cli_line():
    expected, got = cli(BAD_FAMILIES), page(BAD_FAMILIES)
    assert sum("error" in e for e in expected) == len(BAD_FAMILIES), [c for c, e in zip(BAD_FAMILIES, expected) if "error" not in e]
    mismatches = [(c, e, g) for c, e, g in zip(BAD_FAMILIES, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches, indent=1)


def test_page_reads_200_generated_calls_as_the_cli_does():
    configs = generated_configs()
    expected = []
    for call, shape in configs:
        try:
            source = port(call, parse_shape(shape, "--input-shape"), None, ["torch"])["source"]
            expected.append({"source": source})
        except PortError as err:
            expected.append({"error": str(err)})
    got = page(configs)
    read = sum("source" in e for e in expected)
    assert read >= 200, f"only {read} of the generated calls are layers the CLI reads"
    mismatches = [(c, _comparable(e), _comparable(g)) for c, e, g in zip(configs, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches[:3], indent=1)


def test_page_refuses_bad_input_with_the_cli_line():
    expected = []
    for call, shape in BAD:
        try:
            expected.append({"source": port(call, parse_shape(shape, "--input-shape"), None, ["torch"])["source"]})
        except PortError as err:
            expected.append({"error": str(err)})
    got = page(BAD)
    assert sum("error" in e for e in expected) >= 20
    mismatches = [(c, _comparable(e), _comparable(g)) for c, e, g in zip(BAD, expected, got) if _comparable(e) != _comparable(g)]
    assert not mismatches, json.dumps(mismatches, indent=1)
