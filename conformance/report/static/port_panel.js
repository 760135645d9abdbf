/* The "find my layer" panel: the form's call -> PortTargets.port (the same answer as
 * `conformance port`, computed here) -> a table, every value written with textContent. */
(function () {
  'use strict';

  function byId(id) { return document.getElementById(id); }

  function cell(row, text, tag) {
    var node = document.createElement(tag || 'td');
    if (text !== null && text !== undefined) {
      var code = document.createElement(text.indexOf('\n') >= 0 ? 'pre' : 'code');
      code.textContent = text;
      node.appendChild(code);
    }
    row.appendChild(node);
    return node;
  }

  function render(result) {
    var out = byId('port-out');
    out.textContent = '';
    var c = result.source.canonical;
    var summary = document.createElement('p');
    summary.className = 'port-source';
    summary.textContent = result.source.api + ': ' + c.op + ' ' + c.in_channels + '->' + c.out_channels + ' channels, kernel ' +
      JSON.stringify(c.kernel) + ', stride ' + JSON.stringify(c.stride) + ', dilation ' + JSON.stringify(c.dilation) +
      ', padding ' + JSON.stringify(c.padding) + ', output_padding ' + JSON.stringify(c.output_padding) + ', groups ' + c.groups +
      ', bias ' + c.bias + '; input ' + JSON.stringify(c.input_shape) +
      (c.input_shape_assumed ? ' (an example input, not yours: give the input shape)' : '') + '; per dim ' + JSON.stringify(c.windows) +
      (result.source.notes.length ? '. ' + result.source.notes.join('; ') : '');
    out.appendChild(summary);
    var table = document.createElement('table');
    table.className = 'port-table';
    var head = table.createTHead().insertRow();
    ['target', 'verdict', 'call', 'weights', 'input', 'output', 'reason'].forEach(function (name) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    result.targets.forEach(function (t) {
      var row = body.insertRow();
      row.className = 'port-' + t.verdict.replace(/ /g, '-');
      cell(row, t.adapter, 'th').scope = 'row';
      var verdict = document.createElement('td');
      verdict.textContent = t.verdict;
      row.appendChild(verdict);
      [t.call, t.weights, t.input, t.output].forEach(function (text) { cell(row, text); });
      var reason = document.createElement('td');
      reason.textContent = t.reason || '';
      row.appendChild(reason);
    });
    out.appendChild(table);
  }

  // PortTargets.port with the weight's shape (--weight-shape): an ONNX node or a tf.nn call names its
  // weight, so its channels (and kernel) come only from that shape.
  function port(text, shapeText, weightText, tables) {
    var source = window.PortSource.readSource(text, shapeText, tables, weightText);
    var c = source.canonical;
    var layer = { op: c.op, kernel: c.kernel, stride: c.stride, dilation: c.dilation, padding: c.padding,
      in_channels: c.in_channels, out_channels: c.out_channels, output_padding: c.output_padding,
      output_shape: c.output_shape, groups: c.groups, bias: c.bias, input_shape: c.input_shape };
    var targets = tables.targets[c.op].filter(function (t) { return t.adapter !== source.adapter; })
      .map(function (t) { return window.PortTargets.answer(source, layer, t, tables); });
    return { source: source, targets: targets };
  }

  function run(tables) {
    var error = byId('port-error');
    error.hidden = true;
    try {
      render(port(byId('port-call').value, byId('port-shape').value.trim() || null,
        byId('port-weight').value.trim() || null, tables));
    } catch (err) {
      if (!(err instanceof window.PortSource.PortError)) throw err;
      byId('port-out').textContent = '';
      error.textContent = 'conformance port: ' + err.message;
      error.hidden = false;
    }
  }

  function init() {
    var form = byId('port-form');
    var tables = window.PortTables;
    if (!form || !tables) return;
    byId('port-api').addEventListener('change', function (event) {
      var option = event.target.selectedOptions[0];
      byId('port-call').value = option.getAttribute('data-call');
      byId('port-shape').value = option.getAttribute('data-shape');
      byId('port-weight').value = option.getAttribute('data-weight') || '';
      run(tables);
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      run(tables);
    });
    run(tables);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
