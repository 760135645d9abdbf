// The "find my layer" panel's answers: conformance/port/targets.py's answer() (spellings of
// the window, the call, the bias and crop/pad compositions, the weight and layout
// expressions) over target tables the report embeds (conformance/port/export.py). The
// per-family rules below restate the adapters' translate(), one function per family; the
// export links each default target to its family by identity of that code (and gives the API
// names, layouts and class facts the rules read), so a changed translation drops out of the
// page ("not in the page", with the CLI line) instead of drifting from the CLI. Verdicts
// include the suite's recorded disagreements (known.py, embedded compactly by the export), as
// the CLI's do; --verify is the CLI's only.
(function (root) {
  "use strict";

  const S = typeof module !== "undefined" && module.exports ? require("./port_source.js") : root.PortSource;
  const { pyRepr } = S;
  const SPATIAL = { 1: "W", 2: "HW", 3: "DHW" };
  const FORWARD_ARGUMENTS = ["output_size"];
  const effective = (k, d) => d * (k - 1) + 1;
  const fullLength = (n, k, s, d) => (n - 1) * s + effective(k, d);
  const floorDiv = (a, b) => Math.floor(a / b);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const zeros = (n) => Array(n).fill(0);

  class Unsupported {
    constructor(reason, detail) { this.reason = reason; this.detail = detail || ""; }
  }

  function reasonWords(code, tables) {
    if (code in tables.reasons) return tables.reasons[code];
    const at = code.indexOf(":");
    const family = code.slice(0, at), value = code.slice(at + 1);
    if (at >= 0 && family in tables.parametrised && value) return tables.parametrised[family].replace("{value}", value);
    return code;
  }

  // -- the canonical layer: Layer.windows, the canonical per-axis lengths ----------------------
  function axes(layer) {
    return layer.kernel.map((k, i) => ({
      length: layer.input_shape[2 + i], kernel: k, stride: layer.stride[i], dilation: layer.dilation[i],
      padding: typeof layer.padding === "string" ? layer.padding : layer.padding[i],
      output_padding: layer.output_padding[i], output_shape: layer.output_shape ? layer.output_shape[i] : null,
    }));
  }

  function transposeWindow(a) {
    const full = fullLength(a.length, a.kernel, a.stride, a.dilation);
    let out;
    if (typeof a.padding === "string") {
      out = a.output_shape !== null ? a.output_shape
        : (a.padding === "same" || a.padding === "same_lower" ? a.length * a.stride : full + a.output_padding);
      const total = Math.max(full - out, 0);
      return [{ valid: 0, same: floorDiv(total, 2), same_lower: total - floorDiv(total, 2) }[a.padding], out];
    }
    out = a.output_shape !== null ? a.output_shape : full - a.padding[0] - a.padding[1] + a.output_padding;
    return [a.padding[0], out];
  }

  const sameTotal = (a) => Math.max((-floorDiv(-a.length, a.stride) - 1) * a.stride + effective(a.kernel, a.dilation) - a.length, 0);

  function windows(layer) {
    if (layer.op === "conv_transpose") return axes(layer).map(transposeWindow);
    if (typeof layer.padding !== "string") return layer.padding.map((p) => [p[0], p[1]]);
    return axes(layer).map((a) => {
      const total = layer.padding === "valid" ? 0 : sameTotal(a);
      return layer.padding === "same" ? [floorDiv(total, 2), total - floorDiv(total, 2)] : [total - floorDiv(total, 2), floorDiv(total, 2)];
    });
  }

  // The canonical Case the adapters read: kernel array shape, channels.
  const kernelShape = (l) => (l.op === "conv" ? [l.out_channels, l.in_channels / l.groups, ...l.kernel] : [l.in_channels, l.out_channels / l.groups, ...l.kernel]);
  const paddingMode = (l) => (typeof l.padding === "string" ? l.padding : null);
  const pyTuple = (v) => (Array.isArray(v) ? (v.length === 1 ? `(${pyTuple(v[0])},)` : `(${v.map(pyTuple).join(", ")})`) : pyRepr(v));

  // -- the families' translate() -----------------------------------------------------------
  function torchTransposeAxis(n, k, s, d, padding, outputPadding, outputShape) {
    const full = fullLength(n, k, s, d);
    if (typeof padding === "string") {
      const [before, out] = transposeWindow({ length: n, kernel: k, stride: s, dilation: d, padding, output_padding: 0, output_shape: outputShape });
      if (padding !== "valid") {
        const after = Math.max(full - out, 0) - before;
        if (before < after && s >= 1 && d >= 1) {
          return new Unsupported("asymmetric-padding", `'${padding}' crops ${before} before and ${after} after (an odd total); torch crops at least as much before as after`);
        }
      }
      return [before, out - (full - 2 * before)];
    }
    const [before, after] = padding;
    if (before < after) return new Unsupported("asymmetric-padding", `padding ${before} before, ${after} after`);
    if (outputShape === null) return [before, before - after + outputPadding];
    const implied = outputShape - (full - 2 * before);
    if (outputPadding && outputPadding !== implied - (before - after)) {
      return new Unsupported("output-shape-with-output-padding", `output_shape ${outputShape} implies output_padding ${implied - (before - after)}, the case gives ${outputPadding}`);
    }
    return [before, implied];
  }

  function torchTransposeArgs(l) {
    if (typeof l.padding === "string" && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(l.padding)} with output_padding ${pyRepr(l.output_padding)}: torch's conv_transpose takes explicit symmetric padding only`);
    }
    const paddings = [], extras = [];
    for (const [i, a] of axes(l).entries()) {
      const args = torchTransposeAxis(a.length, a.kernel, a.stride, a.dilation, a.padding, a.output_padding, a.output_shape);
      if (args instanceof Unsupported) return new Unsupported(args.reason, `spatial dim ${i}: ${args.detail}`);
      paddings.push(args[0]);
      extras.push(args[1]);
    }
    return [["stride", l.stride], ["padding", paddings], ["output_padding", extras], ["groups", l.groups], ["dilation", l.dilation]];
  }

  function torchConvArgs(l) {
    let padding = l.padding;
    if (typeof padding !== "string") {
      if (padding.some(([b, a]) => b !== a)) return new Unsupported("asymmetric-padding", `padding ${pyRepr(padding)}`);
      padding = padding.map(([b]) => b);
    } else if (padding === "valid" || (padding === "same" && l.stride.every((s) => s === 1)) || l.stride.some((s) => s < 1)) {
      // torch's own modes, or an invalid stride passed through for torch to refuse
    } else {
      const totals = axes(l).map(sameTotal);
      if (totals.some((t) => t % 2)) {
        const why = padding === "same" ? "torch's padding='same' is for stride 1 only" : "torch has no 'same_lower'";
        return new Unsupported("asymmetric-padding", `'${padding}' needs total padding ${pyRepr(totals)} with stride ${pyRepr(l.stride)}; ${why} and explicit padding is symmetric`);
      }
      padding = totals.map((t) => t / 2);
    }
    return [["stride", l.stride], ["padding", padding], ["dilation", l.dilation], ["groups", l.groups]];
  }

  function torchModule(l, args, forward) {
    const [cIn, cOut] = l.op === "conv" ? [kernelShape(l)[1] * l.groups, kernelShape(l)[0]] : [kernelShape(l)[0], kernelShape(l)[1] * l.groups];
    const kw = new Map([["in_channels", cIn], ["out_channels", cOut], ["kernel_size", l.kernel], ...args, ["bias", l.bias]]);
    for (const [k, v] of forward || []) kw.set(k, v);
    return kw;
  }

  function kerasPadding(padding) {
    if (padding === "same" || padding === "valid") return padding;
    if (typeof padding !== "string" && padding.every(([b, a]) => b === 0 && a === 0)) return "valid";
    return null;
  }

  function kerasUnsupportedPadding(l) {
    if (l.padding === "same_lower") return new Unsupported("padding-mode:same_lower", "Keras padding is 'valid' or 'same'");
    return new Unsupported("explicit-padding", `padding ${typeof l.padding === "string" ? pyRepr(l.padding) : pyTuple(l.padding)}; Keras padding is 'valid' or 'same'`);
  }

  function kerasOutputPadding(l, padding) {
    const list = axes(l);
    const outs = list.map((a) => transposeWindow(a)[1]);
    const defaults = list.map((a) => (padding === "same" ? a.length * a.stride : Math.max(fullLength(a.length, a.kernel, a.stride, a.dilation), a.length * a.stride)));
    if (same(outs, defaults)) return null;
    return list.map((a, i) => outs[i] - (padding === "valid" ? fullLength(a.length, a.kernel, a.stride, a.dilation) : (a.length - 1) * a.stride + effective(a.kernel, a.dilation) % 2));
  }

  // ONNX's ConvTranspose/Conv node attributes (adapters/onnxruntime_api.py)
  const AUTO_PAD = { same: "SAME_UPPER", same_lower: "SAME_LOWER", valid: "VALID" };
  const onnxPads = (pairs) => pairs.map(([b]) => b).concat(pairs.map(([, a]) => a));

  function onnxTransposeAttributes(l) {
    const kw = [];
    if (typeof l.padding === "string") {
      kw.push(["auto_pad", AUTO_PAD[l.padding]]);
      if (l.output_shape !== null) kw.push(["output_shape", l.output_shape]);
      if (l.output_padding.some((v) => v)) kw.push(["output_padding", l.output_padding]);
      return kw;
    }
    if (l.output_shape === null) return [["auto_pad", "NOTSET"], ["pads", onnxPads(l.padding)], ["output_padding", l.output_padding]];
    const list = axes(l);
    const implied = list.map((a) => a.output_shape - (fullLength(a.length, a.kernel, a.stride, a.dilation) - a.padding[0] - a.padding[1]));
    if (l.output_padding.some((v) => v) && !same(l.output_padding, implied)) {
      return [["auto_pad", "NOTSET"], ["pads", onnxPads(l.padding)], ["output_padding", l.output_padding], ["output_shape", l.output_shape]];
    }
    const spec = list.map((a) => {
      const total = fullLength(a.length, a.kernel, a.stride, a.dilation) - a.output_shape;
      return [total - floorDiv(total, 2), floorDiv(total, 2)];
    });
    if (same(spec, l.padding) && spec.every(([b, a]) => Math.min(b, a) >= 0)) return [["auto_pad", "NOTSET"], ["output_shape", l.output_shape]];
    return [["auto_pad", "NOTSET"], ["pads", onnxPads(l.padding)], ["output_padding", implied]];
  }

  // family -> (layer) -> Map of kwargs in the adapter's order (the API and layouts from the export), or Unsupported
  const FAMILIES = {
    torch_functional_transpose(l) {
      const args = torchTransposeArgs(l);
      return args instanceof Unsupported ? args : new Map([...args, ["bias", l.bias]]);
    },
    torch_functional_conv(l) {
      const args = torchConvArgs(l);
      return args instanceof Unsupported ? args : new Map([...args, ["bias", l.bias]]);
    },
    torch_module_conv(l) {
      const args = torchConvArgs(l);
      return args instanceof Unsupported ? args : torchModule(l, args);
    },
    torch_module_transpose(l) {
      if (l.output_shape === null) {
        const args = torchTransposeArgs(l);
        return args instanceof Unsupported ? args : torchModule(l, args);
      }
      const args = torchTransposeArgs({ ...l, output_padding: zeros(l.kernel.length) });
      if (args instanceof Unsupported) return args;
      const kept = args.map(([k, v]) => (k === "output_padding" ? [k, l.output_padding] : [k, v]));
      return torchModule(l, kept, [["output_size", l.output_shape]]);
    },
    keras_transpose(l) {
      if (l.groups !== 1) return new Unsupported("groups", "Conv*DTranspose has no groups argument");
      const padding = kerasPadding(l.padding);
      if (padding === null) return kerasUnsupportedPadding(l);
      const outputPadding = paddingMode(l) !== null && l.output_padding.some((v) => v) ? l.output_padding : kerasOutputPadding(l, padding);
      return new Map([["filters", l.out_channels], ["kernel_size", l.kernel], ["strides", l.stride], ["padding", padding],
        ["output_padding", outputPadding], ["dilation_rate", l.dilation], ["use_bias", l.bias], ["data_format", "channels_last"], ["dtype", "float32"]]);
    },
    keras_conv(l) {
      const padding = kerasPadding(l.padding);
      if (padding === null) return kerasUnsupportedPadding(l);
      return new Map([["filters", l.out_channels], ["kernel_size", l.kernel], ["strides", l.stride], ["padding", padding],
        ["dilation_rate", l.dilation], ["groups", l.groups], ["use_bias", l.bias], ["data_format", "channels_last"], ["dtype", "float32"]]);
    },
  };

  FAMILIES.onnx_node = (l) => {
    const attributes = l.op === "conv_transpose" ? onnxTransposeAttributes(l)
      : (typeof l.padding === "string" ? [["auto_pad", AUTO_PAD[l.padding]]] : [["auto_pad", "NOTSET"], ["pads", onnxPads(l.padding)]]);
    return new Map([...attributes, ["kernel_shape", l.kernel], ["strides", l.stride], ["dilations", l.dilation], ["group", l.groups]]);
  };

  // Paddle (adapters/paddle_api.py): modes as 'SAME'/'VALID', per-side amounts where asymmetric
  const paddlePaddingArg = (pairs) => (pairs.every(([b, a]) => b === a) ? pairs.map(([b]) => b) : [].concat(...pairs));

  function paddleTransposeArgs(l) {
    let outputSize = l.output_shape === null ? null : l.output_shape.slice();
    let padding;
    if (l.padding === "same" || l.padding === "valid") padding = l.padding.toUpperCase();
    else if (l.padding === "same_lower") {
      const pairs = [], lengths = [];
      let fits = true;
      for (const a of axes(l)) {
        const [before, out] = transposeWindow(a);
        const full = fullLength(a.length, a.kernel, a.stride, a.dilation);
        pairs.push([before, Math.max(full - out, 0) - before]);
        lengths.push(out);
        fits = fits && out <= full;
      }
      padding = paddlePaddingArg(pairs);
      if (outputSize === null && !fits) outputSize = lengths;
    } else padding = paddlePaddingArg(l.padding);
    const outputPadding = l.output_padding.some((v) => v) ? l.output_padding : 0;
    return [["stride", l.stride], ["padding", padding], ["output_padding", outputPadding], ["groups", l.groups],
      ["dilation", l.dilation], ["output_size", outputSize]];
  }

  function paddleConvArgs(l) {
    let padding;
    if (l.padding === "same" || l.padding === "valid") padding = l.padding.toUpperCase();
    else if (l.padding === "same_lower") padding = paddlePaddingArg(axes(l).map(sameTotal).map((t) => [t - floorDiv(t, 2), floorDiv(t, 2)]));
    else padding = paddlePaddingArg(l.padding);
    return [["stride", l.stride], ["padding", padding], ["dilation", l.dilation], ["groups", l.groups]];
  }

  function paddleLayer(l, args) {
    const [cIn, cOut] = l.op === "conv" ? [kernelShape(l)[1] * l.groups, kernelShape(l)[0]] : [kernelShape(l)[0], kernelShape(l)[1] * l.groups];
    const forward = args.filter(([k, v]) => k === "output_size" && v !== null);
    return new Map([["in_channels", cIn], ["out_channels", cOut], ["kernel_size", l.kernel], ...args.filter(([k]) => k !== "output_size"),
      ["bias_attr", l.bias ? null : false], ...forward]);
  }

  FAMILIES.paddle_functional_transpose = (l, rank) => new Map([...paddleTransposeArgs(l), ["data_format", rank.input_layout]]);
  FAMILIES.paddle_functional_conv = (l, rank) => new Map([...paddleConvArgs(l), ["data_format", rank.input_layout]]);
  FAMILIES.paddle_layer_transpose = (l) => paddleLayer(l, paddleTransposeArgs(l));
  FAMILIES.paddle_layer_conv = (l) => paddleLayer(l, paddleConvArgs(l));

  // tf.nn (adapters/tensorflow_api.py): output_shape is O; explicit pairs only for the 2-D op
  const TF_EXPLICIT_PADDING_DIMS = [2];

  FAMILIES.tf_nn_transpose = (l) => {
    const dims = l.kernel.length;
    if (l.groups !== 1) return new Unsupported("groups", "tf.nn.conv_transpose has no groups argument");
    if (l.bias) return new Unsupported("bias", "tf.nn.conv_transpose has no bias argument");
    if (paddingMode(l) !== null && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(paddingMode(l))} with output_padding ${pyRepr(l.output_padding)}: tf.nn.conv_transpose has no output_padding argument, only output_shape`);
    }
    const list = axes(l);
    const outs = list.map((a) => transposeWindow(a)[1]);
    let padding;
    if (l.padding === "same_lower") {
      if (!TF_EXPLICIT_PADDING_DIMS.includes(dims)) {
        return new Unsupported("padding-mode:same_lower", `TF has no SAME_LOWER, and tf.nn.conv${dims}d_transpose takes only 'SAME' or 'VALID'`);
      }
      const pairs = list.map((a, i) => {
        const total = Math.max(fullLength(a.length, a.kernel, a.stride, a.dilation) - outs[i], 0);
        return [total - floorDiv(total, 2), floorDiv(total, 2)];
      });
      padding = [[0, 0], ...pairs, [0, 0]];
    } else if (l.padding === "same") padding = "SAME";
    else if (l.padding === "valid") padding = "VALID";
    else if (l.padding.every(([b, a]) => b === 0 && a === 0)) padding = "VALID";
    else if (TF_EXPLICIT_PADDING_DIMS.includes(dims)) padding = [[0, 0], ...l.padding.map(([b, a]) => [b, a]), [0, 0]];
    else return new Unsupported("explicit-padding", `tf.nn.conv${dims}d_transpose: 'padding: A string, either 'VALID' or 'SAME''`);
    return new Map([["output_shape", [l.input_shape[0], ...outs, kernelShape(l)[1]]], ["strides", l.stride], ["padding", padding], ["dilations", l.dilation]]);
  };

  FAMILIES.tf_nn_conv = (l) => {
    if (l.bias) return new Unsupported("bias", "tf.nn.convolution has no bias argument");
    let padding = null;
    if (l.padding === "same") padding = "SAME";
    else if (l.padding === "valid" || (typeof l.padding !== "string" && l.padding.every(([b, a]) => b === 0 && a === 0))) padding = "VALID";
    if (padding === null) {
      return new Unsupported(l.padding === "same_lower" ? "padding-mode:same_lower" : "explicit-padding", "tf.nn.convolution: 'padding: A string, either \"VALID\" or \"SAME\"'");
    }
    const filterIn = kernelShape(l)[1];
    const cIn = l.input_shape[1];  // the case's C_in is its input's, as TF sees it
    const implied = filterIn < 1 || cIn % filterIn ? null : cIn / filterIn;
    if (implied !== null && implied !== l.groups) {
      return new Unsupported("groups-from-kernel", `TF infers groups = C_in / filter in-channels = ${cIn} / ${filterIn}, which is not the case's groups ${l.groups}; tf.nn.convolution has no groups argument`);
    }
    return new Map([["strides", l.stride], ["padding", padding], ["dilations", l.dilation]]);
  };

  // MXNet (adapters/mxnet_api.py): one symmetric pad, adj added back at the end, or target_shape
  const pyMode = (l) => pyRepr(paddingMode(l));

  function mxnetConvolutionPad(l) {
    const mode = paddingMode(l);
    if (mode === "valid") return zeros(l.kernel.length);
    const pads = [];
    for (const [i, a] of axes(l).entries()) {
      let before, after;
      if (mode === null) [before, after] = a.padding;
      else if (a.stride < 1 || a.dilation < 1) before = after = 0;
      else {
        const total = sameTotal(a);
        before = mode === "same" ? floorDiv(total, 2) : total - floorDiv(total, 2);
        after = total - before;
      }
      if (before !== after) return new Unsupported("asymmetric-padding", `spatial dim ${i}: padding ${mode || "explicit"} needs before=${before}, after=${after}`);
      pads.push(before);
    }
    return pads;
  }

  function mxnetModeRefused(l) {
    if (paddingMode(l) !== null && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyMode(l)}, output_padding ${pyRepr(l.output_padding)}`);
    }
    return null;
  }

  function mxnetShapeDisagrees(l, i, implied) {
    if (l.output_padding[i] && l.output_padding[i] !== implied) {
      return new Unsupported("output-shape-with-output-padding", `spatial dim ${i}: output_shape ${l.output_shape[i]} implies output_padding ${implied}, the case gives ${l.output_padding[i]}`);
    }
    return null;
  }

  function mxnetPadAdj(l) {
    const refused = mxnetModeRefused(l);
    if (refused) return refused;
    const mode = paddingMode(l);
    const pads = [], adjs = [];
    for (const [i, a] of axes(l).entries()) {
      if (mode !== null && (a.stride < 1 || a.dilation < 1)) { pads.push(0); adjs.push(0); continue; }
      const [pad, out] = transposeWindow(a);
      const full = fullLength(a.length, a.kernel, a.stride, a.dilation);
      const adj = out - (full - 2 * pad);
      if (l.output_shape !== null && mode === null) {
        const bad = mxnetShapeDisagrees(l, i, adj - (a.padding[0] - a.padding[1]));
        if (bad) return bad;
      }
      const moreAtEnd = mode === null ? a.padding[0] < a.padding[1] : (mode !== "valid" && pad < Math.max(full - out, 0) - pad);
      if (adj < 0 && moreAtEnd) {
        return new Unsupported("asymmetric-padding", `spatial dim ${i}: the window starts ${pad} into the full result and is ${out} long; pad ${pad} crops ${pad} at the end too and adj can only add back`);
      }
      pads.push(pad);
      adjs.push(adj);
    }
    return [pads, adjs];
  }

  function mxnetTargetShape(l) {
    const refused = mxnetModeRefused(l);
    if (refused) return refused;
    const mode = paddingMode(l);
    if (mode === null && l.output_shape === null) return new Unsupported("explicit-padding", "target_shape asks for a size; plain explicit padding is nd.Deconvolution's pad");
    const targets = [];
    for (const [i, a] of axes(l).entries()) {
      const target = transposeWindow(a)[1];
      if (mode === null) {
        const full = fullLength(a.length, a.kernel, a.stride, a.dilation);
        const bad = mxnetShapeDisagrees(l, i, target - (full - a.padding[0] - a.padding[1]));
        if (bad) return bad;
        const pad = floorDiv(full - target + 1, 2);
        if (full >= target && pad !== a.padding[0]) {
          return new Unsupported("output-shape-with-explicit-padding", `spatial dim ${i}: MXNet would crop ${pad} before, the case crops ${a.padding[0]}`);
        }
      }
      targets.push(target);
    }
    return targets;
  }

  function mxnetNd(l, geometry, rank) {
    return new Map([["kernel", l.kernel], ["stride", l.stride], ["dilate", l.dilation], ...geometry, ["num_filter", l.out_channels],
      ["num_group", l.groups], ["no_bias", !l.bias], ["layout", rank.input_layout]]);
  }

  function gluon(l, geometry, rank) {
    return new Map([["channels", l.out_channels], ["kernel_size", l.kernel], ["strides", l.stride], ...geometry,
      ["dilation", l.dilation], ["groups", l.groups], ["layout", rank.input_layout], ["in_channels", l.input_shape[1]], ["use_bias", l.bias]]);
  }

  const unlessUnsupported = (value, make) => (value instanceof Unsupported ? value : make(value));
  FAMILIES.mxnet_deconvolution = (l, rank) => unlessUnsupported(mxnetPadAdj(l), ([pad, adj]) => mxnetNd(l, [["pad", pad], ["adj", adj]], rank));
  FAMILIES.mxnet_target_shape = (l, rank) => unlessUnsupported(mxnetTargetShape(l), (t) => mxnetNd(l, [["target_shape", t]], rank));
  FAMILIES.mxnet_convolution = (l, rank) => unlessUnsupported(mxnetConvolutionPad(l), (pad) => mxnetNd(l, [["pad", pad]], rank));
  FAMILIES.gluon_transpose = (l, rank) => unlessUnsupported(mxnetPadAdj(l), ([pad, adj]) => gluon(l, [["padding", pad], ["output_padding", adj]], rank));
  FAMILIES.gluon_conv = (l, rank) => unlessUnsupported(mxnetConvolutionPad(l), (pad) => gluon(l, [["padding", pad]], rank));

  // -- the other APIs' translate() -------------------------------------------------------------
  // Python tuples (Flax, MLX, MindSpore take tuples): user_call's _literal writes a top-level
  // tuple as a list, a nested one as a tuple.
  class Tuple { constructor(items) { this.items = items; } }
  const tup = (items) => new Tuple(items);
  const repr = (v) => (v instanceof Tuple ? (v.items.length === 1 ? `(${repr(v.items[0])},)` : `(${v.items.map(repr).join(", ")})`)
    : Array.isArray(v) ? `[${v.map(repr).join(", ")}]` : pyRepr(v));
  const literal = (v) => (v instanceof Tuple ? repr(v.items) : repr(v));
  const full = (a) => fullLength(a.length, a.kernel, a.stride, a.dilation);
  // canonical.Axis.explicit_output_padding / output_padding_disagrees
  const explicitOutputPadding = (a) => (a.output_shape === null ? a.output_padding : a.output_shape - (full(a) - a.padding[0] - a.padding[1]));
  const outputPaddingDisagrees = (a) => a.output_shape !== null && a.output_padding !== 0 && a.output_padding !== explicitOutputPadding(a);
  const positiveSteps = (l) => Math.min(...l.stride) >= 1 && Math.min(...l.dilation) >= 1;
  const flat = (pairs) => [].concat(...pairs);

  // lax and Flax (adapters/jax_api.py, flax_api.py): jax's pairs pad the stride-dilated input
  const dimensionNumbers = (dims, channels) => ["NC" + SPATIAL[dims], channels + SPATIAL[dims], "NC" + SPATIAL[dims]];

  function laxModeWithOutputPadding(l) {
    if (paddingMode(l) === null || !l.output_padding.some((v) => v)) return null;
    return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(l.padding)} with output_padding ${pyRepr(l.output_padding)}: jax has no output_padding`);
  }

  function laxInvalidCrop(l) {
    if (!positiveSteps(l)) return null;
    for (const [i, a] of axes(l).entries()) {
      const out = a.output_shape;
      let before = 0, after = 0, implied;
      if (typeof a.padding === "string") implied = out === null || a.padding !== "valid" ? 0 : out - full(a);
      else {
        [before, after] = a.padding;
        implied = out === null ? a.output_padding : out - (full(a) - before - after);
        if (out !== null && a.output_padding && a.output_padding !== implied) {
          return new Unsupported("output-shape-with-output-padding", `spatial dim ${i}: output_shape ${out} implies output_padding ${implied}, the case gives ${a.output_padding}; jax has neither parameter`);
        }
      }
      if (Math.min(before, after, implied, a.output_padding) < 0) {
        return new Unsupported("negative-padding", `spatial dim ${i}: crop (${before}, ${after}) with output_padding ${implied}: jax's explicit pairs pad the dilated input, so a negative crop or output_padding is an ordinary pair`);
      }
    }
    return null;
  }

  // modes: jax_api.TRANSPOSE_PADDING_MODES (the canonical modes lax has by name), from the export
  function laxTransposePadding(l, modes) {
    if (typeof l.padding === "string" && l.output_shape === null && l.padding in modes) return modes[l.padding];
    return axes(l).map((a) => {
      const [before, out] = transposeWindow(a);
      const e = effective(a.kernel, a.dilation);
      return [e - 1 - before, e - 1 - (full(a) - before - out)];
    });
  }

  FAMILIES.lax_transpose = (l, rank, facts) => {
    if (l.groups !== 1) return new Unsupported("groups", "lax.conv_transpose has no feature_group_count");
    if (l.bias) return new Unsupported("bias", "lax.conv_transpose has no bias argument");
    const refused = laxModeWithOutputPadding(l) || laxInvalidCrop(l);
    if (refused) return refused;
    return new Map([["strides", l.stride], ["padding", laxTransposePadding(l, facts.MODES)], ["rhs_dilation", l.dilation],
      ["dimension_numbers", dimensionNumbers(l.kernel.length, facts.KERNEL_CHANNELS)], ["transpose_kernel", facts.TRANSPOSE_KERNEL]]);
  };

  FAMILIES.lax_conv = (l, rank, facts) => {
    if (l.bias) return new Unsupported("bias", "lax.conv_general_dilated has no bias argument");
    const padding = typeof l.padding === "string" ? facts.MODES[l.padding] : l.padding.map((p) => [p[0], p[1]]);
    return new Map([["window_strides", l.stride], ["padding", padding], ["rhs_dilation", l.dilation],
      ["dimension_numbers", dimensionNumbers(l.kernel.length, "OI")], ["feature_group_count", l.groups]]);
  };

  function flaxLayer(l, facts, args) {
    const [cIn, cOut] = [l.in_channels, l.out_channels];
    const features = facts.API === "linen" ? [["features", cOut]] : [["in_features", cIn], ["out_features", cOut]];
    return new Map([...features, ["kernel_size", tup(l.kernel)], ...args, ["use_bias", l.bias]]);
  }

  FAMILIES.flax_transpose = (l, rank, facts) => {
    if (l.groups !== 1) return new Unsupported("groups", `${facts.API}.ConvTranspose has no feature_group_count`);
    const refused = laxModeWithOutputPadding(l) || laxInvalidCrop(l);
    if (refused) return refused;
    const padding = laxTransposePadding(l, facts.MODES);
    return flaxLayer(l, facts, [["strides", tup(l.stride)], ["padding", typeof padding === "string" ? padding : padding.map(tup)],
      ["kernel_dilation", tup(l.dilation)], ["transpose_kernel", facts.TRANSPOSE_KERNEL]]);
  };

  FAMILIES.flax_conv = (l, rank, facts) => {
    let padding;
    if (l.padding === "same" || l.padding === "valid") padding = l.padding.toUpperCase();
    else if (l.padding === "same_lower") {
      padding = Math.min(...l.stride) < 1 ? l.kernel.map(() => tup([0, 0]))
        : axes(l).map(sameTotal).map((t) => tup([t - floorDiv(t, 2), floorDiv(t, 2)]));
    } else padding = l.padding.map(tup);
    return flaxLayer(l, facts, [["strides", tup(l.stride)], ["padding", padding], ["kernel_dilation", tup(l.dilation)],
      ["feature_group_count", l.groups]]);
  };

  // OpenVINO (adapters/openvino_api.py): Group* ops when groups > 1, the filter reshaped for them
  // autoPad: the canonical mode -> auto_pad tables of openvino_api, from the export
  function openvinoTransposeAttributes(l, autoPad) {
    const dims = l.kernel.length;
    if (typeof l.padding === "string") {
      return [["auto_pad", autoPad[l.padding]], ["pads_begin", zeros(dims)], ["pads_end", zeros(dims)],
        ["output_padding", l.output_padding], ["output_shape", axes(l).map((a) => transposeWindow(a)[1])]];
    }
    const pads = [["pads_begin", l.padding.map(([b]) => b)], ["pads_end", l.padding.map(([, a]) => a)]];
    if (l.output_shape === null) return [["auto_pad", "explicit"], ...pads, ["output_padding", l.output_padding]];
    const implied = axes(l).map(explicitOutputPadding);
    if (l.output_padding.some((v) => v) && !same(l.output_padding, implied)) {
      return [["auto_pad", "explicit"], ...pads, ["output_padding", l.output_padding], ["output_shape", l.output_shape]];
    }
    const spec = axes(l).map((a) => {
      const total = full(a) - a.output_shape;
      return [floorDiv(total, 2), total - floorDiv(total, 2)];
    });
    if (same(spec, l.padding)) {
      return [["auto_pad", "explicit"], ["pads_begin", zeros(dims)], ["pads_end", zeros(dims)], ["output_padding", zeros(dims)], ["output_shape", l.output_shape]];
    }
    return [["auto_pad", "explicit"], ...pads, ["output_padding", implied]];
  }

  function openvinoCall(l, rank, attributes) {
    const kwargs = new Map([["strides", l.stride], ...attributes, ["dilations", l.dilation]]);
    if (l.groups === 1) return kwargs;
    kwargs.set("group_kernel_shape", [l.groups, -1, ...kernelShape(l).slice(1)]);
    return { api: rank.api.replace(/^ops\./, "ops.group_"), kwargs };
  }

  FAMILIES.openvino_transpose = (l, rank, facts) => (l.bias ? new Unsupported("bias", "ConvolutionBackpropData has no bias input")
    : openvinoCall(l, rank, openvinoTransposeAttributes(l, facts.AUTO_PAD)));
  FAMILIES.openvino_conv = (l, rank, facts) => {
    if (l.bias) return new Unsupported("bias", "Convolution has no bias input");
    const dims = l.kernel.length;
    const attributes = typeof l.padding === "string" ? [["auto_pad", facts.AUTO_PAD[l.padding]], ["pads_begin", zeros(dims)], ["pads_end", zeros(dims)]]
      : [["auto_pad", "explicit"], ["pads_begin", l.padding.map(([b]) => b)], ["pads_end", l.padding.map(([, a]) => a)]];
    return openvinoCall(l, rank, attributes);
  };

  // MLX (adapters/mlx_api.py): torch's window model for conv_transpose, channels last, ints in 1-D
  const mlxInts = (l, entries) => new Map(l.kernel.length === 1 ? entries.map(([k, v]) => [k, v instanceof Tuple ? v.items[0] : v]) : entries);

  // 'same' puts the odd zero after, 'same_lower' before; a non-positive stride pads nothing (MLX, tinygrad)
  function convPaddingPairs(l) {
    if (typeof l.padding !== "string") return l.padding.map((p) => [p[0], p[1]]);
    if (l.padding === "valid" || Math.min(...l.stride) < 1) return l.kernel.map(() => [0, 0]);
    return axes(l).map(sameTotal).map((t) => (l.padding === "same" ? [floorDiv(t, 2), t - floorDiv(t, 2)] : [t - floorDiv(t, 2), floorDiv(t, 2)]));
  }

  FAMILIES.mlx_transpose = (l, rank, facts) => {  // torch's refusals in MLX's words (facts.REFUSALS)
    if (l.bias) return new Unsupported("bias", "mlx.core.conv_transpose*d has no bias argument");
    const args = torchTransposeArgs(l);
    if (args instanceof Unsupported) {
      return new Unsupported(args.reason, `${args.detail.split(";")[0].split(": torch")[0]}; ${facts.REFUSALS[args.reason]}`);
    }
    const kw = new Map(args);
    return mlxInts(l, [["stride", tup(kw.get("stride"))], ["padding", tup(kw.get("padding"))], ["dilation", tup(kw.get("dilation"))],
      ["output_padding", tup(kw.get("output_padding"))], ["groups", kw.get("groups")]]);
  };

  FAMILIES.mlx_conv = (l) => {
    if (l.bias) return new Unsupported("bias", "mlx.core.conv*d has no bias argument");
    const pairs = convPaddingPairs(l);
    if (pairs.some(([low, high]) => low !== high)) {
      const what = typeof l.padding === "string" ? `'${l.padding}' needs` : "padding";
      return new Unsupported("asymmetric-padding", `${what} (low, high) = ${pyRepr(pairs)}; mlx's conv pads both ends alike`);
    }
    return mlxInts(l, [["stride", tup(l.stride)], ["padding", tup(pairs.map(([low]) => low))], ["dilation", tup(l.dilation)], ["groups", l.groups]]);
  };

  FAMILIES.mlx_conv_general = (l) => {
    if (l.bias) return new Unsupported("bias", "mlx.core.conv_general has no bias argument");
    const pairs = convPaddingPairs(l);
    return new Map([["stride", l.stride], ["padding", tup([pairs.map(([low]) => low), pairs.map(([, high]) => high)])],
      ["kernel_dilation", l.dilation], ["groups", l.groups]]);
  };

  // tinygrad (adapters/tinygrad_api.py): per-side padding, last spatial dim first
  const tinygradPadding = (pairs) => flat(pairs.slice().reverse());

  FAMILIES.tinygrad_transpose = (l) => {
    if (paddingMode(l) !== null && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(l.padding)} with output_padding ${pyRepr(l.output_padding)}: tinygrad's conv_transpose2d has explicit padding only`);
    }
    const pairs = [], extras = [];
    for (const [i, a] of axes(l).entries()) {
      if (typeof a.padding === "string") {
        const [before, out] = transposeWindow(a);
        const after = full(a) - before - out;
        pairs.push([before, Math.max(after, 0)]);
        extras.push(Math.max(-after, 0));
        continue;
      }
      if (outputPaddingDisagrees(a)) {
        return new Unsupported("output-shape-with-output-padding", `spatial dim ${i}: output_shape ${a.output_shape} implies output_padding ${explicitOutputPadding(a)}, the case gives ${a.output_padding}; conv_transpose2d has no output size argument`);
      }
      pairs.push(a.padding);
      extras.push(explicitOutputPadding(a));
    }
    return new Map([["groups", l.groups], ["stride", l.stride], ["dilation", l.dilation], ["padding", tinygradPadding(pairs)],
      ["output_padding", extras], ["bias", l.bias]]);
  };

  FAMILIES.tinygrad_conv = (l) => new Map([["groups", l.groups], ["stride", l.stride], ["dilation", l.dilation],
    ["padding", tinygradPadding(convPaddingPairs(l))], ["bias", l.bias]]);

  // MindSpore (adapters/mindspore_api.py): the nn cells' pad_mode and per-side padding; mint is torch's signature
  function mindsporeTransposeWindow(l) {
    const pairs = [], extras = [];
    for (const [i, a] of axes(l).entries()) {
      if (typeof a.padding === "string") {
        const [before, out] = transposeWindow(a);
        if (a.padding === "valid") {
          pairs.push([0, 0]);
          extras.push(out - full(a));
        } else {
          const total = Math.max(full(a) - out, 0);
          pairs.push([before, total - before]);
          extras.push(Math.max(out - full(a), 0));
        }
        continue;
      }
      if (outputPaddingDisagrees(a)) {
        return new Unsupported("output-shape-with-output-padding", `spatial dim ${i}: output_shape ${a.output_shape} implies output_padding ${explicitOutputPadding(a)}, the case gives ${a.output_padding}; the cells have no output size argument`);
      }
      pairs.push(a.padding);
      extras.push(explicitOutputPadding(a));
    }
    return [pairs, extras];
  }

  // modes: mindspore_api.CELL_MODES, the canonical modes the cells take by name
  function mindsporeTransposeArgs(l, modes) {
    const args = new Map([["stride", l.stride], ["dilation", l.dilation], ["group", l.groups]]);
    if (typeof l.padding === "string" && modes.includes(l.padding) && l.output_shape === null) {
      args.set("pad_mode", l.padding).set("padding", 0).set("output_padding", l.output_padding);
    } else if (typeof l.padding === "string" && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(l.padding)} with output_padding ${pyRepr(l.output_padding)}: MindSpore has no ${pyRepr(l.padding)} mode to pass it with`);
    } else {
      const window = mindsporeTransposeWindow(l);
      if (window instanceof Unsupported) return window;
      args.set("pad_mode", "pad").set("padding", flat(window[0])).set("output_padding", window[1]);
    }
    if (l.kernel.length > 1) return args;
    const [before, after] = args.get("pad_mode") === "pad" ? args.get("padding") : [0, 0];
    if (before !== after) return new Unsupported("asymmetric-padding", `padding ${before} before, ${after} after`);
    if (args.get("output_padding")[0]) return new Unsupported("output-padding", `output_padding ${args.get("output_padding")[0]}`);
    return new Map([["stride", l.stride[0]], ["pad_mode", args.get("pad_mode")], ["padding", before], ["dilation", l.dilation[0]], ["group", l.groups]]);
  }

  function mindsporeConvArgs(l, modes) {
    const args = new Map([["stride", l.stride], ["dilation", l.dilation], ["group", l.groups]]);
    let pairs;
    if (typeof l.padding === "string" && (modes.includes(l.padding) || l.stride.some((s) => s < 1))) {
      args.set("pad_mode", modes.includes(l.padding) ? l.padding : "same").set("padding", 0);
      pairs = l.kernel.map(() => [0, 0]);
    } else {
      pairs = typeof l.padding === "string" ? axes(l).map(sameTotal).map((t) => [t - floorDiv(t, 2), floorDiv(t, 2)]) : l.padding;
      args.set("pad_mode", "pad").set("padding", flat(pairs));
    }
    if (l.kernel.length > 1) return args;
    const [before, after] = pairs[0];
    if (before !== after) return new Unsupported("asymmetric-padding", `padding ${before} before, ${after} after`);
    return args.set("stride", l.stride[0]).set("dilation", l.dilation[0]).set("padding", before);
  }

  function mindsporeCell(l, args) {
    if (args instanceof Unsupported) return args;
    const kernel = l.kernel.length > 1 ? l.kernel : l.kernel[0];
    return new Map([["in_channels", l.in_channels], ["out_channels", l.out_channels], ["kernel_size", kernel], ...args, ["has_bias", l.bias]]);
  }

  FAMILIES.mindspore_cell_transpose = (l, rank, facts) => mindsporeCell(l, mindsporeTransposeArgs(l, facts.CELL_MODES));
  FAMILIES.mindspore_cell_conv = (l, rank, facts) => mindsporeCell(l, mindsporeConvArgs(l, facts.CELL_MODES));
  FAMILIES.mindspore_mint_transpose = (l) => FAMILIES.torch_functional_transpose(l);

  // TF.js (adapters/tfjs_api.py, tfjs_layers_api.py): positional arguments, ExplicitPadding in NHWC
  // facts.EXPLICIT_DIMS: the ranks whose op takes ExplicitPadding (tfjs_api's EXPLICIT_PADDING_*_DIMS)
  const tfjsExplicit = (pairs, dims) => [[0, 0], ...Array.from({ length: Math.max(2 - dims, 0) }, () => [0, 0]), ...pairs.map(([b, a]) => [b, a]), [0, 0]];
  const zeroPairs = (l) => typeof l.padding !== "string" && l.padding.every(([b, a]) => b === 0 && a === 0);

  function tfjsTransposePad(l, explicitDims) {
    const dims = l.kernel.length;
    if (l.padding === "same" || l.padding === "valid") return l.padding;
    if (!explicitDims.includes(dims)) {
      if (l.padding === "same_lower") return new Unsupported("padding-mode:same_lower", "conv3dTranspose's pad is 'valid' or 'same'");
      if (zeroPairs(l)) return "valid";
      return new Unsupported("explicit-padding", "conv3dTranspose's pad is 'valid' or 'same'");
    }
    const pairs = l.padding === "same_lower" ? axes(l).map((a) => {
      const total = Math.max(full(a) - transposeWindow(a)[1], 0);
      return [total - floorDiv(total, 2), floorDiv(total, 2)];
    }) : l.padding;
    return tfjsExplicit(pairs, dims);
  }

  FAMILIES.tfjs_transpose = (l, rank, facts) => {
    if (l.groups !== 1) return new Unsupported("groups", "TF.js transposed convolutions have no groups argument");
    if (l.bias) return new Unsupported("bias", "TF.js transposed convolutions have no bias argument");
    if (l.dilation.some((d) => d !== 1)) return new Unsupported("dilation", `dilation ${pyRepr(l.dilation)}: no dilation argument`);
    if (paddingMode(l) !== null && l.output_padding.some((v) => v)) {
      return new Unsupported("output-padding-with-padding-mode", `padding ${pyRepr(l.padding)} with output_padding ${pyRepr(l.output_padding)}: no output_padding argument, only outputShape`);
    }
    const pad = tfjsTransposePad(l, facts.EXPLICIT_DIMS);
    if (pad instanceof Unsupported) return pad;
    const outs = axes(l).map((a) => transposeWindow(a)[1]);
    return new Map([["outputShape", [l.input_shape[0], ...outs, kernelShape(l)[1]]], ["strides", l.stride], ["pad", pad]]);
  };

  FAMILIES.tfjs_conv = (l, rank, facts) => {
    const dims = l.kernel.length;
    if (l.groups !== 1) return new Unsupported("groups", "no groups argument; the filter's inDepth must match the input's");
    if (l.bias) return new Unsupported("bias", "TF.js convolutions have no bias argument");
    let pad;
    if (l.padding === "same" || l.padding === "valid") pad = l.padding;
    else if (!facts.EXPLICIT_DIMS.includes(dims)) {
      if (l.padding === "same_lower") return new Unsupported("padding-mode:same_lower", "conv3d's pad is 'valid' or 'same'");
      if (!zeroPairs(l)) return new Unsupported("explicit-padding", "conv3d's pad is 'valid' or 'same'");
      pad = "valid";
    } else {
      pad = tfjsExplicit(l.padding === "same_lower" ? axes(l).map(sameTotal).map((t) => [t - floorDiv(t, 2), floorDiv(t, 2)]) : l.padding, dims);
    }
    if (dims === 1) return new Map([["stride", l.stride[0]], ["pad", pad], ["dataFormat", "NWC"], ["dilation", l.dilation[0]]]);
    return new Map([["strides", l.stride], ["pad", pad], ["dataFormat", rank.input_layout], ["dilations", l.dilation]]);
  };

  function tfjsLayerWindow(a, mode) {
    if (mode === "same") return transposeWindow({ ...a, padding: "same", output_padding: 0, output_shape: null });
    return [0, a.length * a.stride + Math.max(effective(a.kernel, a.dilation) - a.stride, 0)];
  }

  function tfjsLayerPadding(l) {
    const ops = l.output_padding;
    if (paddingMode(l) !== null && ops.some((v) => v)) return new Unsupported("output-padding-with-padding-mode", "no outputPadding argument");
    if (ops.some((v) => v < 0)) return new Unsupported("output-padding", `output_padding ${pyRepr(ops)}: no outputPadding argument`);
    const only = "the layer's padding is 'valid' or 'same'";
    if (typeof l.padding !== "string" && flat(l.padding).some((v) => v < 0)) return new Unsupported("explicit-padding", only);
    const wanted = windows(l);
    for (const mode of (l.padding === "same" ? ["same", "valid"] : ["valid", "same"])) {
      if (axes(l).every((a, i) => same(tfjsLayerWindow(a, mode), wanted[i]))) return mode;
    }
    if (l.padding === "same_lower") return new Unsupported("padding-mode:same_lower", only);
    if (typeof l.padding !== "string" && !zeroPairs(l)) return new Unsupported("explicit-padding", only);
    if (l.output_shape !== null) return new Unsupported("output-shape", "the layer computes its output size (deconvLength)");
    return new Unsupported("output-padding", `output_padding ${pyRepr(ops)}: the layer's 'valid' length is L*s + max(k - s, 0) (deconvLength), no outputPadding argument`);
  }

  FAMILIES.tfjs_layers_transpose = (l) => {
    if (l.groups !== 1) return new Unsupported("groups", "the layer has no groups argument");
    const padding = tfjsLayerPadding(l);
    if (padding instanceof Unsupported) return padding;
    return new Map([["filters", kernelShape(l)[1]], ["kernelSize", l.kernel], ["strides", l.stride], ["padding", padding],
      ["dataFormat", "channelsFirst"], ["dilationRate", l.dilation], ["useBias", l.bias]]);
  };

  // OpenCV's Caffe layers (adapters/opencv_caffe_api.py): one symmetric pad per dim, no output padding
  function caffeSymmetric(before, after) {
    return before === after ? before : new Unsupported("asymmetric-padding", `padding ${before} before, ${after} after`);
  }

  function caffeDeconvolutionPad(a) {
    if (typeof a.padding === "string" && a.padding !== "valid") {
      const out = transposeWindow(a)[1];
      const crop = full(a) - out;
      if (a.stride >= 1 && a.dilation >= 1) {
        if (crop < 0) {
          return new Unsupported(a.output_shape === null ? "output-padding" : "output-shape", `'${a.padding}' asks for ${out} positions, ${-crop} past the full result (${full(a)}): Caffe's Deconvolution has no output padding`);
        }
        if (crop % 2) return new Unsupported("asymmetric-padding", `'${a.padding}' crops ${crop} (odd) from the full result (${full(a)}): Caffe's pad crops both ends equally`);
      }
      return floorDiv(Math.max(crop, 0), 2);
    }
    const pad = a.padding === "valid" ? 0 : caffeSymmetric(...a.padding);
    if (pad instanceof Unsupported) return pad;
    const caffeOut = full(a) - 2 * pad;
    if (a.output_shape !== null && a.output_shape !== caffeOut) {
      return new Unsupported("output-shape", `output_shape ${a.output_shape} with pad ${pad}: Caffe's Deconvolution gives ${caffeOut} (no output padding)`);
    }
    return pad;
  }

  function caffeConvolutionPad(a) {
    if (typeof a.padding !== "string") return caffeSymmetric(...a.padding);
    if (a.padding === "valid") return 0;
    const total = sameTotal(a);
    if (total % 2) return new Unsupported("asymmetric-padding", `'${a.padding}' needs total padding ${total} with stride ${a.stride}; Caffe pads both sides equally`);
    return total / 2;
  }

  function caffePads(l, axisPad) {
    const pads = [];
    for (const [i, a] of axes(l).entries()) {
      const pad = axisPad(a);
      if (pad instanceof Unsupported) return new Unsupported(pad.reason, `spatial dim ${i}: ${pad.detail}`);
      pads.push(pad);
    }
    return pads;
  }

  function caffeLayer(l, facts, pads) {
    if (pads instanceof Unsupported) return pads;
    const param = new Map([["num_output", l.out_channels], ["bias_term", l.bias], ["kernel_size", l.kernel], ["stride", l.stride],
      ["pad", pads], ["dilation", l.dilation], ["group", l.groups]]);
    return new Map([["layer", facts.LAYER_TYPE], ["input_shape", l.input_shape], ["convolution_param", param]]);
  }

  FAMILIES.caffe_deconvolution = (l, rank, facts) => caffeLayer(l, facts, l.output_padding.some((v) => v)
    ? new Unsupported("output-padding", `output_padding ${pyRepr(l.output_padding)}: Caffe's ConvolutionParameter has no output padding (adj)`)
    : caffePads(l, caffeDeconvolutionPad));
  FAMILIES.caffe_convolution = (l, rank, facts) => caffeLayer(l, facts, typeof l.padding === "string" && Math.min(...l.stride) < 1
    ? zeros(l.kernel.length) : caffePads(l, caffeConvolutionPad));

  // Adapter.express: the rank check, then the family's translate (a port's case is float32).
  function express(target, l) {
    const dims = l.kernel.length;
    if (!target.spatial_dims.includes(dims)) return new Unsupported(`rank:${dims}`, `the API covers ${target.spatial_dims.join(", ")} spatial dims`);
    const rank = target.ranks[String(dims)];
    const kwargs = FAMILIES[target.family](l, rank, target.facts || {});
    if (kwargs instanceof Unsupported) return kwargs;
    return kwargs instanceof Map ? { ...rank, kwargs } : { ...rank, ...kwargs };  // a family may name another API (OpenVINO's Group* ops)
  }

  // -- targets.py: user_call, spellings, answer, compositions ---------------------------------
  function userCall(call, applied, bias) {
    const last = call.api.split(".").pop();
    const kw = [...call.kwargs];
    if (call.api === "ConvTranspose" || call.api === "Conv") {
      const inputs = bias ? ["x", "w", "b"] : ["x", "w"];
      return `onnx.helper.make_node(${pyRepr(call.api)}, ${pyRepr(inputs)}, ['y'], ${kw.map(([k, v]) => `${k}=${literal(v)}`).join(", ")})`;
    }
    if (call.api === "cv2.dnn.readNetFromCaffe") {
      const param = [...call.kwargs.get("convolution_param")].map(([k, v]) => `${k}: ${proto(v)}`).join(" ");
      return `layer { type: "${call.kwargs.get("layer")}" convolution_param { ${param} } }  # cv2.dnn.readNetFromCaffe`;
    }
    if (/^[A-Z]/.test(last) && !call.api.startsWith("ops.")) {
      const forward = kw.filter(([k, v]) => FORWARD_ARGUMENTS.includes(k) && v !== null);
      const built = `${call.api}(${kw.filter(([k]) => !FORWARD_ARGUMENTS.includes(k)).map(([k, v]) => `${k}=${literal(v)}`).join(", ")})`;
      if (forward.length) return `${built}(x, ${forward.map(([k, v]) => `${k}=${literal(v)}`).join(", ")})`;
      return applied ? `${built}(x)` : built;
    }
    const args = kw.filter(([k]) => k !== "bias").map(([k, v]) => `${k}=${literal(v)}`);
    const tensors = ["x", "w"].concat(call.kwargs.get("bias") ? ["b"] : []);
    return `${call.api}(${tensors.concat(args).join(", ")})`;
  }

  // targets._proto: a prototxt value (one number for equal values per dim)
  const proto = (v) => (typeof v === "boolean" ? String(v) : Array.isArray(v) ? (new Set(v).size > 1 ? v.join(" ") : String(v[0])) : String(v));

  const spatialAxes = (layout) => [...layout.replace("L", "W")].map((c, i) => ("DHW".includes(c) ? i : -1)).filter((i) => i >= 0);

  function transposeExpr(name, src, dst) {
    src = src.replace("L", "W");
    dst = dst.replace("L", "W");
    const perm = [...dst].map((c) => src.indexOf(c));
    return perm.every((p, i) => p === i) ? name : `${name}.transpose(${perm.join(", ")})`;
  }

  // relayout.weight_expr; convLayoutForTranspose: MLX's transposed-conv weight is a conv weight
  // (C_out, C_in/g, *k), the in/out channels swapped within each group first.
  function weightExpr(src, srcFlipped, dst, dstFlipped, groups, convLayoutForTranspose, channels) {
    src = src.replace("L", "W");
    dst = dst.replace("L", "W");
    const dims = [...src].filter((c) => "DHW".includes(c)).length;
    let expr = "w", layout = src;
    if (convLayoutForTranspose) {
      layout = "IO" + SPATIAL[dims];
      expr = transposeExpr(expr, src, layout);
      const [cIn, cOut] = channels;
      if (groups === 1) expr = `${expr}.swapaxes(0, 1)`;
      else {
        const k = `*${expr}.shape[2:]`;
        expr = `${expr}.reshape(${groups}, ${floorDiv(cIn, groups)}, ${floorDiv(cOut, groups)}, ${k}).swapaxes(1, 2).reshape(${cOut}, ${floorDiv(cIn, groups)}, ${k})`;
      }
      layout = "OI" + SPATIAL[dims];
    }
    expr = transposeExpr(expr !== "w" && !expr.endsWith(")") ? `(${expr})` : expr, layout, dst);
    if (srcFlipped !== dstFlipped) expr = `np.flip(${expr}, axis=${pyTuple(spatialAxes(dst))})`;
    return expr;
  }

  function biasExpr(layout) {
    const channelsLast = layout.replace(/L$/, "").endsWith("C") || layout.endsWith("C");
    return channelsLast ? "b" : `b.reshape(-1${", 1".repeat(spatialAxes(layout).length)})`;
  }

  function validCroppedBySize(l) {
    if (l.op !== "conv_transpose" || l.padding !== "valid" || l.output_shape === null) return false;
    return axes(l).some((a) => a.output_shape < fullLength(a.length, a.kernel, a.stride, a.dilation));
  }

  function spellings(l) {
    const found = [l];
    const dims = l.kernel.length;
    const win = windows(l);
    const candidates = [];
    for (const mode of ["same", "valid", "same_lower"]) {
      candidates.push({ ...l, padding: mode, output_padding: zeros(dims), output_shape: null });
      if (l.op === "conv_transpose") candidates.push({ ...l, padding: mode, output_padding: zeros(dims), output_shape: win.map(([, o]) => o) });
    }
    if (l.op === "conv_transpose") {
      const pairs = [], extras = [];
      axes(l).forEach((a, i) => {
        const after = fullLength(a.length, a.kernel, a.stride, a.dilation) - win[i][0] - win[i][1];
        pairs.push([win[i][0], Math.max(after, 0)]);
        extras.push(Math.max(-after, 0));
      });
      candidates.push({ ...l, padding: pairs, output_padding: extras, output_shape: null });
      candidates.push({ ...l, padding: pairs, output_padding: zeros(dims), output_shape: win.map(([, o]) => o) });
    } else {
      candidates.push({ ...l, padding: win.map((w) => [w[0], w[1]]) });
    }
    for (const c of candidates) {
      if (same(windows(c), win) && !validCroppedBySize(c) && !found.some((f) => same(f, c))) found.push(c);
    }
    return found;
  }

  function expressAny(target, l, bias) {
    let first = null;
    for (const spelling of spellings(l)) {
      const call = express(target, { ...spelling, bias });
      if (!(call instanceof Unsupported)) return [spelling, call];
      first = first || call;
    }
    return [l, first];
  }

  function rows(source, l, target, call, verdict) {
    return {
      adapter: target.adapter, verdict, call: userCall(call),
      weights: weightExpr(source.layouts.kernel, source.layouts.flipped, call.kernel_layout, target.flipped, l.groups,
        call.api.startsWith("mx.conv_transpose"), [l.in_channels, l.out_channels]),
      input: transposeExpr("x", source.layouts.input, call.input_layout),
      output: transposeExpr("y", call.input_layout, source.layouts.input), reason: null,
    };
  }

  function composition(source, l, target, reason, tables) {
    const dims = l.kernel.length;
    const plain = { ...l, padding: Array.from({ length: dims }, () => [0, 0]), output_padding: zeros(dims), output_shape: null, bias: false };
    let sub, crops, pads;
    if (l.op === "conv_transpose") {
      crops = windows(l).map(([before, out], i) => {
        const a = axes(l)[i];
        return [before, fullLength(a.length, a.kernel, a.stride, a.dilation) - before - out];
      });
      if (crops.some(([b]) => b < 0)) return null;
      sub = plain;
    } else {
      pads = windows(l);
      if (pads.some(([b, a]) => b < 0 || a < 0)) return null;
      sub = { ...plain, input_shape: [l.input_shape[0], l.input_shape[1], ...l.input_shape.slice(2).map((n, i) => n + pads[i][0] + pads[i][1])] };
    }
    const call = express(target, sub);
    if (call instanceof Unsupported) return null;
    const found = rows(source, l, target, call, "composition");
    const layout = call.input_layout;
    const ax = spatialAxes(layout);
    const lines = [];
    if (l.op === "conv") {
      const widths = [...layout].map(() => [0, 0]);
      ax.forEach((axis, i) => { widths[axis] = pads[i]; });
      lines.push(`x = np.pad(x, ${pyRepr(widths)})  # the explicit zeros, then an unpadded call`);
      lines.push(`y = ${userCall(call, true)}`);
    } else {
      lines.push(`y = ${userCall(call, true)}  # the full result, nothing cropped`);
      const index = [...layout].map(() => ":");
      const widths = [...layout].map(() => [0, 0]);
      ax.forEach((axis, i) => {
        const [before, after] = crops[i];
        index[axis] = after > 0 ? `${before}:${-after}` : (before ? `${before}:` : ":");
        widths[axis] = [0, Math.max(-after, 0)];
      });
      lines.push(`y = y[${index.join(", ")}]  # crop (before, after) = ${pyRepr(crops)}`);
      if (widths.some(([a, b]) => a || b)) lines.push(`y = np.pad(y, ${pyRepr(widths)})  # zeros past the full result`);
    }
    if (l.bias) lines.push(`y = y + ${biasExpr(layout)}`);
    found.call = lines.join("\n");
    found.reason = `composition: ${reason.reason} (${reasonWords(reason.reason, tables)}): the call alone cannot, this code does`;
    return withKnown(found, target, sub, tables);  // the recorded runs of the geometry the call runs
  }

  // -- known.py: the suite's recorded disagreements (embedded by export.known_disagreements) ----
  // known.geometry_key as export.geometry_text writes it: per dim the crop of the full result
  // (conv_transpose) or the zeros added (conv), and how the window is spelled.
  function geometryText(l) {
    let win = windows(l);
    if (l.op === "conv_transpose") win = win.map(([before, out], i) => [before, full(axes(l)[i]) - before - out]);
    const mode = typeof l.padding === "string" ? l.padding : "explicit";
    return [l.kernel.join(","), l.stride.join(","), l.dilation.join(","), String(l.groups), win.map(([b, a]) => `${b},${a}`).join(";"),
      mode, l.output_shape === null ? "1" : "0"].join("|");
  }

  const knownByTarget = new WeakMap();  // tables -> adapter -> Map(geometry text -> record index)

  function recordedDisagreement(target, l, tables) {
    const known = tables.known_disagreements;
    if (!known || !known.targets[target.adapter]) return null;
    if (!knownByTarget.has(tables)) knownByTarget.set(tables, new Map());
    const cache = knownByTarget.get(tables);
    if (!cache.has(target.adapter)) cache.set(target.adapter, new Map(known.targets[target.adapter].map(([g, r]) => [known.geometries[g], r])));
    const at = cache.get(target.adapter).get(geometryText(l));
    if (at === undefined) return null;
    const [status, name, kind, what] = known.records[at].map((i) => (i < 0 ? null : known.texts[i]));
    return { status, name, kind, what };
  }

  // targets._with_known: a recorded non-PASS on the geometry the target runs turns the verdict to
  // none. Flipped-kernel targets are left to --verify (their recorded runs take the kernel unflipped).
  function withKnown(found, target, l, tables) {
    if (target.flipped) return found;
    const bad = recordedDisagreement(target, l, tables);
    if (bad === null) return found;
    found.verdict = "none";
    found.reason = `known disagreement (${bad.status} on recorded case ${pyRepr(bad.name)}): ${bad.kind ? bad.kind + ": " : ""}${bad.what}`;
    return found;
  }

  function answer(source, l, target, tables) {
    if (!target.family) {
      return { adapter: target.adapter, verdict: "not in the page", call: null, weights: null, input: null, output: null,
        reason: `its translation is not restated in this page (new, or changed since the page's rules were written): \`conformance port ... --to ${target.adapter}\` answers it` };
    }
    let [spelling, call] = expressAny(target, l, l.bias);
    if (!(call instanceof Unsupported)) {
      const found = rows(source, l, target, call, target.kind === "recipe" ? "composition" : "equivalent");
      found.call = userCall(call, false, l.bias);
      if (target.kind === "recipe") found.reason = "a recipe: a composition of calls (see the adapter's repro for its code)";
      return withKnown(found, target, spelling, tables);
    }
    let reason = call;
    if (call.reason === "bias" && l.bias) {
      const [bareSpelling, bare] = expressAny(target, l, false);
      if (!(bare instanceof Unsupported)) {
        const found = rows(source, l, target, bare, "composition");
        found.call = `y = ${userCall(bare, true)}  # no bias argument\ny = y + ${biasExpr(bare.input_layout)}`;
        found.reason = `composition: ${call.reason} (${reasonWords(call.reason, tables)}): the call, then + b`;
        return withKnown(found, target, bareSpelling, tables);
      }
      reason = bare;
    }
    if (tables.padding_reasons.includes(reason.reason) || reason.reason.startsWith("padding-mode:")) {
      const composed = composition(source, l, target, reason, tables);
      if (composed) return composed;
    }
    return { adapter: target.adapter, verdict: "none", call: null, weights: null, input: null, output: null,
      reason: `${reason.reason}: ${reasonWords(reason.reason, tables)}` + (reason.detail ? ` (${reason.detail})` : "") };
  }

  // The whole port: the source read as the CLI reads it, then every target of its op.
  function port(text, inputShapeText, tables, weightShapeText) {
    const source = S.readSource(text, inputShapeText, tables, weightShapeText);
    const c = source.canonical;
    const l = { op: c.op, kernel: c.kernel, stride: c.stride, dilation: c.dilation, padding: c.padding, in_channels: c.in_channels,
      out_channels: c.out_channels, output_padding: c.output_padding, output_shape: c.output_shape, groups: c.groups, bias: c.bias,
      input_shape: c.input_shape };
    const targets = tables.targets[c.op].filter((t) => t.adapter !== source.adapter).map((t) => answer(source, l, t, tables));
    return { source, targets };
  }

  const api = { port, answer, windows };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PortTargets = api;
})(typeof window !== "undefined" ? window : globalThis);
