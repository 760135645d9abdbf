// The "find my layer" panel's reading of a pasted call: the same steps as conformance.port's
// parse -> Signature.bind -> reader -> inverse -> Layer, over the signature tables the report
// embeds (conformance/port/export.py). Bad input raises PortError with the CLI's one line.
// Runs in the page and under node (module.exports), so tests compare it with the CLI.
(function (root) {
  "use strict";

  class PortError extends Error {}
  const TENSOR_PARAMS = new Set(["input", "weight", "bias", "filters", "lhs", "rhs", "data", "inputs"]);
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
    if (v.tensor !== undefined) return pyStr(v.tensor);
    return String(v);
  }

  // -- parse: a tokenizer and a recursive reader for the literal subset parse.py accepts --------
  const TOKEN = /\s*(?:(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|([bBrRuU]?)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\*\*|[-+*()[\],=.:{}]))/y;

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
    return {
      api,
      args: args.map((node, n) => value(node, `${api} argument ${n + 1}`)),
      kwargs: keywords.map(([k, node]) => [k, value(node, `${api} argument ${k}`)]),
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
  function bind(signature, api, args, kwargs, neutral) {
    const params = signature.params;
    if (args.length > params.length) {
      throw new PortError(`${api} takes at most ${params.length} positional arguments (${params.join(", ")}), got ${args.length}`);
    }
    const bound = new Map(args.map((v, n) => [params[n], v]));
    const notes = [];
    for (let [name, value] of kwargs) {
      name = signature.aliases[name] || name;
      if (bound.has(name)) throw new PortError(`${api}: argument ${pyStr(name)} given twice (by position and by name)`);
      if (params.includes(name) || signature.takes_attributes) bound.set(name, value);
      else if (neutral.includes(name)) notes.push(`${name}=${pyRepr(value)} does not change the convolution`);
      else throw new PortError(`${api} does not take argument ${pyStr(name)}; it takes: ${params.join(", ")}`);
    }
    for (const name of params) {
      if (!bound.has(name)) {
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

  // -- readers (sources.py) and inverses (inverse/torchlike.py) the page knows ----------------
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
    throw new PortError(`${api}: argument ${name}: expected ${what}`);
  }

  function torchReader(api, match, b, functional) {
    const dims = Number(match.d);
    const transposed = api.toLowerCase().includes("transpose");
    const sp = SPATIAL[dims];
    let family, kwargs, adapter;
    if (functional) {
      family = `torch.nn.functional.conv${transposed ? "_transpose" : ""}${dims}d`;
      kwargs = { stride: b.get("stride"), padding: b.get("padding"), dilation: b.get("dilation"), groups: b.get("groups") };
      kwargs.bias = b.get("bias") !== null;
      adapter = transposed ? "torch.nn.functional.conv_transpose" : "torch.nn.functional.conv";
    } else {
      if (b.get("padding_mode") !== "zeros") {
        throw new PortError(`${api}: argument padding_mode=${pyRepr(b.get("padding_mode"))}: only 'zeros' is a plain convolution`);
      }
      family = `torch.nn.Conv${transposed ? "Transpose" : ""}${dims}d`;
      kwargs = {};
      for (const k of ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"]) kwargs[k] = b.get(k);
      adapter = transposed ? "torch.nn.ConvTranspose" : "torch.nn.Conv";
    }
    if (transposed) kwargs.output_padding = b.get("output_padding");
    return { family, kwargs, input_layout: "NC" + sp, kernel_layout: (transposed ? "IO" : "OI") + sp, flipped: false, adapter };
  }

  function dataFormat(api, value, dims) {
    const sp = SPATIAL[dims];
    if (value === null) return "N" + sp + "C";
    const text = typeof value === "string" ? value : pyRepr(value);
    if (text === "channels_last" || (text.startsWith("N") && text.endsWith("C"))) return "N" + sp + "C";
    if (text === "channels_first" || text.startsWith("NC")) return "NC" + sp;
    throw new PortError(`${api}: argument data_format/layout ${pyRepr(value)} is not channels first or channels last`);
  }

  function kerasReader(api, m, b) {
    const dims = Number(m.d);
    const transposed = api.toLowerCase().includes("transpose");
    const prefix = api.startsWith("tf_keras") ? "tf_keras" : "keras";
    const filters = b.get("filters");
    if (!isInt(filters)) {
      throw new PortError(`${api}: argument filters=${filters && filters.tensor !== undefined ? pyStr(filters.tensor) : pyRepr(filters)}: give the number of output channels`);
    }
    const kwargs = {};
    for (const k of ["filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias"]) kwargs[k] = b.get(k);
    if (transposed) kwargs.output_padding = b.get("output_padding");
    else kwargs.groups = b.get("groups");
    return {
      family: `${prefix}.layers.Conv${dims}D${transposed ? "Transpose" : ""}`, kwargs, input_layout: dataFormat(api, b.get("data_format"), dims),
      kernel_layout: SPATIAL[dims] + (transposed ? "OI" : "IO"), flipped: false,
      adapter: `${prefix}.layers.${transposed ? "ConvTranspose" : "Conv"}`,
    };
  }

  const READERS = {
    torch_module: (api, m, b) => torchReader(api, m, b, false),
    torch_functional: (api, m, b) => torchReader(api, m, b, true),
    keras_layer: kerasReader,
  };

  function readInput(layout, shape) {
    if (!shape) return null;
    const dims = [...layout].filter((c) => "DHW".includes(c)).length;
    return [..."NC" + SPATIAL[dims]].map((c) => shape[layout.indexOf(c)]);
  }

  function readKernel(layout, shape) {
    if (!shape) return null;
    const dims = [...layout].filter((c) => "DHW".includes(c)).length;
    return { i: shape[layout.indexOf("I")], o: shape[layout.indexOf("O")], k: [...SPATIAL[dims]].map((c) => shape[layout.indexOf(c)]) };
  }

  // torch_inverse: the call's keywords -> the canonical layer
  function torchInverse(call, x, w) {
    const kw = call.kwargs;
    const api = call.family;
    const op = api.includes("ranspose") ? "conv_transpose" : "conv";
    const dims = [...call.input_layout].filter((c) => "DHW".includes(c)).length;
    const inputShape = readInput(call.input_layout, x);
    const kernel = readKernel(call.kernel_layout, w);
    const groups = kw.groups === undefined ? 1 : kw.groups;
    let cIn = null, cOut = null;
    if (kernel) [cIn, cOut] = op === "conv" ? [kernel.i * groups, kernel.o] : [kernel.i, kernel.o * groups];
    if (cIn === null && inputShape) cIn = inputShape[1];
    if (kw.in_channels !== undefined) cIn = kw.in_channels;
    if (kw.out_channels !== undefined) cOut = kw.out_channels;
    let kernelSize;
    if (kw.kernel_size !== undefined && kw.kernel_size !== null) kernelSize = perDim(api, "kernel_size", kw.kernel_size, dims);
    else if (kernel) kernelSize = kernel.k;
    else throw new PortError(`${api}: argument kernel_size: the kernel size is needed: give the weight's shape`);
    const padding = kw.padding === undefined ? 0 : kw.padding;
    let mode = null;
    if (op === "conv" && typeof padding === "string") {
      mode = padding.toLowerCase();
      if (mode !== "same" && mode !== "valid") {
        throw new PortError(`${api}: argument padding: ${pyRepr(padding)} is not one of 'same', 'valid'`);
      }
    }
    const stride = perDim(api, "stride", kw.stride === undefined ? 1 : kw.stride, dims);
    const dilation = perDim(api, "dilation", kw.dilation === undefined ? 1 : kw.dilation, dims);
    const pads = mode || perDim(api, "padding", padding, dims).map((p) => [p, p]);
    const outputPadding = op !== "conv" ? perDim(api, "output_padding", kw.output_padding === undefined ? 0 : kw.output_padding, dims) : Array(dims).fill(0);
    const bias = kw.bias === undefined ? true : (kw.bias !== false && kw.bias !== null);
    return {
      op, kernel: kernelSize, stride, dilation, padding: pads, in_channels: cIn, out_channels: cOut,
      output_padding: outputPadding, output_shape: null, groups, bias: !!bias, input_shape: inputShape,
    };
  }

  // keras_inverse (inverse/tflike.py): Keras' own output lengths read back as output_shape
  function kerasInverse(call, x, w) {
    const kw = call.kwargs;
    const api = call.family;
    const op = api.includes("Transpose") ? "conv_transpose" : "conv";
    const dims = [...call.input_layout].filter((c) => "DHW".includes(c)).length;
    const inputShape = readInput(call.input_layout, x);
    const kernel = readKernel(call.kernel_layout, w);
    let padding = kw.padding === undefined ? "valid" : kw.padding;
    if (typeof padding !== "string" || !["same", "valid", "causal"].includes(padding.toLowerCase())) {
      throw new PortError(`${api}: argument padding: Keras padding is 'valid' or 'same', got ${pyRepr(padding)}`);
    }
    padding = padding.toLowerCase();
    if (padding === "causal") throw new PortError(`${api}: argument padding: 'causal' (Conv1D's left-only padding) is no canonical mode`);
    const groups = kw.groups === undefined ? 1 : kw.groups;
    let cIn = null;
    if (kernel) cIn = op === "conv" ? kernel.i * groups : kernel.i;
    if (cIn === null && inputShape) cIn = inputShape[1];
    let kernelSize;
    if (kw.kernel_size !== undefined && kw.kernel_size !== null) kernelSize = perDim(api, "kernel_size", kw.kernel_size, dims);
    else if (kernel) kernelSize = kernel.k;
    else throw new PortError(`${api}: argument kernel_size: the kernel size is needed: give the weight's shape`);
    const stride = perDim(api, "strides", kw.strides === undefined ? 1 : kw.strides, dims);
    const dilation = perDim(api, "dilation_rate", kw.dilation_rate === undefined ? 1 : kw.dilation_rate, dims);
    const useBias = kw.use_bias === undefined ? true : kw.use_bias;
    const layer = { op, kernel: kernelSize, stride, dilation, padding, in_channels: cIn, out_channels: kw.filters,
      output_padding: Array(dims).fill(0), output_shape: null, groups, bias: !!useBias && useBias !== 0, input_shape: inputShape };
    if (op === "conv") return layer;
    const lengths = (extra) => {
      if (!inputShape) throw new PortError(`${api}: argument output_padding: Keras' output length depends on the input length: give --input-shape`);
      return kernelSize.map((k, i) => {
        const n = inputShape[2 + i], s = stride[i], e = dilation[i] * (k - 1) + 1;
        if (extra === null) return padding === "same" ? n * s : Math.max((n - 1) * s + e, n * s);
        return (padding === "valid" ? (n - 1) * s + e : (n - 1) * s + (e % 2)) + extra[i];
      });
    };
    const outputPadding = kw.output_padding === undefined ? null : kw.output_padding;
    if (outputPadding === null) {
      if (padding === "same" || stride.every((s, i) => s <= dilation[i] * (kernelSize[i] - 1) + 1)) return layer;
      return { ...layer, output_shape: lengths(null) };
    }
    return { ...layer, output_shape: lengths(perDim(api, "output_padding", outputPadding, dims)) };
  }

  const INVERSES = { torch_module: torchInverse, torch_functional: torchInverse, keras_layer: kerasInverse };

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
  function readSource(text, inputShapeText, tables) {
    const inputShape = parseShape(inputShapeText, "--input-shape");
    const parsed = parseCall(text, tables);
    let found = null;
    for (const source of tables.sources) {
      const m = new RegExp(source.pattern).exec(parsed.api);
      if (m) { found = { source, match: m.groups || {} }; break; }
    }
    if (!found) throw new PortError(`unknown API ${pyStr(parsed.api)}; accepted: ${tables.accepted_apis}`);
    const { bound, notes } = bind(found.source, parsed.api, parsed.args, parsed.kwargs, tables.neutral);
    for (const [name, value] of bound) {
      if (value && value.tensor !== undefined && !TENSOR_PARAMS.has(name)) {
        throw new PortError(`${parsed.api}: argument ${name}=${pyStr(value.tensor)} is a name; give its literal value`);
      }
    }
    const reader = READERS[found.source.reader];
    if (!reader) {
      throw new PortError(`${parsed.api}: this page reads torch's calls only so far; \`conformance port\` reads every API`);
    }
    const tensors = [...bound.values()].filter((v) => v && v.tensor !== undefined);
    const x = inputShape || (tensors.length ? tensors[0].shape : null);
    const w = tensors.length > 1 ? tensors[1].shape : null;
    const read = reader(parsed.api, found.match, bound);
    if (x && x.length !== read.input_layout.length) {
      throw new PortError(`--input-shape ${x.join(",")}: ${read.family} takes a ${read.input_layout.length}-d input (${read.input_layout})`);
    }
    if (w && w.length !== read.kernel_layout.length) {
      throw new PortError(`--weight-shape ${w.join(",")}: ${read.family}'s weight is ${read.kernel_layout.length}-d (${read.kernel_layout})`);
    }
    let layer = INVERSES[found.source.reader](read, x, w);
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
