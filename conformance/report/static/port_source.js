// The "find my layer" panel's reading of a pasted call: the same steps as conformance.port's
// parse -> Signature.bind -> reader -> inverse -> Layer, over the signature tables the report
// embeds (conformance/port/export.py). Bad input raises PortError with the CLI's one line.
// Runs in the page and under node (module.exports), so tests compare it with the CLI.
(function (root) {
  "use strict";

  class PortError extends Error {}
  const SPATIAL = { 1: "W", 2: "HW", 3: "DHW" };
  const EXAMPLE_LENGTH = 8;

  // Python values: numbers are ints, {float} floats, booleans, null (None), strings, arrays,
  // {tensor, shape} a name or a shape-making call standing for an array.
  const isInt = (v) => typeof v === "number" && Number.isInteger(v);

  function pyStr(s) {
    const q = s.includes("'") && !s.includes('"') ? '"' : "'";
    let body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    body = q === "'" ? body.replace(/'/g, "\\'") : body;
    return q + body + q;
  }

  function pyRepr(v) {
    if (v === null || v === undefined) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (typeof v === "number") return String(v);
    if (typeof v === "string") return pyStr(v);
    if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
    if (v.float !== undefined) return v.text;
    if (v.tensor !== undefined) return v.tensor;  // parse.TensorArg and Expression print the user's own text
    if (v.expr !== undefined) return v.expr;
    return String(v);
  }

  // -- parse: a tokenizer and a recursive reader for the literal subset parse.py accepts --------
  const TOKEN = /\s*(?:(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)(?!['"])|([bBrRuU]?)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\*\*|[-+*()[\],=.:{}]))/y;

  function tokenize(text) {
    const tokens = [];
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < text.length) {
      if (/^\s*$/.test(text.slice(at))) break;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(text);
      if (!m) return null;
      const start = m.index + m[0].length - (m[1] || m[2] || (m[4] && m[3] + m[4]) || m[5]).length;
      if (m[1]) tokens.push({ kind: "num", text: m[1], start });
      else if (m[2]) tokens.push({ kind: "name", text: m[2], start });
      else if (m[4]) tokens.push({ kind: "str", text: m[3] + m[4], start, value: unquote(m[4]) });
      else tokens.push({ kind: "op", text: m[5], start });
      at = TOKEN.lastIndex;
    }
    tokens.push({ kind: "end", text: "", start: text.length });
    return tokens;
  }

  // Python's message for the commonest slip (a bracket left open); otherwise its generic one.
  function syntaxMessage(tokens) {
    const open = [];
    const pairs = { ")": "(", "]": "[", "}": "{" };
    for (const t of tokens || []) {
      if (t.kind !== "op") continue;
      if ("([{".includes(t.text)) open.push(t.text);
      else if (pairs[t.text]) {
        if (open.pop() !== pairs[t.text]) return "invalid syntax";
      }
    }
    return open.length ? `'${open[open.length - 1]}' was never closed` : "invalid syntax";
  }

  function unquote(q) {
    return q.slice(1, -1).replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t" })[c] || c);
  }

  function parseCall(text, tables) {
    const source = text.trim();
    const accepted = tables.accepted;
    const tokens = tokenize(source);
    const notPython = () => new PortError(`CALL ${pyStr(text)} is not Python (${syntaxMessage(tokens)}); expected ${accepted}`);
    if (!tokens) throw notPython();
    let i = 0;
    const peek = () => tokens[i];
    const take = (t) => {
      if (peek().text !== t || peek().kind === "str") throw notPython();
      i += 1;
    };
    const dotted = () => {
      if (peek().kind !== "name") return null;
      const parts = [tokens[i++].text];
      while (peek().text === "." && tokens[i + 1].kind === "name") {
        parts.push(tokens[i + 1].text);
        i += 2;
      }
      return parts.join(".");
    };
    // An expression node: {kind: literal|name|call|other, value, text, args, keywords}.
    const expr = () => {
      const start = peek().start;
      let node;
      const t = peek();
      if (t.text === "-" || t.text === "+") {
        i += 1;
        const inner = expr();
        if (inner.kind !== "literal" || typeof inner.value !== "number" && !(inner.value && inner.value.float !== undefined)) {
          node = { kind: "other" };
        } else {
          const v = inner.value;
          node = { kind: "literal", value: typeof v === "number" ? (t.text === "-" ? -v : v) : { float: (t.text === "-" ? -v.float : v.float), text: (t.text === "-" ? "-" : "") + v.text } };
        }
      } else if (t.kind === "num") {
        i += 1;
        const clean = t.text.replace(/_/g, "");
        node = /[.eE]/.test(clean)
          ? { kind: "literal", value: { float: Number(clean), text: String(Number(clean)).includes(".") || /e/.test(String(Number(clean))) ? String(Number(clean)) : String(Number(clean)) + ".0" } }
          : { kind: "literal", value: Number(clean) };
      } else if (t.kind === "str") {
        i += 1;
        let value = t.value;
        while (peek().kind === "str") value += tokens[i++].value;  // adjacent literals concatenate
        node = { kind: "literal", value };
      } else if (t.kind === "name") {
        const name = dotted();
        if (peek().text === "(") {
          const call = callTail(name);
          node = { kind: "call", name, ...call };
        } else if (["None", "True", "False"].includes(name)) {
          node = { kind: "literal", value: { None: null, True: true, False: false }[name] };
        } else {
          node = { kind: "name", name };
        }
      } else if (t.text === "(" || t.text === "[") {
        const close = t.text === "(" ? ")" : "]";
        i += 1;
        const items = [];
        let tuple = t.text === "[";
        while (peek().text !== close) {
          items.push(expr());
          if (peek().text === ",") {
            tuple = true;
            i += 1;
          } else if (peek().text !== close) throw notPython();
        }
        i += 1;
        if (!tuple && items.length === 1) node = items[0];
        else if (items.every((n) => n.kind === "literal")) node = { kind: "literal", value: items.map((n) => n.value) };
        else node = { kind: "other" };
      } else {
        throw notPython();
      }
      node.text = source.slice(start, peek().start).trim();
      return node;
    };
    const callTail = (where) => {
      take("(");
      const args = [];
      const keywords = [];
      while (peek().text !== ")") {
        if (peek().text === "*" || peek().text === "**") {
          const star = tokens[i++].text;
          const inner = expr();
          if (star === "*") throw new PortError(`${where}: *args cannot be read; write the arguments out`);
          throw new PortError(`${where}: **${inner.text} cannot be read; write the keyword arguments out`);
        }
        if (peek().kind === "name" && tokens[i + 1].text === "=" ) {
          const key = tokens[i].text;
          i += 2;
          keywords.push([key, expr()]);
        } else {
          if (keywords.length) throw notPython();
          args.push(expr());
        }
        if (peek().text === ",") i += 1;
        else if (peek().text !== ")") throw notPython();
      }
      i += 1;
      return { args, keywords };
    };
    if (peek().kind !== "name") {
      expr();
      if (peek().kind !== "end") throw notPython();
      throw new PortError(`CALL ${pyStr(text)} is not a call; expected ${accepted}`);
    }
    const api = dotted();
    if (peek().text !== "(") {
      if (peek().kind !== "end") throw notPython();
      throw new PortError(`CALL ${pyStr(text)} is not a call; expected ${accepted}`);
    }
    const { args, keywords } = callTail(api);
    if (peek().kind !== "end") throw notPython();
    const value = (node, where) => argumentValue(node, where, tables);
    // parse._keyword_value: a neutral argument's call is kept as its text
    const keywordValue = (k, node) => {
      try {
        return value(node, `${api} argument ${k}`);
      } catch (err) {
        if (err instanceof PortError && tables.neutral.includes(k) && node.kind === "call") return { expr: node.text };
        throw err;
      }
    };
    return {
      api,
      args: args.map((node, n) => value(node, `${api} argument ${n + 1}`)),
      kwargs: keywords.map(([k, node]) => [k, keywordValue(k, node)]),
      text: source,
    };
  }

  function argumentValue(node, where, tables) {
    if (node.kind === "literal") return node.value;
    if (node.kind === "name") return { tensor: node.name, shape: null };
    if (node.kind === "call") {
      if (tables.shape_calls.includes(node.name.split(".").pop())) return { tensor: node.text, shape: shapeOf(node) };
      throw new PortError(`${where}: ${pyStr(node.text)} is a call; give a literal value (the text is never run)`);
    }
    throw new PortError(`${where}: ${pyStr(node.text)} is not a literal; the text is never run`);
  }

  function shapeOf(node) {
    const candidates = node.keywords.filter(([k]) => k === "size" || k === "shape").map(([, n]) => n).concat(node.args);
    const ints = [];
    for (const arg of candidates) {
      if (arg.kind !== "literal") continue;
      const v = arg.value;
      if (Array.isArray(v) && v.every(isInt)) return v;
      if (isInt(v)) ints.push(v);
    }
    return ints.length ? ints : null;
  }

  // -- bind: signatures.Signature.bind ------------------------------------------------------
  // A neutral argument (signatures.NEUTRAL), by position or by name, is noted and bound to nothing.
  function bind(signature, api, args, kwargs, neutral) {
    const params = signature.params;
    const limit = signature.positional === null || signature.positional === undefined ? params.length : signature.positional;
    if (args.length > limit) {
      throw new PortError(`${api} takes at most ${limit} positional arguments (${params.slice(0, limit).join(", ")}), got ${args.length}`);
    }
    const bound = new Map();
    const given = new Set();
    const notes = [];
    const take = (name, value) => {
      given.add(name);
      if (neutral.includes(name)) notes.push(`${name}=${pyRepr(value)} does not change the convolution`);
      else bound.set(name, value);
    };
    args.forEach((v, n) => take(params[n], v));
    for (let [name, value] of kwargs) {
      name = signature.aliases[name] || name;
      if (given.has(name)) throw new PortError(`${api}: argument ${pyStr(name)} given twice (by position and by name)`);
      if (params.includes(name) || signature.takes_attributes || neutral.includes(name)) take(name, value);
      else throw new PortError(`${api} does not take argument ${pyStr(name)}; it takes: ${params.join(", ")}`);
    }
    for (const name of params) {
      if (!given.has(name) && !neutral.includes(name)) {
        if (!(name in signature.defaults)) {
          throw new PortError(`${api}: missing argument ${pyStr(name)} (its parameters: ${params.join(", ")})`);
        }
        bound.set(name, signature.defaults[name]);
      }
    }
    const activation = bound.has("activation") ? bound.get("activation") : null;
    bound.delete("activation");
    if (activation !== null && activation !== "linear") {
      notes.push(`activation=${pyRepr(activation)} is applied after the convolution: add it after the ported call`);
    }
    return { bound, notes };
  }

  // -- Python's value semantics the readers lean on ------------------------------------------
  const has = (kw, k) => Object.prototype.hasOwnProperty.call(kw, k);
  const get = (kw, k, fallback) => (has(kw, k) ? kw[k] : fallback);  // dict.get: a None stays None
  const pyInt = (v) => isInt(v) || typeof v === "boolean";  // isinstance(v, int): bool is an int
  function truthy(v) {
    if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "object" && v.float !== undefined) return v.float !== 0;
    return true;
  }
  const or = (v, fallback) => (truthy(v) ? v : fallback);  // Python's ``v or fallback``
  function pyEq(a, b) {  // ==, where True == 1 and 2.0 == 2
    const num = (v) => (typeof v === "boolean" ? Number(v) : typeof v === "number" ? v : v && v.float !== undefined ? v.float : undefined);
    if (num(a) !== undefined && num(b) !== undefined) return num(a) === num(b);
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, n) => pyEq(v, b[n]));
    return a === b;
  }
  const swapIO = (layout) => layout.replace(/[IO]/g, (c) => (c === "I" ? "O" : "I"));
  const pyStrOf = (v) => (typeof v === "string" ? v : pyRepr(v));  // str(v) for the values a call holds
  const lenDims = (...values) => {  // sources._len_dims
    for (const v of values) if (Array.isArray(v)) return v.length;
    return null;
  };

  // -- the readers of sources.py: (api, match, bound, x, w) -> the keyword form the inverse reads --
  const channelsLast = (dims) => "N" + SPATIAL[dims] + "C";
  const channelsFirst = (dims) => "NC" + SPATIAL[dims];
  const read = (family, kwargs, input_layout, kernel_layout, flipped, adapter) => ({ family, kwargs, input_layout, kernel_layout, flipped, adapter });
  const pick = (b, names) => Object.fromEntries(names.map((k) => [k, b.get(k)]));

  function dataFormat(api, value, dims, defaultLast = true) {
    if (value === null) return defaultLast ? channelsLast(dims) : channelsFirst(dims);
    const text = pyStrOf(value);
    if (text === "channels_last" || (text.startsWith("N") && text.endsWith("C"))) return channelsLast(dims);
    if (text === "channels_first" || text.startsWith("NC")) return channelsFirst(dims);
    throw new PortError(`${api}: argument data_format/layout ${pyRepr(value)} is not channels first or channels last`);
  }

  function torchModule(api, m, b) {
    const dims = Number(m.d), transposed = api.toLowerCase().includes("transpose");
    if (b.get("padding_mode") !== "zeros") {
      throw new PortError(`${api}: argument padding_mode=${pyRepr(b.get("padding_mode"))}: only 'zeros' is a plain convolution`);
    }
    const kwargs = pick(b, ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"]);
    if (transposed) kwargs.output_padding = b.get("output_padding");
    return read(`torch.nn.Conv${transposed ? "Transpose" : ""}${dims}d`, kwargs, channelsFirst(dims),
      (transposed ? "IO" : "OI") + SPATIAL[dims], false, transposed ? "torch.nn.ConvTranspose" : "torch.nn.Conv");
  }

  function torchFunctional(api, m, b) {
    const dims = Number(m.d), transposed = api.toLowerCase().includes("transpose");
    const kwargs = pick(b, ["stride", "padding", "dilation", "groups"]);
    kwargs.bias = b.get("bias") !== null;
    if (transposed) kwargs.output_padding = b.get("output_padding");
    return read(`torch.nn.functional.conv${transposed ? "_transpose" : ""}${dims}d`, kwargs, channelsFirst(dims),
      (transposed ? "IO" : "OI") + SPATIAL[dims], false,
      transposed ? "torch.nn.functional.conv_transpose" : "torch.nn.functional.conv");
  }

  function kerasLayer(api, m, b) {
    const dims = Number(m.d), transposed = api.toLowerCase().includes("transpose");
    const prefix = api.startsWith("tf_keras") || m.v1 ? "tf_keras" : "keras";
    const filters = b.get("filters");
    if (!pyInt(filters)) {
      throw new PortError(`${api}: argument filters=${filters && filters.tensor !== undefined ? pyStr(filters.tensor) : pyRepr(filters)}: give the number of output channels`);
    }
    const kwargs = pick(b, ["filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias"]);
    if (transposed) kwargs.output_padding = b.get("output_padding");
    else kwargs.groups = b.get("groups");
    return read(`${prefix}.layers.Conv${dims}D${transposed ? "Transpose" : ""}`, kwargs, dataFormat(api, b.get("data_format"), dims),
      SPATIAL[dims] + (transposed ? "OI" : "IO"), false, `${prefix}.layers.${transposed ? "ConvTranspose" : "Conv"}`);
  }

  function tfNn(api, m, b, x, w) {
    const transposed = api.toLowerCase().includes("transpose");
    const shapeDims = lenDims(b.get("output_shape"));
    const dims = m.d ? Number(m.d) : [x ? x.length - 2 : null, w ? w.length - 2 : null, shapeDims && shapeDims - 2].find(truthy);
    if (!dims) throw new PortError(`${api}: the number of spatial dims is unknown: give --input-shape or --weight-shape`);
    const strides = b.get("strides");
    const kwargs = { strides: strides === null ? 1 : strides, padding: b.get("padding"), dilations: or(b.get("dilations"), 1) };
    if (transposed) {
      if (b.get("output_shape") === null) throw new PortError(`${api}: missing argument 'output_shape'`);
      kwargs.output_shape = b.get("output_shape");
    }
    return read(transposed ? `tf.nn.conv${dims}d_transpose` : "tf.nn.convolution", kwargs, dataFormat(api, b.get("data_format"), dims),
      SPATIAL[dims] + (transposed ? "OI" : "IO"), false, transposed ? "tf.nn.conv_transpose" : "tf.nn.convolution");
  }

  function tfLayers(api, m, b, x, w) {  // TF1's tf.layers.conv2d_transpose: the tf.keras layer
    const bound = new Map([...b, ["dilation_rate", 1], ["output_padding", null], ["groups", 1]]);
    return kerasLayer(api, { d: m.d, v1: true }, bound, x, w);
  }

  function gluon(api, m, b) {
    const dims = Number(m.d), transposed = api.toLowerCase().includes("transpose");
    if (!pyStrOf(b.get("layout")).startsWith("NC")) {
      throw new PortError(`${api}: argument layout=${pyRepr(b.get("layout"))}: only channels-first layouts are read`);
    }
    const kwargs = pick(b, ["channels", "kernel_size", "strides", "padding", "dilation", "groups", "use_bias"]);
    kwargs.in_channels = or(b.get("in_channels"), null);
    if (transposed) kwargs.output_padding = b.get("output_padding");
    return read(`mx.gluon.nn.Conv${dims}D${transposed ? "Transpose" : ""}`, kwargs, channelsFirst(dims), (transposed ? "IO" : "OI") + SPATIAL[dims],
      false, transposed ? "mxnet.gluon.nn.ConvTranspose" : "mxnet.gluon.nn.Conv");
  }

  function mxnetNd(api, m, b) {
    const transposed = m.op === "Deconvolution";
    if (b.get("kernel") === null) throw new PortError(`${api}: missing argument 'kernel'`);
    const dims = Array.isArray(b.get("kernel")) ? b.get("kernel").length : null;
    if (dims === null) throw new PortError(`${api}: argument kernel must be a tuple, one size per spatial dim`);
    if (b.get("layout") !== null && !pyStrOf(b.get("layout")).startsWith("NC")) {
      throw new PortError(`${api}: argument layout=${pyRepr(b.get("layout"))}: only channels-first layouts are read`);
    }
    const names = ["kernel", "stride", "dilate", "pad", "num_filter", "num_group", "no_bias", ...(transposed ? ["adj", "target_shape"] : [])];
    const kwargs = Object.fromEntries(names.filter((k) => b.get(k) !== null).map((k) => [k, b.get(k)]));
    const adapter = transposed ? (truthy(b.get("target_shape")) ? "mxnet.nd.Deconvolution.target_shape" : "mxnet.nd.Deconvolution") : "mxnet.nd.Convolution";
    return read(`mx.nd.${m.op}`, kwargs, channelsFirst(dims), (transposed ? "IO" : "OI") + SPATIAL[dims], false, adapter);
  }

  function lax(api, m, b, x) {
    const transposed = m.op === "conv_transpose";
    const strides = transposed ? b.get("strides") : b.get("window_strides");
    const padding = b.get("padding");
    const dims = or(lenDims(strides, Array.isArray(padding) ? padding : null, b.get("rhs_dilation")), x ? x.length - 2 : null);
    if (dims === null) throw new PortError(`${api}: the number of spatial dims is unknown: give --input-shape`);
    const sp = SPATIAL[dims];
    const specs = or(b.get("dimension_numbers"), transposed ? ["N" + sp + "C", sp + "IO", "N" + sp + "C"] : ["NC" + sp, "OI" + sp, "NC" + sp]);
    if (!(Array.isArray(specs) && specs.length === 3 && specs.every((s) => typeof s === "string"))) {
      throw new PortError(`${api}: argument dimension_numbers must be three layout strings, e.g. ('NCHW', 'OIHW', 'NCHW')`);
    }
    const [lhs, rhs] = specs;
    if (transposed) {
      const transposeKernel = b.get("transpose_kernel");
      // transpose_kernel=True: the kernel is the forward conv's, its 'O' is this op's input
      const kwargs = { strides, padding, rhs_dilation: b.get("rhs_dilation"), dimension_numbers: [lhs, rhs, lhs], transpose_kernel: transposeKernel };
      return read("jax.lax.conv_transpose", kwargs, lhs, truthy(transposeKernel) ? swapIO(rhs) : rhs, !truthy(transposeKernel),
        truthy(transposeKernel) ? "jax.lax.conv_transpose" : "jax.lax.conv_transpose.no_transpose_kernel");
    }
    const kwargs = { window_strides: strides, padding, rhs_dilation: b.get("rhs_dilation"), feature_group_count: b.get("feature_group_count") };
    if (!pyEq(b.get("batch_group_count"), 1)) {
      throw new PortError(`${api}: argument batch_group_count=${pyRepr(b.get("batch_group_count"))}: not a plain convolution`);
    }
    const dilated = b.get("lhs_dilation") !== null;  // the transposed conv as a conv: the forward conv's kernel, flipped
    if (dilated) kwargs.lhs_dilation = b.get("lhs_dilation");
    return read("jax.lax.conv_general_dilated", kwargs, lhs, dilated ? swapIO(rhs) : rhs, dilated,
      dilated ? "jax.lax.conv_general_dilated.lhs_dilation" : "jax.lax.conv_general_dilated");
  }

  function onnxNode(api, m, b, x, w, tables) {
    const opType = b.get("op_type");
    if (opType !== "ConvTranspose" && opType !== "Conv") {
      throw new PortError(`${api}: op_type ${pyRepr(opType)}: only 'ConvTranspose' and 'Conv' nodes are read`);
    }
    const skip = new Set(["op_type", "inputs", "outputs", "name", "doc_string", "domain"]);
    const known = tables.onnx_attributes;
    const attributes = {};
    for (const [name, value] of b) {
      if (skip.has(name)) continue;
      if (!known.includes(name)) throw new PortError(`${api}: ${opType} has no attribute ${pyStr(name)}; it has: ${known.join(", ")}`);
      if (value !== null) attributes[name] = value;
    }
    const dims = or(lenDims(attributes.kernel_shape, attributes.strides, attributes.dilations), x ? x.length - 2 : (w ? w.length - 2 : null));
    if (dims === null) throw new PortError(`${api}: the number of spatial dims is unknown: give kernel_shape or --weight-shape`);
    return read(opType, attributes, channelsFirst(dims), (opType === "ConvTranspose" ? "IO" : "OI") + SPATIAL[dims], false,
      opType === "ConvTranspose" ? "onnxruntime.ConvTranspose" : "onnxruntime.Conv");
  }

  function paddleLayer(api, m, b) {
    const dims = Number(m.d), transposed = api.toLowerCase().includes("transpose");
    const mode = b.has("padding_mode") ? b.get("padding_mode") : "zeros";
    if (mode !== "zeros") throw new PortError(`${api}: argument padding_mode=${pyRepr(mode)}: only 'zeros' is a plain convolution`);
    const kwargs = pick(b, ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias_attr"]);
    if (transposed) kwargs.output_padding = b.get("output_padding");
    return read(`paddle.nn.Conv${dims}D${transposed ? "Transpose" : ""}`, kwargs, dataFormat(api, b.get("data_format"), dims, false),
      (transposed ? "IO" : "OI") + SPATIAL[dims], false, transposed ? "paddle.nn.ConvTranspose" : "paddle.nn.Conv");
  }

  function flaxLayer(api, m, b) {
    const transposed = api.toLowerCase().includes("transpose");
    const kernelSize = b.get("kernel_size");
    const dims = Array.isArray(kernelSize) ? kernelSize.length : null;
    if (dims === null) throw new PortError(`${api}: argument kernel_size must be a tuple, one size per spatial dim`);
    if (b.get("mask") !== null) throw new PortError(`${api}: argument mask=${pyRepr(b.get("mask"))}: a masked kernel is not a plain convolution`);
    const kwargs = pick(b, ["features", "kernel_size", "strides", "padding", "kernel_dilation", "use_bias"]);
    if (transposed) {
      const transposeKernel = b.get("transpose_kernel");
      kwargs.transpose_kernel = transposeKernel;
      return read("flax.linen.ConvTranspose", kwargs, channelsLast(dims), SPATIAL[dims] + (truthy(transposeKernel) ? "OI" : "IO"),
        !truthy(transposeKernel), "flax.linen.ConvTranspose" + (truthy(transposeKernel) ? "" : ".no_transpose_kernel"));
    }
    const inputDilation = b.get("input_dilation");
    if (![1, null, Array(dims).fill(1)].some((v) => pyEq(inputDilation, v))) {
      throw new PortError(`${api}: argument input_dilation=${pyRepr(inputDilation)}: read as a transposed conv only by ConvTranspose`);
    }
    kwargs.feature_group_count = b.get("feature_group_count");
    return read("flax.linen.Conv", kwargs, channelsLast(dims), SPATIAL[dims] + "IO", false, "flax.linen.Conv");
  }

  // by the reader's name in sources.SOURCES (the export names it per pattern)
  const READERS = {
    torch_module: torchModule, torch_functional: torchFunctional, keras_layer: kerasLayer, tf_nn: tfNn, tf_layers: tfLayers,
    gluon, mxnet_nd: mxnetNd, lax, onnx_node: onnxNode, paddle_layer: paddleLayer, flax_layer: flaxLayer,
  };

  // -- inverse/common.py and inverse/shapes.py ---------------------------------------------------
  const inverseError = (api, argument, why) => new PortError(`${api}: argument ${argument}: ${why}`);

  function perDim(api, name, value, dims) {
    if (typeof value !== "boolean") {
      if (isInt(value)) return Array(dims).fill(value);
      if (Array.isArray(value) && value.every(isInt)) {
        if (value.length === dims) return value.slice();
        if (value.length === 1) return Array(dims).fill(value[0]);
      }
    }
    const what = typeof value === "boolean" ? `an int or ${dims} ints, got ${pyRepr(value)}`
      : `an int or ${dims} ints (one per spatial dim), got ${pyRepr(value)}`;
    throw inverseError(api, name, `expected ${what}`);
  }

  const sym = (api, name, value, dims) => perDim(api, name, value, dims).map((p) => [p, p]);

  function pairsFromFlat(api, name, value, dims, order = "pairs") {
    if (!Array.isArray(value) || value.length !== 2 * dims || !value.every(pyInt)) {
      throw inverseError(api, name, `expected ${2 * dims} ints (before and after per spatial dim), got ${pyRepr(value)}`);
    }
    if (order === "begins_ends") return Array.from({ length: dims }, (_, n) => [value[n], value[dims + n]]);
    const pairs = Array.from({ length: dims }, (_, n) => [value[2 * n], value[2 * n + 1]]);
    return order === "reversed_pairs" ? pairs.reverse() : pairs;
  }

  function pairList(api, name, value, dims) {
    if (Array.isArray(value) && value.length === dims && value.every((p) => Array.isArray(p) && p.length === 2 && p.every(pyInt))) {
      return value.map((p) => [p[0], p[1]]);
    }
    throw inverseError(api, name, `expected ${dims} (before, after) pairs, got ${pyRepr(value)}`);
  }

  const normalLayout = (layout) => layout.replace(/L/g, "W");
  const spatialDims = (layout) => [...normalLayout(layout)].filter((c) => "DHW".includes(c)).length;

  function readInput(layout, shape) {
    if (!shape) return null;
    layout = normalLayout(layout);
    return [..."NC" + SPATIAL[spatialDims(layout)]].map((c) => shape[layout.indexOf(c)]);
  }

  function readKernel(layout, shape) {
    if (!shape) return null;
    layout = normalLayout(layout);
    return { i: shape[layout.indexOf("I")], o: shape[layout.indexOf("O")], k: [...SPATIAL[spatialDims(layout)]].map((c) => shape[layout.indexOf(c)]) };
  }

  // shapes.Tensors: the call's input and kernel shapes in its own layouts (either may be null)
  function tensorsOf(call, x, w) {
    const dims = spatialDims(call.input_layout || call.kernel_layout);
    const inputShape = readInput(call.input_layout, x);
    const kernel = readKernel(call.kernel_layout, w);
    return {
      dims, input_shape: inputShape, kernel,
      kernelSize(kw, name) {
        if (name && get(kw, name, null) !== null) return perDim(call.api, name, kw[name], dims);
        if (!kernel) throw inverseError(call.api, name || "weight", "the kernel size is needed: give the weight's shape");
        return kernel.k;
      },
      channels(op, groups) {  // conv: O = C_out, I = C_in/g; conv_transpose: I = C_in, O = C_out/g
        let cIn = null, cOut = null;
        if (kernel) [cIn, cOut] = op === "conv" ? [kernel.i * groups, kernel.o] : [kernel.i, kernel.o * groups];
        if (cIn === null && inputShape) cIn = inputShape[1];
        return [cIn, cOut];
      },
    };
  }

  function layer(op, kernel, stride, dilation, padding, rest = {}) {
    const dims = kernel.length;
    const given = (k, fallback) => (rest[k] === undefined ? fallback : rest[k]);
    return {
      op, kernel: [...kernel], stride: [...stride], dilation: [...dilation], padding,
      in_channels: given("in_channels", null), out_channels: given("out_channels", null),
      output_padding: given("output_padding", null) === null ? Array(dims).fill(0) : [...rest.output_padding],
      output_shape: given("output_shape", null) === null ? null : [...rest.output_shape],
      groups: given("groups", 1), bias: truthy(given("bias", false)), input_shape: given("input_shape", null),
    };
  }

  // a conv_transpose window full[before : before + out] as explicit (before, after) plus output_padding
  function explicitLayerFromWindows(op, kernel, stride, dilation, lengths, wins, rest) {
    const pairs = [], extras = [];
    lengths.forEach((n, i) => {
      const [before, out] = wins[i];
      const after = fullLength(n, kernel[i], stride[i], dilation[i]) - before - out;
      pairs.push([before, Math.max(after, 0)]);
      extras.push(Math.max(-after, 0));
    });
    return layer(op, kernel, stride, dilation, pairs, { ...rest, output_padding: extras });
  }

  // -- the inverses, one per function of conformance/port/inverse/ -----------------------------
  function convMode(api, name, value) {  // torchlike._conv_mode
    if (typeof value !== "string") return null;
    const mode = value.toLowerCase();
    if (mode !== "same" && mode !== "valid") throw inverseError(api, name, `${pyRepr(value)} is not one of 'same', 'valid'`);
    return mode;
  }

  // torchlike.torch_inverse
  // torchlike._axes: stride, dilation and a transposed conv's output_padding under the API's own names
  function axes(api, kw, dims, op, [stride, dilation, outputPadding] = ["stride", "dilation", "output_padding"]) {
    return [perDim(api, stride, get(kw, stride, 1), dims), perDim(api, dilation, get(kw, dilation, 1), dims),
      op === "conv_transpose" ? perDim(api, outputPadding, get(kw, outputPadding, 0), dims) : null];
  }

  function torchInverse(call, x, w) {
    const kw = call.kwargs, api = call.api;
    const op = api.includes("ranspose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const groups = get(kw, "groups", 1);
    let [cIn, cOut] = t.channels(op, groups);
    cIn = get(kw, "in_channels", cIn);
    cOut = get(kw, "out_channels", cOut);
    const padding = get(kw, "padding", 0);
    const mode = op === "conv" ? convMode(api, "padding", padding) : null;
    const [stride, dilation, outputPadding] = axes(api, kw, t.dims, op);
    return layer(op, t.kernelSize(kw, "kernel_size"), stride, dilation, mode || sym(api, "padding", padding, t.dims), {
        in_channels: cIn, out_channels: cOut, groups, input_shape: t.input_shape, output_padding: outputPadding,
        bias: get(kw, "bias", true) !== false && get(kw, "bias", true) !== null,
      });
  }

  // torchlike.mxnet_inverse: mx.nd.(De)Convolution (pad, adj, target_shape) and Gluon's layers
  function mxnetInverse(call, x, w) {
    const kw = call.kwargs, api = call.api;
    const op = api.includes("Deconvolution") || api.includes("Transpose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const g = api.includes("gluon");
    const name = (gluonName, ndName) => (g ? gluonName : ndName);
    const groups = get(kw, name("groups", "num_group"), 1);
    let [cIn, cOut] = t.channels(op, groups);
    cOut = get(kw, name("channels", "num_filter"), cOut);
    cIn = or(get(kw, "in_channels", null), cIn);
    const kernel = t.kernelSize(kw, name("kernel_size", "kernel"));
    const bias = g ? get(kw, "use_bias", true) : !truthy(get(kw, "no_bias", false));
    const target = truthy(get(kw, "target_shape", null));  // MXNet picks pad and adj from target_shape (InferPad): the odd crop first
    const names = g ? ["strides", "dilation", "output_padding"] : ["stride", "dilate", "adj"];
    const [stride, dilation, outputPadding] = axes(api, kw, t.dims, target ? "conv" : op, names);  // adj not read with target_shape
    let padding, outputShape = null;
    if (target) {
      padding = "same_lower";
      outputShape = perDim(api, "target_shape", kw.target_shape, t.dims);
    } else {
      padding = sym(api, name("padding", "pad"), get(kw, name("padding", "pad"), 0), t.dims);
    }
    return layer(op, kernel, stride, dilation, padding, { in_channels: cIn, out_channels: cOut, output_padding: outputPadding,
      output_shape: outputShape, groups, bias, input_shape: t.input_shape });
  }

  // torchlike.paddle_inverse
  function paddleInverse(call, x, w) {
    const kw = call.kwargs, api = call.api;
    const op = api.includes("ranspose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const groups = get(kw, "groups", 1);
    let [cIn, cOut] = t.channels(op, groups);
    cIn = get(kw, "in_channels", cIn);
    cOut = get(kw, "out_channels", cOut);
    let padding = get(kw, "padding", 0);
    const mode = convMode(api, "padding", padding);
    if (mode === null) {
      const flat = Array.isArray(padding) && padding.length === 2 * t.dims && padding.every(pyInt);
      padding = flat && t.dims > 0 ? pairsFromFlat(api, "padding", padding, t.dims) : sym(api, "padding", padding, t.dims);
    }
    const [stride, dilation, outputPadding] = axes(api, kw, t.dims, op);
    return layer(op, t.kernelSize(kw, "kernel_size"), stride, dilation, mode || padding, {
        in_channels: cIn, out_channels: cOut, groups, input_shape: t.input_shape, output_padding: outputPadding,
        bias: get(kw, "bias_attr", null) !== false,
      });
  }

  // tflike.tf_inverse: tf.nn's transposed conv (output_shape is O) and tf.nn.convolution
  function tfInverse(call, x, w, tables) {
    const kw = call.kwargs, api = call.api;
    const op = api.includes("transpose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const dims = t.dims;
    let [cIn, cOut] = t.channels(op, 1);
    // tflike._tf_per_dim: one per input dim in data_format's order, N and C at 1
    const layout = call.input_layout;
    const spatialOf = (value) => value.filter((_, n) => "DHW".includes(layout[n]));
    const tfPerDim = (name, value) => {
      if (Array.isArray(value) && value.length === dims + 2) {
        if (value.some((v, n) => !"DHW".includes(layout[n]) && !pyEq(v, 1))) {
          throw inverseError(api, name, `${pyRepr(value)}: the batch and channel entries must be 1 (${layout}'s order)`);
        }
        value = spatialOf(value);
      }
      return perDim(api, name, value, dims);
    };
    const stride = tfPerDim("strides", get(kw, "strides", 1));
    const dilation = tfPerDim("dilations", or(get(kw, "dilations", 1), 1));
    const value = get(kw, "padding", "VALID");
    let padding;
    if (typeof value === "string") {
      padding = tables.modes.tf[value.toUpperCase()];
      if (padding === undefined) throw inverseError(api, "padding", `${pyRepr(value)} is not 'SAME', 'VALID' or explicit pairs`);
    } else {
      // tflike._tf_padding: one pair per input dim in data_format's order, N and C at [0, 0]
      if (!(Array.isArray(value) && value.length === dims + 2 && value.every((p) => Array.isArray(p) && p.length === 2))) {
        throw inverseError(api, "padding", `expected 'SAME', 'VALID' or ${dims + 2} [before, after] pairs, got ${pyRepr(value)}`);
      }
      if (value.some((p, n) => !"DHW".includes(layout[n]) && !pyEq(p, [0, 0]))) {
        throw inverseError(api, "padding", `${pyRepr(value)}: the batch and channel pairs must be [0, 0] (${layout}'s order)`);
      }
      padding = spatialOf(value).map((p) => [p[0], p[1]]);
    }
    const kernel = t.kernelSize(kw, null);
    if (op === "conv") {
      let groups = 1;  // TF infers groups from the filter: C_in / filter in-channels
      if (t.input_shape && t.kernel && truthy(t.kernel.i)) {
        groups = floorDiv(t.input_shape[1], t.kernel.i);
        cIn = t.input_shape[1];
      }
      return layer(op, kernel, stride, dilation, padding, { in_channels: cIn, out_channels: cOut, groups, input_shape: t.input_shape });
    }
    const outputShape = get(kw, "output_shape", null);
    if (outputShape === null) throw inverseError(api, "output_shape", "tf.nn's transposed conv needs output_shape (N, *spatial, C)");
    if (!Array.isArray(outputShape) || outputShape.length !== dims + 2) {
      throw inverseError(api, "output_shape", `expected ${dims + 2} sizes (the full output shape), got ${pyRepr(outputShape)}`);
    }
    const out = outputShape.filter((_, n) => "DHW".includes(call.input_layout[n]));
    return layer(op, kernel, stride, dilation, padding, { in_channels: cIn, out_channels: outputShape[call.input_layout.indexOf("C")],
      output_shape: out, input_shape: t.input_shape });
  }

  // tflike.keras_inverse: Keras' own output lengths read back as output_shape
  function kerasInverse(call, x, w) {
    const kw = call.kwargs, api = call.api;
    const op = api.includes("Transpose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    let padding = get(kw, "padding", "valid");
    if (typeof padding !== "string" || !["same", "valid", "causal"].includes(padding.toLowerCase())) {
      throw inverseError(api, "padding", `Keras padding is 'valid' or 'same', got ${pyRepr(padding)}`);
    }
    padding = padding.toLowerCase();
    if (padding === "causal") throw inverseError(api, "padding", "'causal' (Conv1D's left-only padding) is no canonical mode");
    const groups = get(kw, "groups", 1);
    const [cIn] = t.channels(op, groups);
    const filters = get(kw, "filters", null);
    if (filters === null) throw inverseError(api, "filters", "the layer's output channels are required");
    const kernel = t.kernelSize(kw, "kernel_size");
    const stride = perDim(api, "strides", get(kw, "strides", 1), t.dims);
    const dilation = perDim(api, "dilation_rate", get(kw, "dilation_rate", 1), t.dims);
    const common = { in_channels: cIn, out_channels: filters, groups, bias: get(kw, "use_bias", true), input_shape: t.input_shape };
    if (op === "conv") return layer(op, kernel, stride, dilation, padding, common);
    // Keras' lengths (keras_api.keras_transpose_*_length): default 'same' L*s, 'valid' (L-1)s + max(e, s)
    const lengths = (extra) => {
      if (!t.input_shape) throw inverseError(api, "output_padding", "Keras' output length depends on the input length: give --input-shape");
      return kernel.map((k, i) => {
        const n = t.input_shape[2 + i], s = stride[i], e = effective(k, dilation[i]);
        if (extra === null) return padding === "same" ? n * s : Math.max((n - 1) * s + e, n * s);
        return (padding === "valid" ? (n - 1) * s + e : (n - 1) * s + (e % 2)) + extra[i];
      });
    };
    const outputPadding = get(kw, "output_padding", null);
    if (outputPadding === null) {
      if (padding === "same" || stride.every((s, i) => s <= effective(kernel[i], dilation[i]))) return layer(op, kernel, stride, dilation, padding, common);
      return layer(op, kernel, stride, dilation, padding, { ...common, output_shape: lengths(null) });
    }
    return layer(op, kernel, stride, dilation, padding, { ...common, output_shape: lengths(perDim(api, "output_padding", outputPadding, t.dims)) });
  }

  // xla: lax's pairs pad the stride-dilated input; its modes by name
  function laxMode(api, name, value, tables) {
    if (typeof value !== "string") return null;
    const mode = tables.modes.lax[value.toUpperCase()];
    if (mode === undefined) throw inverseError(api, name, `${pyRepr(value)} is not 'SAME', 'VALID', 'SAME_LOWER' or (low, high) pairs`);
    return mode;
  }

  function laxTransposeLayer(api, t, kernel, stride, dilation, padding, rest, tables) {  // xla._transpose_layer
    const mode = laxMode(api, "padding", padding, tables);
    if (mode !== null) return layer("conv_transpose", kernel, stride, dilation, mode, { ...rest, input_shape: t.input_shape });
    const pairs = pairList(api, "padding", padding, t.dims);
    if (!t.input_shape) throw inverseError(api, "padding", "explicit pairs pad the dilated input: the input length is needed (--input-shape)");
    const lengths = t.input_shape.slice(2);
    const wins = pairs.map(([lo, hi], i) => {  // xla.dilated_input_windows
      const e = effective(kernel[i], dilation[i]);
      return [e - 1 - lo, (lengths[i] - 1) * stride[i] + 1 + lo + hi - e + 1];
    });
    return explicitLayerFromWindows("conv_transpose", kernel, stride, dilation, lengths, wins, { ...rest, input_shape: t.input_shape });
  }

  // xla.lax_inverse: conv_transpose, and conv_general_dilated (lhs_dilation: the transposed conv)
  function laxInverse(call, x, w, tables) {
    const kw = call.kwargs, api = call.api;
    const t = tensorsOf(call, x, w);
    const kernel = t.kernelSize(kw, null);
    const dilation = perDim(api, "rhs_dilation", or(get(kw, "rhs_dilation", null), 1), t.dims);
    if (api.endsWith("conv_transpose")) {
      const [cIn, cOut] = t.channels("conv_transpose", 1);
      return laxTransposeLayer(api, t, kernel, perDim(api, "strides", get(kw, "strides", 1), t.dims), dilation,
        get(kw, "padding", "VALID"), { in_channels: cIn, out_channels: cOut }, tables);
    }
    const groups = get(kw, "feature_group_count", 1);
    if (get(kw, "lhs_dilation", null) !== null) {
      if (perDim(api, "window_strides", get(kw, "window_strides", 1), t.dims).some((v) => v !== 1)) {
        throw inverseError(api, "window_strides", "lhs_dilation with window_strides > 1 is no transposed conv");
      }
      const [cIn, cOut] = t.channels("conv_transpose", groups);
      return laxTransposeLayer(api, t, kernel, perDim(api, "lhs_dilation", kw.lhs_dilation, t.dims), dilation,
        get(kw, "padding", null), { in_channels: cIn, out_channels: cOut, groups }, tables);
    }
    const [cIn, cOut] = t.channels("conv", groups);
    const padding = get(kw, "padding", "VALID");
    return layer("conv", kernel, perDim(api, "window_strides", get(kw, "window_strides", 1), t.dims), dilation,
      laxMode(api, "padding", padding, tables) || pairList(api, "padding", padding, t.dims),
      { in_channels: cIn, out_channels: cOut, groups, input_shape: t.input_shape });
  }

  // xla.flax_inverse: flax.linen / flax.nnx Conv and ConvTranspose (channels last, padding as lax takes it)
  function flaxInverse(call, x, w, tables) {
    const kw = call.kwargs, api = call.api;
    const op = api.endsWith("ConvTranspose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const groups = get(kw, "feature_group_count", 1);
    let [cIn] = t.channels(op, groups);
    cIn = get(kw, "in_features", cIn);
    const cOut = get(kw, "features", get(kw, "out_features", null));
    if (cOut === null) throw inverseError(api, "features", "the layer's output features are required");
    const kernel = t.kernelSize(kw, "kernel_size");
    const stride = perDim(api, "strides", or(get(kw, "strides", null), 1), t.dims);
    const dilation = perDim(api, "kernel_dilation", or(get(kw, "kernel_dilation", null), 1), t.dims);
    const padding = get(kw, "padding", "SAME");
    const rest = { in_channels: cIn, out_channels: cOut, bias: get(kw, "use_bias", true) };
    if (op === "conv_transpose") return laxTransposeLayer(api, t, kernel, stride, dilation, padding, rest, tables);
    return layer(op, kernel, stride, dilation, laxMode(api, "padding", padding, tables) || pairList(api, "padding", padding, t.dims),
      { ...rest, groups, input_shape: t.input_shape });
  }

  // onnxlike.onnx_inverse: ConvTranspose with output_shape alone splits the larger half first
  function onnxInverse(call, x, w, tables) {
    const kw = call.kwargs, api = call.api;
    const op = api.endsWith("ConvTranspose") ? "conv_transpose" : "conv";
    const t = tensorsOf(call, x, w);
    const dims = t.dims;
    const groups = get(kw, "group", 1);
    const [cIn, cOut] = t.channels(op, groups);
    const kernel = t.kernelSize(kw, "kernel_shape");
    const stride = perDim(api, "strides", get(kw, "strides", 1), dims);
    const dilation = perDim(api, "dilations", get(kw, "dilations", 1), dims);
    const modes = tables.modes.onnx;
    const autoPad = get(kw, "auto_pad", "NOTSET");
    if (!(autoPad === "NOTSET" || (typeof autoPad === "string" && has(modes, autoPad)))) {
      throw inverseError(api, "auto_pad", `${pyRepr(autoPad)} is not NOTSET, SAME_UPPER, SAME_LOWER or VALID`);
    }
    const rest = { in_channels: cIn, out_channels: cOut, groups, input_shape: t.input_shape };
    const pads = get(kw, "pads", null);
    const pairs = pads !== null ? pairsFromFlat(api, "pads", pads, dims, "begins_ends") : Array.from({ length: dims }, () => [0, 0]);
    if (op === "conv") return layer(op, kernel, stride, dilation, autoPad === "NOTSET" ? pairs : modes[autoPad], rest);
    const outputPadding = perDim(api, "output_padding", get(kw, "output_padding", 0), dims);
    let outputShape = get(kw, "output_shape", null);
    if (outputShape !== null) outputShape = perDim(api, "output_shape", Array.isArray(outputShape) ? outputShape.slice(-dims) : outputShape, dims);
    if (autoPad !== "NOTSET") {
      return layer(op, kernel, stride, dilation, modes[autoPad], { ...rest, output_padding: outputPadding, output_shape: outputShape });
    }
    if (outputShape === null) return layer(op, kernel, stride, dilation, pairs, { ...rest, output_padding: outputPadding });
    if (pads !== null) return layer(op, kernel, stride, dilation, pairs, { ...rest, output_padding: outputPadding, output_shape: outputShape });
    if (!t.input_shape) throw inverseError(api, "output_shape", "the window depends on the input length: give --input-shape");
    const lengths = t.input_shape.slice(2);
    const wins = lengths.map((n, i) => {  // output_shape alone: the spec's split, the larger half first
      const total = fullLength(n, kernel[i], stride[i], dilation[i]) + outputPadding[i] - outputShape[i];
      return [total - floorDiv(total, 2), outputShape[i]];
    });
    return explicitLayerFromWindows(op, kernel, stride, dilation, lengths, wins, rest);
  }

  // by the function's name in conformance/port/inverse/ (the export pairs each with its pattern)
  const INVERSES = {
    torch_inverse: torchInverse, mxnet_inverse: mxnetInverse, paddle_inverse: paddleInverse, tf_inverse: tfInverse,
    keras_inverse: kerasInverse, lax_inverse: laxInverse, flax_inverse: flaxInverse, onnx_inverse: onnxInverse,
  };

  function canonicalFromNative(call, x, w, tables) {
    const found = tables.inverses.find((inv) => new RegExp(inv.pattern).test(call.api));
    const inverse = found && INVERSES[found.function];
    if (!found) throw inverseError(call.api, "api", "no inverse knows this API");
    if (!inverse) throw new PortError(`${call.api}: this page does not restate ${found.function}; \`conformance port\` reads it`);
    return inverse(call, x, w, tables);
  }

  // sources._documented_lengths: lax.conv_transpose's (and Flax's) 'VALID' is (L-1)s + max(e, s) long
  function documentedLengths(family, l) {
    if (!(["jax.lax.conv_transpose", "flax.linen.ConvTranspose"].includes(family) && l.padding === "valid" && l.output_shape === null)) return l;
    if (l.stride.every((s, i) => s <= effective(l.kernel[i], l.dilation[i]))) return l;
    if (!l.input_shape) throw new PortError(`${family}: padding 'VALID' with a stride above the kernel pads to L*s: give --input-shape`);
    return { ...l, output_shape: l.input_shape.slice(2).map((n, i) => Math.max(fullLength(n, l.kernel[i], l.stride[i], l.dilation[i]), n * l.stride[i])) };
  }


  // -- the canonical normal form (conformance/adapters/canonical.py, layer.py) --------------
  const effective = (k, d) => d * (k - 1) + 1;
  const fullLength = (n, k, s, d) => (n - 1) * s + effective(k, d);
  const floorDiv = (a, b) => Math.floor(a / b);

  function windows(layer) {
    const out = [];
    for (let i = 0; i < layer.kernel.length; i++) {
      const n = layer.input_shape[2 + i], k = layer.kernel[i], s = layer.stride[i], d = layer.dilation[i];
      const p = typeof layer.padding === "string" ? layer.padding : layer.padding[i];
      if (layer.op === "conv_transpose") {
        const full = fullLength(n, k, s, d);
        const shape = layer.output_shape ? layer.output_shape[i] : null;
        let o;
        if (typeof p === "string") o = shape !== null ? shape : (p === "same" || p === "same_lower" ? n * s : full + layer.output_padding[i]);
        else o = shape !== null ? shape : full - p[0] - p[1] + layer.output_padding[i];
        if (typeof p !== "string") { out.push([p[0], o]); continue; }
        const total = Math.max(full - o, 0);
        out.push([{ valid: 0, same: floorDiv(total, 2), same_lower: total - floorDiv(total, 2) }[p], o]);
      } else if (typeof p !== "string") {
        out.push([p[0], p[1]]);
      } else {
        const o = -floorDiv(-n, s);
        const total = p === "valid" ? 0 : Math.max((o - 1) * s + effective(k, d) - n, 0);
        out.push(p === "same" ? [floorDiv(total, 2), total - floorDiv(total, 2)] : [total - floorDiv(total, 2), floorDiv(total, 2)]);
      }
    }
    return out;
  }

  function checkGroups(layer) {
    const checks = [["kernel_size", layer.kernel], ["stride", layer.stride], ["dilation", layer.dilation],
      ["groups", [layer.groups]], ["in_channels", [layer.in_channels]], ["out_channels", [layer.out_channels]]];
    for (const [name, values] of checks) {
      for (const v of values) {
        if (v !== null && (!isInt(v) || v < 1)) throw new PortError(`${name}=${pyRepr(v)}: expected a positive whole number`);
      }
    }
    for (const name of ["in_channels", "out_channels"]) {
      const v = layer[name];
      if (v !== null && isInt(layer.groups) && layer.groups >= 1 && v % layer.groups) {
        throw new PortError(`${name}=${v} does not divide by groups=${layer.groups}: channels must split into equal groups`);
      }
    }
  }

  function parseShape(text, flag) {
    if (text === null || text === undefined || text === "") return null;
    const parts = String(text).split(",");
    const shape = parts.every((p) => /^\s*[+-]?\d+\s*$/.test(p)) ? parts.map((p) => parseInt(p, 10)) : [];
    if (!shape.length || shape.some((v) => v < 1)) {
      throw new PortError(`${flag} ${pyStr(String(text))}: expected positive sizes separated by commas, e.g. 1,16,16,32`);
    }
    return shape;
  }

  // -- the source's reading: porting.port's "source" object --------------------------------
  // weightShapeText (--weight-shape): the weight's shape when the call passes it as a name (functions, ONNX nodes)
  function readSource(text, inputShapeText, tables, weightShapeText = null) {
    const inputShape = parseShape(inputShapeText, "--input-shape");
    const weightShape = parseShape(weightShapeText, "--weight-shape");
    const parsed = parseCall(text, tables);
    let found = null;
    for (const source of tables.sources) {
      const m = new RegExp(source.pattern).exec(parsed.api);
      if (m) { found = { source, match: m.groups || {} }; break; }
    }
    if (!found) throw new PortError(`unknown API ${pyStr(parsed.api)}; accepted: ${tables.accepted_apis}`);
    const { bound, notes } = bind(found.source, parsed.api, parsed.args, parsed.kwargs, tables.neutral);
    for (const [name, value] of bound) {
      if (value && value.tensor !== undefined && !tables.tensor_params.includes(name)) {
        throw new PortError(`${parsed.api}: argument ${name}=${pyStr(value.tensor)} is a name; give its literal value`);
      }
    }
    const reader = READERS[found.source.reader];
    if (!reader) throw new PortError(`${parsed.api}: this page does not restate sources.${found.source.reader}; \`conformance port\` reads it`);
    const tensors = [...bound.values()].filter((v) => v && v.tensor !== undefined);
    const x = inputShape || (tensors.length ? tensors[0].shape : null);
    const w = weightShape || (tensors.length > 1 ? tensors[1].shape : null);
    const read = reader(parsed.api, found.match, bound, x, w, tables);
    if (x && x.length !== read.input_layout.length) {
      throw new PortError(`--input-shape ${x.join(",")}: ${read.family} takes a ${read.input_layout.length}-d input (${read.input_layout})`);
    }
    if (w && w.length !== read.kernel_layout.length) {
      throw new PortError(`--weight-shape ${w.join(",")}: ${read.family}'s weight is ${read.kernel_layout.length}-d (${read.kernel_layout})`);
    }
    const call = { api: read.family, kwargs: read.kwargs, input_layout: read.input_layout, kernel_layout: read.kernel_layout };
    let layer = documentedLengths(read.family, canonicalFromNative(call, x, w, tables));
    if (read.family === "ConvTranspose" || read.family === "Conv") {  // an ONNX node has a bias when it has a third input
      const inputs = bound.get("inputs");
      layer = { ...layer, bias: Array.isArray(inputs) && inputs.length >= 3 };
    }
    if (layer.in_channels === null || layer.out_channels === null) {
      const inFlag = layer.in_channels === null;
      throw new PortError(`${parsed.api} infers its ${inFlag ? "input channels" : "output channels"} from its tensors: give ${inFlag ? "--input-shape" : "--weight-shape"} (in the source's layout, ${inFlag ? read.input_layout : read.kernel_layout})`);
    }
    checkGroups(layer);
    const assumed = layer.input_shape === null;
    if (assumed) layer = { ...layer, input_shape: [1, layer.in_channels, ...Array(layer.kernel.length).fill(EXAMPLE_LENGTH)] };
    return {
      api: read.family,
      call: text,
      canonical: {
        op: layer.op, in_channels: layer.in_channels, out_channels: layer.out_channels, kernel: layer.kernel,
        stride: layer.stride, dilation: layer.dilation, padding: layer.padding, output_padding: layer.output_padding,
        output_shape: layer.output_shape, groups: layer.groups, bias: layer.bias, input_shape: layer.input_shape,
        windows: windows(layer), input_shape_assumed: assumed,
      },
      adapter: read.adapter,
      notes,
      layouts: { input: read.input_layout, kernel: read.kernel_layout, flipped: read.flipped },
    };
  }

  const api = { PortError, readSource, parseCall, parseShape, pyRepr };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PortSource = api;
})(typeof window !== "undefined" ? window : globalThis);
