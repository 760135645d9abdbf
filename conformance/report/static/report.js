/* The report page's behaviour: matrix filters and the details panel.
 * Inlined into the page; the CSP allows it by its hash. Data from results files is only
 * ever written with textContent, never parsed as HTML. The details JSON is parsed once the
 * page is idle after its matrix is wired up (or on the first click, if that comes first),
 * so a large report opens as fast as its matrix renders. */
(function () {
  'use strict';

  var CODE_STATUS = { P: 'PASS', F: 'FAIL', E: 'ERROR', U: 'UNSUPPORTED', C: 'CRASH', T: 'TIMEOUT', H: 'HARNESS', X: 'CONFLICT' };
  var PROBLEM_CODES = 'FECTX';  // any of these makes a row a disagreement
  var ABSENT_CODES = '-.';      // n/a and not run: the adapter does not take part in the row
  var DIVERGING = [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]];

  var table = null;
  var rows = [];          // every case row, in the matrix's order (collectRows)
  var dataPromise = null;
  var openToken = 0;
  var selected = null;    // the cell whose details are open (a cellRef)
  var state = { statuses: {}, hiddenAdapters: {}, tag: '', terms: [], disagreements: false,
                op: '', ignoreUnsupported: false, unexpectedOnly: false, kind: '' };
  var adapterOps = [];
  var KIND_LETTERS = [];  // from the finding-kind filter's radios: 'b', 'c', 'l'  // per adapter column: ' conv conv_transpose ' (the ops it ran)

  function byId(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* The details JSON, parsed once, on first use: plain JSON, or (for a large report) a
   * zlib stream in base64 that the browser inflates. */
  function reportData() {
    if (!dataPromise) dataPromise = loadData();
    return dataPromise;
  }

  function loadData() {
    var node = byId('report-data');
    var encoding = node.getAttribute('data-encoding');
    if (encoding !== 'deflate-base85' && encoding !== 'deflate-base85-f64') {
      return Promise.resolve().then(function () { return JSON.parse(node.textContent); });
    }
    if (typeof DecompressionStream === 'undefined') {
      return Promise.reject(new Error('This browser cannot unpack the details of a large report ' +
        '(it has no DecompressionStream: use Chrome 80, Firefox 113, Safari 16.4 or newer).'));
    }
    var bytes = base85(node.textContent.trim());
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var all = new Uint8Array(buffer);
      if (encoding === 'deflate-base85') return JSON.parse(new TextDecoder().decode(all));
      // 4 bytes of JSON length, the JSON, then the float lines' values (safejson.embed_json)
      var size = new DataView(buffer).getUint32(0);
      var d = JSON.parse(new TextDecoder().decode(all.subarray(4, 4 + size)));
      d.floats = fromPlanes(all.subarray(4 + size));
      return d;
    });
  }

  /* float64 values from their 8 byte planes (float_lines.py: byte p of value i at p * n + i).
   * Little-endian, as every browser's Float64Array is. */
  function fromPlanes(planes) {
    var n = planes.length / 8;
    var bytes = new Uint8Array(planes.length);
    for (var p = 0; p < 8; p++) {
      for (var i = 0, at = p * n; i < n; i++) bytes[i * 8 + p] = planes[at + i];
    }
    return new Float64Array(bytes.buffer);
  }

  /* String i of the details data: text, or a repro line of float literals stored as its name,
   * shape and values (float_lines.py), printed here as Python printed it and kept. */
  function stringAt(d, i) {
    var entry = d.strings[i];
    if (typeof entry === 'string' || entry === undefined || entry === null) return entry;
    if (!d.floatOffsets) {
      d.floatOffsets = [];
      for (var j = 0, offset = 0; j < d.strings.length; j++) {
        var s = d.strings[j];
        if (s && typeof s === 'object') { d.floatOffsets[j] = offset; offset += s.s.reduce(function (a, b) { return a * b; }, 1); }
      }
    }
    var text = floatLine(entry.f, entry.s, d.floats, d.floatOffsets[i]);
    d.strings[i] = text;
    return text;
  }

  /* float_lines.line_text: name = np.array(<nested list>, dtype=np.float64).reshape(<shape>). */
  function floatLine(name, shape, floats, offset) {
    var at = offset;
    function list(dim) {
      var parts = [];
      for (var i = 0; i < shape[dim]; i++) parts.push(dim === shape.length - 1 ? pyFloat(floats[at++]) : list(dim + 1));
      return '[' + parts.join(', ') + ']';
    }
    var body = list(0);
    return name + ' = np.array(' + body + ', dtype=np.float64).reshape((' + shape.join(', ') +
      (shape.length === 1 ? ',' : '') + '))';
  }

  /* Python's repr of a float: the shortest digits that read back as x (toExponential()
   * gives those), fixed-point for exponents -4 to 15, else d.ddde-05 / de+16. */
  function pyFloat(x) {
    if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
    if (x !== x) return 'nan';
    if (!isFinite(x)) return x > 0 ? 'inf' : '-inf';
    var text = x.toExponential();
    var e = text.indexOf('e');
    var exp = Number(text.slice(e + 1));
    var mantissa = text.slice(0, e);
    var sign = '';
    if (mantissa.charAt(0) === '-') { sign = '-'; mantissa = mantissa.slice(1); }
    var digits = mantissa.replace('.', '');
    if (exp < -4 || exp >= 16) {
      var abs = Math.abs(exp);
      return sign + (digits.length > 1 ? digits.charAt(0) + '.' + digits.slice(1) : digits) +
        'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
    }
    if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
    if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length) + '.0';
    return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }

  /* "<byte length> <characters>": 5 characters of BASE85 (printable ASCII without
   * ! " & ' - / < > \) per 4 bytes, big-endian, padded to whole groups
   * (conformance/report/safejson.py). */
  var BASE85 = '#$%()*+,.0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~';

  function base85(text) {
    var space = text.indexOf(' ');
    var length = Number(text.slice(0, space));
    var digits = new Uint8Array(128);
    for (var a = 0; a < BASE85.length; a++) digits[BASE85.charCodeAt(a)] = a;
    var bytes = new Uint8Array(Math.ceil(length / 4) * 4);
    var out = 0;
    for (var i = space + 1; i + 5 <= text.length; i += 5) {
      var value = digits[text.charCodeAt(i)] * 52200625 + digits[text.charCodeAt(i + 1)] * 614125 +
        digits[text.charCodeAt(i + 2)] * 7225 + digits[text.charCodeAt(i + 3)] * 85 + digits[text.charCodeAt(i + 4)];
      bytes[out++] = value >>> 24;
      bytes[out++] = (value >>> 16) & 255;
      bytes[out++] = (value >>> 8) & 255;
      bytes[out++] = value & 255;
    }
    return bytes.subarray(0, length);
  }

  /* A result's details as the results file wrote them: the data stores each repeated
   * string once, in d.strings, and a result its index (conformance/report/compact.py). */
  function expandResult(result, d) {
    function expand(entry, fields) {
      var out = {};
      Object.keys(entry).forEach(function (key) { out[key] = entry[key]; });
      fields.forEach(function (field) { if (typeof out[field] === 'number') out[field] = stringAt(d, out[field]); });
      return out;
    }
    var out = expand(result, ['message', 'expectation_reason', 'expectation_link', 'expectation_where',
                              'expected_message', 'unsupported_reason']);
    if (out.expectation_links) {
      out.expectation_links = expand(out.expectation_links, Object.keys(out.expectation_links));
    }
    if (out.native) out.native = expand(out.native, ['api', 'text', 'note', 'input_layout', 'kernel_layout']);
    if (out.details) {
      out.details = expand(out.details, ['traceback', 'doc', 'repro_error']);
      if (Array.isArray(out.details.repro)) {
        out.details.repro = out.details.repro.map(function (i) { return stringAt(d, i); }).join('\n');
      }
    }
    if (out.diagnosis && d.diagnoses) out.diagnosis_text = d.diagnoses[out.diagnosis];
    if (out.pass_repro) passRepro(out, d);
    return out;
  }

  /* A repro built by the report for a cell whose results file has none (a PASS): the case's
   * script with the adapter's parts as markers, filled from the cell's own parts
   * (conformance/report/pass_repro.py). */
  function passRepro(out, d) {
    var parts = out.pass_repro;
    if (parts.why) { out.repro_note = parts.why; return; }
    if (parts.cmd !== undefined) { out.repro_command = stringAt(d, parts.cmd); out.repro_elements = parts.n; return; }
    var template = (d.cases[out.c].repro || {})[parts.t || 'values'];
    var adapter = d.adapters[out.a];
    if (!template || !adapter.repro) return;
    var fill = {
      '\u0001A\u0001': adapter.name,
      '\u0001CALL\u0001': stringAt(d, parts.call),
      '\u0001FW\u0001': stringAt(d, adapter.repro.framework),
      '\u0001INSTALL\u0001': stringAt(d, adapter.repro.install),
      '\u0001SRC\u0001': parts.src.map(function (i) { return stringAt(d, i); }).join('\n')
    };
    var text = template.map(function (i) { return stringAt(d, i); }).join('\n');
    Object.keys(fill).forEach(function (mark) { text = text.split(mark).join(fill[mark]); });
    out.details = out.details || {};
    out.details.repro = text;
    out.repro_built = true;
  }

  // ---- the matrix: rows from data, drawn a window at a time ---------------------------
  // The rows are data (the matrix-rows block, conformance/report/html.py matrix_rows). The
  // table holds only the lines in view and a margin, between two spacer rows that keep the
  // scroll height: with 40,000 cells in the page a filter click spent most of a second in
  // Chromium's style and layout. A filter recomputes which lines show (group headers and
  // case rows, `lines`) and redraws the window; scrolling draws the lines that come in.

  var STATUS_OF = {};     // status code -> status word ('-' n/a, '.' not run)
  var LABEL_OF = {};      // status code -> the cell's text
  var groups = [];        // {index, file, tags, rows, total, shown, count}
  var lines = [];         // the shown lines in order: a group (its header row) or a case row
  var nodes = new Map();  // 'g3' / 'r17' -> its drawn tr
  var drawnFirst = 0;
  var drawnLast = -1;
  var lineHeight = 0;     // px a line, measured on the first windowed draw
  var headHeight = 0;     // px of the table's header row
  var body = null;
  var wrap = null;
  var topSpacer = null;
  var bottomSpacer = null;
  var adapterCount = 0;
  var DRAW_ALL = 300;     // a matrix of up to this many shown lines is drawn whole
  var MARGIN = 30;        // lines drawn above and below the view (fewer for wide tables: initWindow)

  function collectRows() {
    var data = JSON.parse(byId('matrix-rows').textContent);
    STATUS_OF = data.statuses;
    LABEL_OF = data.labels;
    data.groups.forEach(function (g) {
      var group = { index: groups.length, file: g.file, tags: g.tags, rows: [], total: g.rows.length, shown: 0, count: null };
      var tagText = ' ' + g.tags.join(' ') + ' ';
      g.rows.forEach(function (r) {
        // r: [id, description, codes, unmet, kinds, op, quantity, first result]
        var row = { index: rows.length, group: group, id: r[0], desc: r[1], codes: r[2], unmet: r[3], kinds: r[4],
                    op: r[5], quantity: r[6] || 'output', k: r[7], tags: tagText, line: -1,
                    text: [r[0], r[1] || '', g.file || ''].concat(g.tags).join(' ').toLowerCase() };
        group.rows.push(row);
        rows.push(row);
      });
      groups.push(group);
    });
  }

  /* A cell of the matrix, drawn or not: its row and its table column (1 for the first
   * adapter; 0 is the case name). The keyboard, the details and the fragment hold these. */
  function cellRef(row, column) { return { row: row, column: column }; }

  function sameCell(a, b) { return !!a && !!b && a.row === b.row && a.column === b.column; }

  function hasResult(row, column) { return ABSENT_CODES.indexOf(row.codes.charAt(column - 1)) < 0; }

  function refOf(button) {
    var td = button.closest('td');
    return cellRef(rows[Number(td.parentNode.getAttribute('data-i'))], td.cellIndex);
  }

  /* A row holds the number of its first result; its cells with a result follow in order. */
  function resultOf(ref) {
    var k = ref.row.k;
    for (var c = 1; c < ref.column; c++) if (hasResult(ref.row, c)) k++;
    return k;
  }

  function resultNumber(button) { return resultOf(refOf(button)); }

  function refFor(k) {
    var lo = 0;
    var hi = rows.length - 1;
    while (lo < hi) {  // the last row whose first result is <= k
      var mid = (lo + hi + 1) >> 1;
      if (rows[mid].k <= k) lo = mid; else hi = mid - 1;
    }
    var row = rows[lo];
    if (!row || k < row.k) return null;
    for (var c = 1, n = row.k; c <= row.codes.length; c++) {
      if (!hasResult(row, c)) continue;
      if (n === k) return cellRef(row, c);
      n++;
    }
    return null;
  }

  /* Result k's cell button, drawn (and scrolled to) if it was not. */
  function buttonFor(k) {
    var ref = refFor(k);
    if (!ref) return null;
    if (ref.row.line >= 0) revealLine(ref.row.line);
    return buttonAt(ref);
  }

  function buttonAt(ref) {
    var tr = ref && nodes.get('r' + ref.row.index);
    var td = tr && tr.cells[ref.column];
    return td ? td.querySelector('button.c') : null;
  }

  function cellClasses(row, column) {
    var status = STATUS_OF[row.codes.charAt(column - 1)];
    var classes = 'c s-' + status;
    if (row.unmet.charAt(column - 1) === 'u') classes += ' unexp';
    else if (status !== 'PASS' && status !== 'UNSUPPORTED') classes += ' known';  // listed in the expectations file
    var kind = row.kinds.charAt(column - 1);
    if (kind && kind !== '.') classes += ' k' + kind;
    return classes;
  }

  function rowNode(row) {
    var tr = el('tr', 'r');
    tr.setAttribute('data-i', row.index);
    tr.setAttribute('data-k', row.k);
    tr.setAttribute('data-s', row.codes);
    var th = el('th', 'case');
    th.scope = 'row';
    th.appendChild(el('code', 'cid', row.id));
    if (row.desc) th.appendChild(el('span', 'desc', row.desc));
    tr.appendChild(th);
    for (var c = 1; c <= row.codes.length; c++) {
      var code = row.codes.charAt(c - 1);
      var td = el('td');
      if (code === '-' || code === '.') {
        td.className = code === '-' ? 'na' : 'nr';
        td.textContent = LABEL_OF[code];
      } else {
        var button = el('button', cellClasses(row, c), LABEL_OF[code]);
        button.type = 'button';
        button.tabIndex = -1;  // the grid's one tab stop is the current cell
        td.appendChild(button);
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function groupNode(group) {
    var tr = el('tr', 'gh');
    var th = el('th');
    th.colSpan = adapterCount + 1;
    var label = el('span', 'gl');
    label.appendChild(el('code', '', group.file || '(no file)'));
    group.tags.forEach(function (tag) {
      label.appendChild(document.createTextNode(' '));
      label.appendChild(el('span', 'tag', tag));
    });
    label.appendChild(document.createTextNode(' '));
    group.count = el('span', 'n');
    group.count.setAttribute('data-n', group.total);
    label.appendChild(group.count);
    th.appendChild(label);
    tr.appendChild(th);
    return tr;
  }

  function spacer() {
    var tr = el('tr', 'spacer');
    tr.setAttribute('aria-hidden', 'true');
    var td = el('td');
    td.colSpan = adapterCount + 1;
    tr.appendChild(td);
    return tr;
  }

  /* The lines to draw: all of a small matrix; else the ones in view and a margin. */
  function wantedRange() {
    if (lines.length <= DRAW_ALL) return [0, lines.length - 1];
    if (!lineHeight) return [0, Math.min(lines.length, 2 * MARGIN) - 1];
    var top = wrap.scrollTop - headHeight;
    var first = Math.max(0, Math.floor(top / lineHeight) - MARGIN);
    var last = Math.min(lines.length - 1, Math.ceil((top + wrap.clientHeight) / lineHeight) + MARGIN);
    return [Math.min(first, Math.max(0, last - 2 * MARGIN)), last];
  }

  /* Draw the wanted lines. Rows already drawn stay in place (a focused cell keeps focus);
   * the others are made or dropped. */
  function draw() {
    var range = wantedRange();
    drawnFirst = range[0];
    drawnLast = range[1];
    var want = [];
    var keep = new Set();
    for (var i = drawnFirst; i <= drawnLast; i++) {
      var line = lines[i];
      var key = (line.rows ? 'g' : 'r') + line.index;
      var node = nodes.get(key);
      if (!node) {
        node = line.rows ? groupNode(line) : rowNode(line);
        nodes.set(key, node);
      }
      node.setAttribute('aria-rowindex', i + 2);  // the header row is 1
      if (line.rows) line.count.textContent = countText(line.shown, line.total);
      want.push(node);
      keep.add(node);
    }
    nodes.forEach(function (node, key) {
      if (!keep.has(node)) { node.remove(); nodes.delete(key); }
    });
    // What stays is already in line order: insert the new lines around it.
    var cursor = topSpacer.nextSibling;
    for (var w = 0; w < want.length; w++) {
      if (cursor === want[w]) cursor = cursor.nextSibling;
      else body.insertBefore(want[w], cursor);
    }
    if (!lineHeight && lines.length > DRAW_ALL && want.length) {
      var last = want[want.length - 1];
      headHeight = table.tHead.offsetHeight;
      lineHeight = Math.max(1, (last.offsetTop + last.offsetHeight - want[0].offsetTop) / want.length);
      draw();
      return;
    }
    setSpacer(topSpacer, drawnFirst);
    setSpacer(bottomSpacer, lines.length - 1 - drawnLast);
    var chosen = buttonAt(selected);
    if (chosen) chosen.classList.add('sel');
    var here = buttonAt(current);
    if (here) { here.tabIndex = 0; labelCell(here); } else currentInView();
  }

  function setSpacer(tr, count) {
    tr.hidden = count <= 0;
    tr.firstChild.style.height = (count > 0 ? count * lineHeight : 0) + 'px';
  }

  /* The current cell scrolled out of the drawn lines: the first cell in view takes over,
   * so the grid keeps its one tab stop. */
  function currentInView() {
    var from = lineHeight ? Math.max(drawnFirst, Math.floor((wrap.scrollTop - headHeight) / lineHeight)) : drawnFirst;
    for (var i = from; i <= drawnLast; i++) {
      var row = lines[i];
      if (row.rows) continue;
      for (var c = 1; c <= adapterCount; c++) if (usable(row, c)) { makeCurrent(cellRef(row, c)); return; }
    }
  }

  /* Make line i drawn: scroll the matrix to it (by the measured line height) and draw. */
  function revealLine(i) {
    if (i >= drawnFirst && i <= drawnLast) return;
    wrap.scrollTop = headHeight + i * lineHeight - wrap.clientHeight / 2;
    draw();
  }

  function wireWindow() {
    var pending = false;
    function check() {
      pending = false;
      if (lines.length <= DRAW_ALL || !lineHeight) return;
      var top = (wrap.scrollTop - headHeight) / lineHeight;
      var bottom = top + wrap.clientHeight / lineHeight;
      if ((drawnFirst > 0 && top - MARGIN / 2 < drawnFirst) ||
          (drawnLast < lines.length - 1 && bottom + MARGIN / 2 > drawnLast)) draw();
    }
    wrap.addEventListener('scroll', function () {
      if (!pending) { pending = true; requestAnimationFrame(check); }
    }, { passive: true });
    window.addEventListener('resize', function () { if (lineHeight) draw(); });
  }

  // ---- the matrix as a grid: one tab stop, arrow keys (WAI-ARIA data grid) -----------------

  var current = null;  // the grid's current cell (a cellRef): its button alone has tabindex 0

  var STATUS_WORDS = { PASS: 'PASS', FAIL: 'FAIL', ERROR: 'ERROR', UNSUP: 'UNSUPPORTED', CRASH: 'CRASH',
                       TIMEOUT: 'TIMEOUT', HARNESS: 'HARNESS', CONFLICT: 'CONFLICT' };

  /* "case - adapter - status": set when a cell is drawn current or gets focus, not on every
   * cell drawn. */
  function labelCell(button) {
    if (button.hasAttribute('aria-label')) return;
    var cell = cellName(refOf(button));
    var status = STATUS_WORDS[button.textContent] || button.textContent;
    var note = button.classList.contains('unexp') ? ', did not meet its expectation'
      : button.classList.contains('known') ? ', known finding' : '';
    button.setAttribute('aria-label', cell.case + ' - ' + cell.adapter + ' - ' + status + note);
  }

  function makeCurrent(ref) {
    if (!sameCell(current, ref)) {
      var old = buttonAt(current);
      if (old) old.tabIndex = -1;
      current = ref;
    }
    var button = buttonAt(ref);
    if (button) { button.tabIndex = 0; labelCell(button); }
  }

  function shownColumn(index) { return !state.hiddenAdapters[index - 1]; }

  /* A cell the keyboard can reach: its row shown, its column shown, a result in it. */
  function usable(row, column) { return row.line >= 0 && shownColumn(column) && hasResult(row, column); }

  /* After a filter change the current cell may be hidden: the first shown cell takes over. */
  function keepCurrentShown() {
    if (current && usable(current.row, current.column)) return;
    for (var i = 0; i < lines.length; i++) {
      var row = lines[i];
      if (row.rows) continue;
      for (var c = 1; c <= adapterCount; c++) if (usable(row, c)) { makeCurrent(cellRef(row, c)); return; }
    }
  }

  /* The cell an arrow key (or Home, End) moves to from ref; null at the edge, undefined for
   * other keys. Cells without a result (n/a, not run) and hidden ones are stepped over; rows
   * past the drawn window count as well as drawn ones (focusCell draws them). */
  function neighbour(ref, key) {
    var row = ref.row;
    var c;
    if (key === 'ArrowRight' || key === 'ArrowLeft') {
      var step = key === 'ArrowRight' ? 1 : -1;
      for (c = ref.column + step; c >= 1 && c <= adapterCount; c += step) if (usable(row, c)) return cellRef(row, c);
      return null;
    }
    if (key === 'Home' || key === 'End') {
      var found = null;
      for (c = 1; c <= adapterCount; c++) {
        if (!usable(row, c)) continue;
        found = cellRef(row, c);
        if (key === 'Home') break;
      }
      return found;
    }
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      var dir = key === 'ArrowDown' ? 1 : -1;
      for (var i = row.line + dir; i >= 0 && i < lines.length; i += dir) {
        if (!lines[i].rows && usable(lines[i], ref.column)) return cellRef(lines[i], ref.column);
      }
      return null;
    }
    return undefined;
  }

  function focusCell(ref) {
    revealLine(ref.row.line);
    makeCurrent(ref);
    var button = buttonAt(ref);
    button.focus({ preventScroll: true });
    button.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'instant' });
  }

  function wireGrid() {
    table.addEventListener('keydown', function (event) {
      var button = event.target.closest && event.target.closest('button.c');
      if (!button || event.altKey || event.ctrlKey || event.metaKey) return;
      var next = neighbour(refOf(button), event.key);
      if (next === undefined) return;
      event.preventDefault();
      if (next) focusCell(next);
    });
    var readout = byId('cell-readout');
    table.addEventListener('focusin', function (event) {
      if (!event.target.classList || !event.target.classList.contains('c')) return;
      makeCurrent(refOf(event.target));
      // the column headers are short labels: the focused cell's full names, in words
      if (readout) readout.textContent = event.target.getAttribute('aria-label');
    });
    // Below 900 px of height or width the adapter chips and the legend start folded, so the
    // matrix begins on the first screen.
    if (window.innerHeight < 900 || window.innerWidth < 900) {
      ['adapter-box', 'legend-box'].forEach(function (id) { if (byId(id)) byId(id).open = false; });
    }
    // The skip link: straight to the grid's current cell.
    var skip = byId('skip-to-matrix');
    if (skip) {
      skip.addEventListener('click', function (event) {
        event.preventDefault();
        keepCurrentShown();
        if (current) revealCell(current);
      });
    }
  }

  // ---- the matrix filters -------------------------------------------------------------

  function readControls() {
    var form = byId('filters');
    state.statuses = {};
    state.hiddenAdapters = {};
    var boxes = form.querySelectorAll('input[name=status]');
    for (var i = 0; i < boxes.length; i++) state.statuses[boxes[i].value] = boxes[i].checked;
    var adapters = form.querySelectorAll('input[name=adapter]');
    for (var j = 0; j < adapters.length; j++) state.hiddenAdapters[adapters[j].value] = !adapters[j].checked;
    state.tag = byId('tag-filter').value;
    state.terms = byId('text-filter').value.toLowerCase().split(/\s+/).filter(Boolean);
    state.disagreements = byId('disagreements-only').checked;
    state.ignoreUnsupported = byId('ignore-unsupported').checked;
    state.unexpectedOnly = byId('unexpected-only').checked;
    var op = form.querySelector('input[name=op]:checked');
    state.op = op ? op.value : '';
    // The finding-kind filter: the letter of a kind (b, c, l), or '' for any.
    var kind = form.querySelector('input[name=kind]:checked');
    state.kind = kind ? kind.value : '';
    // The quantity switch: the forward output, the gradients (grad_*), or both.
    var quantity = form.querySelector('input[name=quantity]:checked');
    state.quantity = quantity ? quantity.value : '';
    // With one op chosen, the adapters of the other op leave the table too.
    if (state.op) {
      for (var a = 0; a < adapterOps.length; a++) {
        if (adapterOps[a].indexOf(' ' + state.op + ' ') < 0) state.hiddenAdapters[a] = true;
      }
    }
  }

  /* A row shows when it matches the tag and every search term, at least one shown adapter
   * applies to it and has a selected status, and (with the toggle) it is a disagreement:
   * the shown adapters' statuses differ, or one of them is FAIL/ERROR/CRASH/TIMEOUT/HARNESS/CONFLICT. */
  function rowVisible(row) {
    if (rowSet && !rowSet[row.index]) return false;
    if (state.op && row.op !== state.op) return false;
    if (state.quantity && (state.quantity === 'output') !== (row.quantity === 'output')) return false;
    if (state.tag && row.tags.indexOf(' ' + state.tag + ' ') < 0) return false;
    for (var t = 0; t < state.terms.length; t++) {
      if (row.text.indexOf(state.terms[t]) < 0) return false;
    }
    var seen = '';
    var selected = false;
    var problem = false;
    var unmet = false;
    var ofKind = false;
    var present = false;
    for (var i = 0; i < row.codes.length; i++) {
      if (state.hiddenAdapters[i]) continue;
      var code = row.codes.charAt(i);
      if (ABSENT_CODES.indexOf(code) >= 0) continue;
      present = true;
      if (state.statuses[code]) {
        selected = true;
        if (row.unmet.charAt(i) === 'u') unmet = true;
        if (state.kind && row.kinds.charAt(i) === state.kind) ofKind = true;
      }
      if (PROBLEM_CODES.indexOf(code) >= 0) problem = true;
      if (state.ignoreUnsupported && code === 'U') continue;
      if (seen.indexOf(code) < 0) seen += code;
    }
    if (!present || !selected) return false;
    if (state.unexpectedOnly && !unmet) return false;
    if (state.kind && !ofKind) return false;
    return !state.disagreements || problem || seen.length > 1;
  }

  function applyFilters() {
    readControls();
    var shown = 0;
    lines = [];
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      lines.push(group);  // its header, dropped again when none of its rows shows
      group.shown = 0;
      for (var r = 0; r < group.rows.length; r++) {
        var row = group.rows[r];
        row.line = rowVisible(row) ? lines.length : -1;
        if (row.line >= 0) { lines.push(row); group.shown++; }
      }
      if (!group.shown) lines.pop();
      shown += group.shown;
    }
    table.setAttribute('aria-rowcount', lines.length + 1);
    table.classList.toggle('only-unexp', state.unexpectedOnly);
    KIND_LETTERS.forEach(function (letter) { table.classList.toggle('kind-' + letter, state.kind === letter); });
    Object.keys(CODE_STATUS).forEach(function (code) {
      table.classList.toggle('hide-' + code, state.statuses[code] === false);
    });
    Object.keys(state.hiddenAdapters).forEach(function (index) {
      table.classList.toggle('hide-a' + index, state.hiddenAdapters[index]);
    });
    keepCurrentShown();
    draw();
    var shownAdapters = 0;
    for (var a = 0; a < adapterNames.length; a++) if (!state.hiddenAdapters[a]) shownAdapters++;
    if (byId('adapters-shown')) {
      byId('adapters-shown').textContent = shownAdapters === adapterNames.length
        ? 'all ' + shownAdapters + ' shown' : shownAdapters + ' of ' + adapterNames.length + ' shown';
    }
    byId('shown-count').textContent = (shown === rows.length
      ? 'Showing all ' + rows.length + ' cases'
      : 'Showing ' + shown + ' of ' + rows.length + ' cases') + (rowSet ? ' (of ' + rowSetLabel + '; Reset filters shows all)' : '');
  }

  /* A group header counts the cases it shows: "3 of 10 cases" under filters. */
  function countText(shown, total) {
    var noun = total === 1 ? ' case' : ' cases';
    return shown === total ? total + noun : shown + ' of ' + total + noun;
  }

  function setAdapters(show) {
    var boxes = byId('filters').querySelectorAll('input[name=adapter]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = show(Number(boxes[i].value));
  }

  /* A summary count or an adapter's name: only that adapter, and the status or the
   * "did not meet expectation" filter it counts; then the matrix. */
  function setFilterFrom(link) {
    var only = link.getAttribute('data-only');
    var show = link.hasAttribute('data-show') ? link.getAttribute('data-show').split(',') : null;
    setAdapters(function (index) {
      if (show) return show.indexOf(adapterNames[index]) >= 0;
      return only === null || index === Number(only);
    });
    setRowSet(link.getAttribute('data-rows'), link.getAttribute('data-label'));
    var status = link.getAttribute('data-status');
    var boxes = byId('filters').querySelectorAll('input[name=status]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = !status || boxes[i].value === status;
    byId('unexpected-only').checked = link.getAttribute('data-unexpected') === '1';
    setKind(link.getAttribute('data-kind') || '');
    var op = link.getAttribute('data-op') || '';
    var radio = byId('filters').querySelector('input[name=op][value="' + op + '"]');
    if (radio) radio.checked = true;
    byId('text-filter').value = link.getAttribute('data-q') || '';
    byId('tag-filter').value = link.getAttribute('data-tag') || '';
    byId('disagreements-only').checked = false;
    applyFilters();
  }

  /* Check the finding-kind radio of this kind's name ('' or unknown: any). */
  function setKind(name) {
    var radios = byId('filters').querySelectorAll('input[name=kind]');
    var matched = false;
    for (var i = 0; i < radios.length; i++) {
      radios[i].checked = (radios[i].getAttribute('data-kind') || '') === name;
      matched = matched || radios[i].checked;
    }
    if (!matched && radios.length) radios[0].checked = true;
  }

  function wireFilters() {
    var form = byId('filters');
    var kinds = form.querySelectorAll('input[name=kind]');
    for (var k = 0; k < kinds.length; k++) if (kinds[k].value) KIND_LETTERS.push(kinds[k].value);
    var chips = form.querySelectorAll('#adapter-chips .adapter');
    for (var c = 0; c < chips.length; c++) {
      adapterOps.push(' ' + (chips[c].getAttribute('data-ops') || '') + ' ');
      adapterNames.push(chips[c].querySelector('code').textContent);
    }
    form.addEventListener('click', function (event) {
      var button = event.target.closest('button.mini');
      if (!button) return;
      if (button.hasAttribute('data-only')) {
        var only = Number(button.getAttribute('data-only'));
        setAdapters(function (index) { return index === only; });
      } else {
        var all = button.getAttribute('data-adapters') === 'all';
        setAdapters(function () { return all; });
      }
      applyFilters();
      saveView(true);
    });
    // A link that sets the filters (a summary count, a finding, a rule) stays on this page
    // entry's history: the view it sets is pushed, then the matrix is scrolled to.
    document.addEventListener('click', function (event) {
      var link = event.target.closest && event.target.closest('a.set-filter');
      if (!link) return;
      event.preventDefault();
      setFilterFrom(link);
      saveView(true);
      byId('matrix-section').scrollIntoView({ block: 'start', behavior: 'instant' });
    });
    var timer = null;
    form.addEventListener('change', function () { applyFilters(); saveView(true); });
    form.addEventListener('input', function (event) {
      if (event.target.id !== 'text-filter') return;
      clearTimeout(timer);
      timer = setTimeout(function () { applyFilters(); saveView(false); }, 120);
    });
    form.addEventListener('submit', function (event) { event.preventDefault(); applyFilters(); });
    form.addEventListener('reset', function () {
      setRowSet(null);
      setTimeout(function () { applyFilters(); saveView(true); }, 0);
    });
  }

  // ---- a chosen set of rows (a finding's cases, a rule's) -----------------------------
  // "3-9,12": matrix row numbers, from a link's data-rows; named by its data-label.

  var rowSet = null;
  var rowSetText = '';
  var rowSetLabel = '';

  function setRowSet(text, label) {
    rowSet = null;
    rowSetText = text || '';
    rowSetLabel = text ? (label || 'a chosen set') : '';
    if (!text) return;
    rowSet = {};
    text.split(',').forEach(function (range) {
      var ends = range.split('-').map(Number);
      for (var i = ends[0]; i <= (ends.length > 1 ? ends[1] : ends[0]); i++) rowSet[i] = true;
    });
  }

  // ---- the view in the URL fragment ---------------------------------------------------
  // #op=conv_transpose&only=torch.nn.ConvTranspose&u=1&k=bug&case=basic-2d&adapter=torch.nn.ConvTranspose
  // Filters by name (not position), so a link works on another report of the same suite;
  // the open cell by case id and adapter name. #result-<n> (a result's number) still opens.

  var adapterNames = [];  // per column, from the chips
  var appliedHash = null;  // the fragment the page shows; a hashchange to it changes nothing

  function viewParams() {
    var form = byId('filters');
    var params = new URLSearchParams();
    var op = form.querySelector('input[name=op]:checked');
    if (op && op.value) params.set('op', op.value);
    var statuses = form.querySelectorAll('input[name=status]');
    var on = '';
    var all = true;
    for (var i = 0; i < statuses.length; i++) {
      if (statuses[i].checked) on += statuses[i].value; else all = false;
    }
    if (!all) params.set('s', on);
    var boxes = form.querySelectorAll('input[name=adapter]');
    var shown = [];
    var hidden = [];
    for (var j = 0; j < boxes.length; j++) (boxes[j].checked ? shown : hidden).push(adapterNames[j]);
    if (hidden.length) {
      if (shown.length === 1) params.set('only', shown[0]);
      else if (shown.length <= hidden.length) params.set('show', shown.join(','));
      else params.set('hide', hidden.join(','));
    }
    if (byId('tag-filter').value) params.set('tag', byId('tag-filter').value);
    if (byId('text-filter').value) params.set('q', byId('text-filter').value);
    if (byId('disagreements-only').checked) params.set('d', '1');
    if (byId('ignore-unsupported').checked) params.set('iu', '1');
    if (byId('unexpected-only').checked) params.set('u', '1');
    var kind = form.querySelector('input[name=kind]:checked');
    if (kind && kind.value) params.set('k', kind.getAttribute('data-kind'));
    if (rowSetText) { params.set('rows', rowSetText); params.set('set', rowSetLabel); }
    if (selected && !byId('details').hidden) {
      var cell = cellName(selected);
      params.set('case', cell.case);
      params.set('adapter', cell.adapter);
    }
    return params.toString();
  }

  /* Write the view to the fragment: a new history entry (push) or in place of this one. */
  function saveView(push) {
    var text = viewParams();
    var hash = text ? '#' + text : '';
    if (hash === location.hash) return;
    appliedHash = hash;
    try {
      history[push ? 'pushState' : 'replaceState'](null, '', hash || location.pathname + location.search);
    } catch (err) { /* a file: URL in a browser that refuses: the view still works, unshared */ }
  }

  function setControls(params) {
    var form = byId('filters');
    var op = params.get('op') || '';
    var radios = form.querySelectorAll('input[name=op]');
    var matched = false;
    for (var r = 0; r < radios.length; r++) { radios[r].checked = radios[r].value === op; matched = matched || radios[r].checked; }
    if (!matched && radios.length) radios[0].checked = true;
    var s = params.get('s');
    var statuses = form.querySelectorAll('input[name=status]');
    for (var i = 0; i < statuses.length; i++) statuses[i].checked = s === null || s.indexOf(statuses[i].value) >= 0;
    var named = null;
    var shownIfNamed = true;
    if (params.has('only')) named = [params.get('only')];
    else if (params.has('show')) named = params.get('show').split(',');
    else if (params.has('hide')) { named = params.get('hide').split(','); shownIfNamed = false; }
    setAdapters(function (index) {
      return named === null ? true : (named.indexOf(adapterNames[index]) >= 0) === shownIfNamed;
    });
    byId('tag-filter').value = params.get('tag') || '';
    if (byId('tag-filter').selectedIndex < 0) byId('tag-filter').value = '';
    byId('text-filter').value = params.get('q') || '';
    byId('disagreements-only').checked = params.get('d') === '1';
    byId('ignore-unsupported').checked = params.get('iu') === '1';
    byId('unexpected-only').checked = params.get('u') === '1';
    setKind(params.get('k') || '');
    setRowSet(params.get('rows'), params.get('set'));
  }

  /* The (case id, adapter name) of a matrix cell. */
  function cellName(ref) {
    return { case: ref.row.id, adapter: adapterNames[ref.column - 1] };
  }

  function cellByName(caseId, adapter) {
    var column = adapterNames.indexOf(adapter) + 1;
    if (column < 1) return null;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].id === caseId) return hasResult(rows[i], column) ? cellRef(rows[i], column) : null;
    }
    return null;
  }

  /* Draw and scroll the matrix so the cell is in view, clear of the details panel, and
   * focus it. A cell the view's filters hide is shown by clearing them first. */
  function revealCell(ref) {
    if (!usable(ref.row, ref.column)) {
      setControls(new URLSearchParams());
      applyFilters();
    }
    revealLine(ref.row.line);
    var button = buttonAt(ref);
    button.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    var panel = byId('details');
    if (!panel.hidden) {
      // Room to scroll the cell out from under the panel, even when the table is narrow: an
      // empty absolutely placed box past its right edge (it does not change the table's layout).
      var room = wrap.querySelector('.scroll-room');
      if (!room) { room = el('div', 'scroll-room'); room.setAttribute('aria-hidden', 'true'); wrap.appendChild(room); }
      room.style.left = (table.offsetWidth + panel.offsetWidth) + 'px';
      var right = panel.getBoundingClientRect().left - 12;
      var cell = button.getBoundingClientRect();
      if (cell.right > right) wrap.scrollLeft += cell.right - right;
    }
    makeCurrent(ref);
    button.focus({ preventScroll: true });
  }

  /* The page's state from the fragment: on load, a shared link, back and forward. */
  function followHash() {
    var hash = location.hash;
    if (hash === appliedHash) return;
    appliedHash = hash;
    var numbered = /^#result-(\d+)$/.exec(hash);
    if (numbered) {
      var ref = refFor(Number(numbered[1]));
      if (ref) { openCell(ref); saveView(false); }  // rewritten by name: a link that lasts
      return;
    }
    if (hash && hash.indexOf('=') < 0) { closeDetails(true); return; }  // a section: #summary
    var params = new URLSearchParams(hash.slice(1));
    setControls(params);
    applyFilters();
    var target = params.has('case') ? cellByName(params.get('case'), params.get('adapter')) : null;
    if (target) openCell(target); else closeDetails(true);
  }

  function openCell(ref) {
    var k = resultOf(ref);
    var open = selected && !byId('details').hidden ? resultOf(selected) : -1;
    if (open !== k) openDetails(k, ref, true);
    revealCell(ref);
  }

  // ---- formatting ---------------------------------------------------------------------

  function toNumber(value) {
    if (typeof value === 'number') return value;
    if (value === 'inf') return Infinity;
    if (value === '-inf') return -Infinity;
    if (value === null || value === undefined || value === 'nan') return NaN;
    return Number(value);
  }

  function formatNumber(value) {
    var v = toNumber(value);
    if (v === 0) return '0';
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e-3 && a < 1e6) return String(parseFloat(v.toPrecision(6)));
    return v.toExponential(3);
  }

  function formatValue(value) {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'string') return value;
    return JSON.stringify(value);
  }

  function formatSeconds(value) {
    if (value === undefined || value === null) return null;
    var v = toNumber(value);
    if (v < 1e-3) return (v * 1e6).toFixed(0) + ' µs';
    if (v < 1) return (v * 1e3).toFixed(2) + ' ms';
    return v.toFixed(3) + ' s';
  }

  function safeLink(url, text) {
    if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
      var a = el('a', '', text || url);
      a.href = url;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      return a;
    }
    return el('span', '', text || url);
  }

  // ---- details panel building blocks --------------------------------------------------

  function heading(text) { return el('h3', '', text); }

  function kvTable(pairs) {
    var tableNode = el('table', 'kv');
    var tbody = el('tbody');
    pairs.forEach(function (pair) {
      if (pair[1] === undefined || pair[1] === null || pair[1] === '') return;
      var tr = el('tr');
      tr.appendChild(el('th', '', pair[0]));
      var td = el('td');
      if (pair[1] instanceof Node) td.appendChild(pair[1]); else td.textContent = String(pair[1]);
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    tableNode.appendChild(tbody);
    return tableNode;
  }

  function badge(status) { return el('span', 'badge s-' + status, status); }

  function codeBlock(title, text, withCopy) {
    var frag = document.createDocumentFragment();
    var head = el('div', 'code-head');
    head.appendChild(heading(title));
    var pre = el('pre');
    var code = el('code', '', text);
    pre.appendChild(code);
    if (withCopy) {
      var button = el('button', 'copy', 'Copy');
      button.type = 'button';
      button.setAttribute('data-copy', '');
      head.appendChild(button);
    }
    frag.appendChild(head);
    frag.appendChild(pre);
    return frag;
  }

  function fallbackCopy(text) {
    var area = el('textarea', 'offscreen');
    area.value = text;
    area.setAttribute('readonly', '');
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    area.remove();
    return ok;
  }

  function copyFrom(button) {
    var pre = button.parentNode.nextSibling;
    var text = pre.textContent;
    function done(ok) {
      button.textContent = ok ? 'Copied' : 'Select and copy';
      if (!ok) {
        var range = document.createRange();
        range.selectNodeContents(pre);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setTimeout(function () { button.textContent = 'Copy'; }, 1800);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  }

  // ---- heatmaps -----------------------------------------------------------------------

  function toGrid(values) {
    if (!Array.isArray(values)) return null;
    if (!values.length || !Array.isArray(values[0])) values = [values];
    return values.map(function (row) { return (Array.isArray(row) ? row : [row]).map(toNumber); });
  }

  function maxAbs(grids) {
    var m = 0;
    grids.forEach(function (grid) {
      grid.forEach(function (row) {
        row.forEach(function (v) { if (isFinite(v) && Math.abs(v) > m) m = Math.abs(v); });
      });
    });
    return m;
  }

  function colour(t) {
    var x = (Math.max(-1, Math.min(1, t)) + 1) / 2 * (DIVERGING.length - 1);
    var i = Math.min(Math.floor(x), DIVERGING.length - 2);
    var f = x - i;
    var a = DIVERGING[i];
    var b = DIVERGING[i + 1];
    return 'rgb(' + Math.round(a[0] + (b[0] - a[0]) * f) + ',' + Math.round(a[1] + (b[1] - a[1]) * f) + ',' + Math.round(a[2] + (b[2] - a[2]) * f) + ')';
  }

  function gridSize(grid) {
    var cols = 0;
    grid.forEach(function (row) { if (row.length > cols) cols = row.length; });
    return { rows: grid.length, cols: cols };
  }

  function drawGrid(grid, scale, pixel) {
    var size = gridSize(grid);
    var ratio = window.devicePixelRatio || 1;
    var canvas = el('canvas', 'map');
    canvas.width = Math.max(1, size.cols * pixel * ratio);
    canvas.height = Math.max(1, size.rows * pixel * ratio);
    canvas.style.width = size.cols * pixel + 'px';
    canvas.style.height = size.rows * pixel + 'px';
    var ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    grid.forEach(function (row, i) {
      row.forEach(function (v, j) {
        ctx.fillStyle = isFinite(v) ? colour(scale > 0 ? v / scale : 0) : '#111';
        ctx.fillRect(j * pixel, i * pixel, pixel, pixel);
      });
    });
    if (pixel >= 10) {
      ctx.strokeStyle = 'rgba(255,255,255,.55)';
      ctx.lineWidth = 1;
      for (var r = 1; r < size.rows; r++) { ctx.beginPath(); ctx.moveTo(0, r * pixel + 0.5); ctx.lineTo(size.cols * pixel, r * pixel + 0.5); ctx.stroke(); }
      for (var c = 1; c < size.cols; c++) { ctx.beginPath(); ctx.moveTo(c * pixel + 0.5, 0); ctx.lineTo(c * pixel + 0.5, size.rows * pixel); ctx.stroke(); }
    }
    canvas.setAttribute('data-pixel', String(pixel));
    return canvas;
  }

  function scaleLegend(scale) {
    var box = el('div', 'scale');
    var bar = el('canvas');
    var width = 96;
    bar.width = width;
    bar.height = 10;
    var ctx = bar.getContext('2d');
    for (var x = 0; x < width; x++) {
      ctx.fillStyle = colour((x / (width - 1)) * 2 - 1);
      ctx.fillRect(x, 0, 1, 10);
    }
    box.appendChild(el('span', '', formatNumber(-scale)));
    box.appendChild(bar);
    box.appendChild(el('span', '', '+' + formatNumber(scale)));
    box.setAttribute('aria-label', 'colour scale from ' + formatNumber(-scale) + ' (blue) through 0 (white) to ' + formatNumber(scale) + ' (red)');
    return box;
  }

  function heatmapFigure(caption, grid, scale, pixel) {
    var figure = el('figure');
    figure.appendChild(el('figcaption', '', caption));
    figure.appendChild(drawGrid(grid, scale, pixel));
    figure.appendChild(scaleLegend(scale));
    return figure;
  }

  function sameShape(a, b) {
    if (!a || !b || a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i].length !== b[i].length) return false;
    return true;
  }

  /* Where the slice's worst element lies in the drawn window, from its full index and the
   * window's origin (see conformance/runner/slices.py), or null. */
  function worstCell(slice) {
    var index = slice.index;
    if (!Array.isArray(index) || !index.length) return null;
    var origin = Array.isArray(slice.origin) ? slice.origin : [0, 0];
    var n = index.length;
    var row = n >= 4 ? index[n - 2] : 0;
    return { row: row - origin[0], col: index[n - 1] - origin[1] };
  }

  function markCell(canvas, cell) {
    var p = Number(canvas.getAttribute('data-pixel'));
    var ctx = canvas.getContext('2d');
    ctx.lineWidth = Math.max(1.5, p / 6);
    ctx.strokeStyle = '#111';
    ctx.strokeRect(cell.col * p + 1, cell.row * p + 1, p - 2, p - 2);
    ctx.strokeStyle = '#ffd33d';
    ctx.lineWidth = Math.max(1, p / 10);
    ctx.strokeRect(cell.col * p + 1, cell.row * p + 1, p - 2, p - 2);
  }

  /* A failing cell's 2D slice: its heading, then two folded boxes, each built the first
   * time it is opened (a cell's details open without drawing anything): the heatmaps, and
   * the same values as tables that the keyboard and a screen reader can read. */
  function sliceSection(slice) {
    var frag = document.createDocumentFragment();
    var expected = toGrid(slice.expected);
    var actual = toGrid(slice.actual);
    if (!expected && !actual) return frag;
    frag.appendChild(heading('Heatmaps of one 2D slice' + (slice.label ? ' (' + slice.label + ')' : '')));
    var size = gridSize(expected || actual);
    frag.appendChild(lazyBox('heatmap-box', 'Draw the heatmaps (expected, actual, difference: ' + size.rows + ' × ' + size.cols + ')',
      function () { return heatmaps(slice, expected, actual); }));
    frag.appendChild(lazyBox('slice-values', 'The slice\'s values as tables (row and column numbers of the full tensor)',
      function () { return sliceTables(slice, expected, actual); }));
    return frag;
  }

  /* A <details> whose content build() makes on its first opening. */
  function lazyBox(className, summaryText, build) {
    var box = el('details', 'lazy ' + className);
    box.appendChild(el('summary', '', summaryText));
    box.addEventListener('toggle', function () {
      if (!box.open || box.hasAttribute('data-built')) return;
      box.setAttribute('data-built', '');
      box.appendChild(build());
    });
    return box;
  }

  /* The slice as tables: expected, actual and their difference, numbered as in the full
   * tensor (the window's origin added), the worst element marked. */
  function sliceTables(slice, expected, actual) {
    var frag = document.createDocumentFragment();
    var diff = toGrid(slice.difference);
    if (diff && !(expected && sameShape(diff, expected))) diff = null;
    var origin = Array.isArray(slice.origin) ? slice.origin : [0, 0];
    var worst = diff ? worstCell(slice) : null;
    [['Expected (oracle)', expected], ['Actual (framework)', actual], ['Actual − expected', diff]].forEach(function (pair) {
      if (!pair[1]) return;
      var wrap = el('div', 'slice-table');
      wrap.tabIndex = 0;  // it scrolls sideways: the keyboard can reach and scroll it
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', pair[0] + ': scrolls sideways');
      var tableNode = el('table', 'values');
      tableNode.appendChild(el('caption', '', pair[0] + (worst ? ' (the largest error in bold)' : '')));
      var head = el('tr');
      head.appendChild(el('th', '', 'row \\ col'));
      var cols = gridSize(pair[1]).cols;
      for (var c = 0; c < cols; c++) {
        var th = el('th', '', String(c + origin[1]));
        th.scope = 'col';
        head.appendChild(th);
      }
      var thead = el('thead');
      thead.appendChild(head);
      tableNode.appendChild(thead);
      var tbody = el('tbody');
      pair[1].forEach(function (row, i) {
        var tr = el('tr');
        var rowHead = el('th', '', String(i + origin[0]));
        rowHead.scope = 'row';
        tr.appendChild(rowHead);
        row.forEach(function (v, j) {
          var td = el('td', '', formatNumber(v));
          if (worst && worst.row === i && worst.col === j) td.className = 'worst';
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      tableNode.appendChild(tbody);
      wrap.appendChild(tableNode);
      frag.appendChild(wrap);
    });
    return frag;
  }

  function heatmaps(slice, expected, actual) {
    var frag = document.createDocumentFragment();
    var grids = [expected, actual].filter(Boolean);
    // Computed by the report at full precision; the values drawn are rounded for display.
    var diff = toGrid(slice.difference);
    if (diff && !(expected && sameShape(diff, expected))) diff = null;
    var size = { rows: 1, cols: 1 };
    grids.forEach(function (grid) {
      var s = gridSize(grid);
      size = { rows: Math.max(size.rows, s.rows), cols: Math.max(size.cols, s.cols) };
    });
    var pixel = Math.max(3, Math.min(28, Math.floor(200 / Math.max(size.rows, size.cols))));
    var shared = maxAbs(grids);
    var box = el('div', 'heatmaps');
    if (expected) box.appendChild(heatmapFigure('Expected (oracle)', expected, shared, pixel));
    if (actual) box.appendChild(heatmapFigure('Actual (framework)', actual, shared, pixel));
    if (diff) box.appendChild(heatmapFigure('Actual − expected', diff, maxAbs([diff]), pixel));
    frag.appendChild(box);
    var worst = diff ? worstCell(slice) : null;
    if (worst) {
      var maps = box.querySelectorAll('canvas.map');
      for (var m = 0; m < maps.length; m++) markCell(maps[m], worst);
    }
    var origin = Array.isArray(slice.origin) ? slice.origin : [0, 0];
    var notes = [];
    if (!actual) notes.push('No actual output to draw (the call produced none).');
    else if (!expected) notes.push('No expected output: the oracle refuses this case.');
    else if (!diff) notes.push('The slices differ in shape, so no difference is drawn.');
    if (worst) notes.push('The outlined element has the largest error.');
    notes.push('Blue is negative, red positive; expected and actual share one colour scale, the difference has its own. Values are shown to 7 significant digits.');
    var note = el('p', 'nan-note', notes.join(' ') + ' ');
    note.appendChild(el('span', 'nan-swatch'));
    note.appendChild(document.createTextNode(' NaN or ±Inf.'));
    frag.appendChild(note);
    var readout = el('p', 'readout', 'Point at a heatmap to read its values, or open the tables below.');
    frag.appendChild(readout);
    box.addEventListener('mousemove', function (event) {
      if (event.target.tagName !== 'CANVAS' || !event.target.classList.contains('map')) return;
      var p = Number(event.target.getAttribute('data-pixel'));
      var i = Math.floor(event.offsetY / p);
      var j = Math.floor(event.offsetX / p);
      var parts = ['row ' + (i + origin[0]) + ', col ' + (j + origin[1]) + ':'];
      if (expected && expected[i] && j < expected[i].length) parts.push('expected ' + formatNumber(expected[i][j]));
      if (actual && actual[i] && j < actual[i].length) parts.push('actual ' + formatNumber(actual[i][j]));
      if (diff && diff[i] && j < diff[i].length) parts.push('difference ' + formatNumber(diff[i][j]));
      readout.textContent = parts.join('   ');
    });
    return frag;
  }

  // ---- a small case's values, as tables (any cell, PASS included) -------------------------

  /* One tensor as tables of its last two dims, one per index of the leading ones. */
  function tensorTables(name, tensor) {
    if (tensor.window) return tensorWindow(name, tensor);
    var box = el('div', 'tensor');
    var shape = tensor.shape;
    var values = tensor.values;
    box.appendChild(el('h4', '', name + ' ' + shapeText(shape)));
    var cols = shape.length ? shape[shape.length - 1] : 1;
    var rowsPer = shape.length > 1 ? shape[shape.length - 2] : 1;
    var lead = shape.slice(0, Math.max(0, shape.length - 2));
    var planes = Math.max(1, Math.round(values.length / (rowsPer * cols)));
    for (var p = 0; p < planes; p++) {
      var index = [];
      var rest = p;
      for (var d = lead.length - 1; d >= 0; d--) { index.unshift(rest % lead[d]); rest = Math.floor(rest / lead[d]); }
      var tableNode = el('table', 'values');
      tableNode.appendChild(el('caption', '', name + (index.length ? '[' + index.join(', ') + ', :, :]' : '')));
      var tbody = el('tbody');
      for (var r = 0; r < rowsPer; r++) {
        var tr = el('tr');
        for (var c = 0; c < cols; c++) tr.appendChild(el('td', '', String(values[(p * rowsPer + r) * cols + c])));
        tbody.appendChild(tr);
      }
      tableNode.appendChild(tbody);
      box.appendChild(tableNode);
    }
    return box;
  }

  /* A large case's tensor: one window of its first plane (conformance/report/case_values.py). */
  function tensorWindow(name, tensor) {
    var box = el('div', 'tensor');
    var shape = tensor.shape;
    var rowsShown = tensor.window[0];
    var colsShown = tensor.window[1];
    box.appendChild(el('h4', '', name + ' ' + shapeText(shape) + ': its first ' + rowsShown + ' × ' + colsShown));
    var lead = shape.slice(0, Math.max(0, shape.length - 2)).map(function () { return '0'; });
    var rowPart = shape.length >= 2 ? ':' + rowsShown + ', ' : '';
    var tableNode = el('table', 'values');
    tableNode.appendChild(el('caption', '', name + '[' + lead.concat([rowPart + ':' + colsShown]).join(', ') + ']'));
    var tbody = el('tbody');
    for (var r = 0; r < rowsShown; r++) {
      var tr = el('tr');
      for (var c = 0; c < colsShown; c++) tr.appendChild(el('td', '', String(tensor.values[r * colsShown + c])));
      tbody.appendChild(tr);
    }
    tableNode.appendChild(tbody);
    box.appendChild(tableNode);
    return box;
  }

  function valuesSection(testCase, result) {
    var frag = document.createDocumentFragment();
    var values = testCase.values;
    frag.appendChild(heading('Values'));
    if (!values) {
      frag.appendChild(el('p', 'muted', 'Not shown: the case file was not where the report was written, or no longer ' +
        'holds this case. The repro script holds every value.'));
      return frag;
    }
    var box = el('div', 'tensors');
    [['input x', values.x], ['kernel w', values.w], ['bias b', values.b], ['expected (oracle)', values.expected]].forEach(function (pair) {
      if (pair[1]) box.appendChild(tensorTables(pair[0], pair[1]));
    });
    frag.appendChild(box);
    var actual = result.status === 'PASS'
      ? 'Actual: within the bound of expected everywhere (err_ratio ' + (result.err_ratio !== undefined ? formatNumber(result.err_ratio) : 'not recorded') +
        '); a results file keeps no values for a PASS.'
      : (result.details && result.details.slice ? 'Actual: see the heatmaps above.' : '');
    var windowed = values.x && values.x.window ? 'A large case: each tensor shows a window of its first plane (index 0 of the leading dims). ' : '';
    frag.appendChild(el('p', 'muted', windowed + 'Canonical layout (channels first), 7 significant digits; the repro script holds them exactly. ' + actual));
    return frag;
  }

  // ---- the details panel --------------------------------------------------------------

  function shapeText(shape) { return Array.isArray(shape) ? '(' + shape.join(', ') + ')' : null; }

  function buildDetails(result, testCase, adapter, files) {
    var frag = document.createDocumentFragment();
    var line = el('div', 'status-line');
    line.appendChild(badge(result.status));
    if (result.status !== 'CONFLICT') {
      var met = result.status === result.expected_status && !result.unexpected;
      var said = result.unexpected ? 'did not meet its expectation: ' + result.unexpected
        : 'expected ' + (result.expected_status || 'PASS') + ': did not meet its expectation';
      if (met && result.status === 'PASS') said = 'as expected';
      else if (met && result.status === 'UNSUPPORTED') said = 'the adapter declares that its API cannot express this case';
      else if (met) said = 'known: as the expectations file says';
      line.appendChild(el('span', '', said));
    }
    frag.appendChild(line);
    if (result.message) frag.appendChild(el('pre', 'message', result.message));

    if (result.claims) {
      frag.appendChild(heading('Conflicting claims'));
      var claims = el('ul');
      result.claims.forEach(function (claim) {
        var item = el('li');
        item.appendChild(badge(claim.status));
        item.appendChild(document.createTextNode(' in '));
        item.appendChild(el('code', '', claim.source));
        if (claim.message) item.appendChild(document.createTextNode(': ' + claim.message));
        claims.appendChild(item);
      });
      frag.appendChild(claims);
    }

    // A known finding first: what the expectations file says (kind, reason, links), then the
    // automatic diagnosis beside it.
    if (result.expectation_reason) {
      frag.appendChild(heading('Known finding' + (result.expectation_kind ? ': ' + result.expectation_kind : '')));
      var known = el('div', 'explain known-finding');
      known.appendChild(el('p', '', result.expectation_reason));
      var found = result.expectation_links || (result.expectation_link ? { link: result.expectation_link } : {});
      Object.keys(found).forEach(function (kind) {
        var line = el('p', '', kind + ': ');
        line.appendChild(safeLink(found[kind]));
        known.appendChild(line);
      });
      if (result.unexpected) known.appendChild(el('p', 'unexpected', 'Did not meet it: ' + result.unexpected));
      frag.appendChild(known);
    }

    if (result.diagnosis) {
      frag.appendChild(heading('Diagnosis'));
      var explain = el('div', 'explain');
      explain.appendChild(el('code', '', result.diagnosis));
      if (result.diagnosis_text) explain.appendChild(el('p', '', result.diagnosis_text));
      frag.appendChild(explain);
    }

    // Each link of the expectation says what it is: issue, pr, doc or source.
    var links = result.expectation_links || (result.expectation_link ? { link: result.expectation_link } : {});
    var linkRows = Object.keys(links).map(function (kind) { return ['expectation ' + kind, safeLink(links[kind])]; });
    frag.appendChild(heading('Outcome'));
    frag.appendChild(kvTable([
      ['judged on', result.judged === 'shape' ? 'the shape only: a shape-only adapter (shape inference) computes no values' : null],
      ['output shape', shapeText(result.shape)],
      ['expected shape', shapeText(result.expected_shape)],
      ['max abs error', result.max_abs_err !== undefined ? formatNumber(result.max_abs_err) : null],
      ['err_ratio', result.err_ratio !== undefined ? formatNumber(result.err_ratio) + '  (passes at ≤ the tolerance factor, 1 by default)' : null],
      ['unsupported because', result.unsupported_reason],
      ['documentation', result.details && result.details.doc ? safeLink(result.details.doc) : null],
      ['expectation', result.expectation_reason],
      ['kind of finding', result.expectation_kind],
      ['expected diagnosis', result.expected_diagnosis],
      ['expected message', result.expected_message],
      ['expectation entry', result.expectation_where]].concat(linkRows).concat([
      ['time, total', formatSeconds(result.duration_s)],
      ['time in framework', formatSeconds(result.framework_s)],
      ['time in oracle', formatSeconds(result.oracle_s)],
      ['adapter', adapter.name],
      ['framework', adapter.frameworks && adapter.frameworks.join(', ')],
      ['device', adapter.devices && adapter.devices.join(', ')],
      ['results file', result.src ? result.src.map(function (i) { return files[i]; }).join(', ') : null]
    ])));

    var details = result.details || {};
    if (details.slice) frag.appendChild(sliceSection(details.slice));
    frag.appendChild(valuesSection(testCase, result));

    frag.appendChild(heading('Case'));
    frag.appendChild(kvTable([
      ['id', testCase.id],
      ['description', testCase.description],
      ['file', testCase.file ? testCase.file + (testCase.line ? ':' + testCase.line : '') : null],
      ['op', testCase.op],
      ['tags', testCase.tags && testCase.tags.length ? testCase.tags.join(', ') : null]
    ]));

    var params = testCase.params || {};
    var paramKeys = Object.keys(params);
    if (paramKeys.length) {
      frag.appendChild(heading('Canonical parameters'));
      frag.appendChild(kvTable(paramKeys.map(function (key) { return [key, formatValue(params[key])]; })));
    }

    var native = result.native;
    if (native) {
      frag.appendChild(heading('Native call'));
      var kwargs = native.kwargs || {};
      var rowsOut = [['api', native.api], ['input layout', native.input_layout], ['kernel layout', native.kernel_layout]];
      Object.keys(kwargs).forEach(function (key) { rowsOut.push([key + ' =', formatValue(kwargs[key])]); });
      rowsOut.push(['note', native.note]);
      frag.appendChild(kvTable(rowsOut));
      if (native.text) frag.appendChild(el('pre', '', native.text));
    }

    if (details.repro) {
      frag.appendChild(codeBlock(result.repro_built ? 'Repro script (built by the report: a results file keeps none for a PASS)'
        : 'Repro script', details.repro, true));
    } else if (result.repro_command) {
      frag.appendChild(codeBlock('Repro script: the command that prints it', result.repro_command, true));
      frag.appendChild(el('p', 'muted', 'A large case (' + result.repro_elements + ' input and kernel elements): its tensors ' +
        'would add about ' + Math.ceil(result.repro_elements * 20 / 1000) + ' kB to the page, so the script is not in it. ' +
        'Run this in a checkout of the suite: it prints the script the report builds for a PASS, with the run\'s versions.'));
    } else if (result.stored_repro) {
      frag.appendChild(codeBlock('Repro script: the command that prints it', result.stored_repro.cmd, true));
      frag.appendChild(el('p', 'muted', 'This script is ' + Math.ceil(result.stored_repro.chars / 1000) + ' kB ' +
        '(its tensors packed), too large for the page: the results file keeps it. Run this where the report was ' +
        'written, in a checkout of the suite: it prints the script unchanged.'));
    } else if (result.repro_note) {
      frag.appendChild(heading('Repro script'));
      frag.appendChild(el('p', 'muted', 'Not built here: ' + result.repro_note + '.'));
    }
    if (details.repro_error) frag.appendChild(codeBlock('Repro script could not be built', details.repro_error, false));
    if (details.traceback) frag.appendChild(codeBlock('Traceback', details.traceback, false));
    return frag;
  }

  function showPanel(title) {
    var panel = byId('details');
    byId('details-title').textContent = title;
    var body = byId('details-body');
    body.textContent = '';
    panel.hidden = false;
    panel.scrollTop = 0;
    return body;
  }

  /* Open result k's details. From a click, focus goes to the panel and the view (with the
   * cell) is pushed to the history; from the fragment (fromHash), the caller focuses the cell. */
  function openDetails(k, ref, fromHash) {
    var token = ++openToken;
    var was = buttonAt(selected);
    if (was) was.classList.remove('sel');
    selected = ref || refFor(k);
    var now = buttonAt(selected);
    if (now) now.classList.add('sel');
    var body = showPanel('Details');
    body.appendChild(el('p', 'muted', 'Loading the details…'));
    if (!fromHash) {
      byId('details-close').focus({ preventScroll: true });
      saveView(true);
    }
    reportData().then(function (d) {
      if (token !== openToken) return;  // another cell was clicked meanwhile
      var result = d.results[k];
      if (!result) { showPanel('Details').appendChild(el('p', '', 'No result number ' + k + ' in this report.')); return; }
      result = expandResult(result, d);
      var testCase = d.cases[result.c];
      var adapter = d.adapters[result.a];
      var panelBody = showPanel(testCase.id + '  on  ' + adapter.name);
      panelBody.appendChild(buildDetails(result, testCase, adapter, d.files));
      // a script or traceback scrolls: the keyboard reaches it (then arrow keys scroll it)
      var blocks = panelBody.querySelectorAll('pre');
      for (var p = 0; p < blocks.length; p++) blocks[p].tabIndex = 0;
    }).catch(function (err) {
      if (token !== openToken) return;
      showPanel('Details').appendChild(el('pre', 'message', String(err && err.message || err)));
    });
  }

  /* Close the panel; the fragment loses the cell (fromHash: it already has). Focus returns
   * to the cell. */
  function closeDetails(fromHash) {
    var panel = byId('details');
    if (panel.hidden) return;
    panel.hidden = true;
    if (!fromHash) saveView(false);
    if (selected && selected.row.line >= 0) {
      revealLine(selected.row.line);
      buttonAt(selected).focus({ preventScroll: true });
    }
  }

  function wireDetails() {
    table.addEventListener('click', function (event) {
      var button = event.target.closest('button.c');
      if (button) openDetails(resultNumber(button), refOf(button));
    });
    byId('details-close').addEventListener('click', function () { closeDetails(false); });
    byId('details').addEventListener('click', function (event) {
      var copy = event.target.closest('button[data-copy]');
      if (copy) copyFrom(copy);
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') closeDetails(false);
    });
    window.addEventListener('hashchange', followHash);
    window.addEventListener('popstate', followHash);
  }

  /* A region that scrolls sideways but holds nothing focusable is reachable by keyboard
   * only if it takes focus itself (then arrow keys scroll it). */
  function scrollRegionsFocusable() {
    var regions = document.querySelectorAll('.scroll');
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      if (region.scrollWidth <= region.clientWidth || region.querySelector('a[href], button, input, select')) continue;
      var section = region.closest('section');
      var title = section && section.querySelector('h2');
      region.tabIndex = 0;
      region.setAttribute('role', 'region');
      region.setAttribute('aria-label', (title ? title.textContent + ': ' : '') + 'scrolls sideways');
    }
  }

  function init() {
    scrollRegionsFocusable();
    table = byId('matrix');
    if (!table) return;
    body = byId('matrix-body');
    wrap = table.closest('.matrix-wrap');
    adapterCount = table.tHead.rows[0].cells.length - 1;
    // about 1,200 cells drawn in each margin: a row of 121 adapters costs 17 times one of 7
    MARGIN = Math.max(8, Math.min(30, Math.round(1200 / (adapterCount + 1))));
    topSpacer = body.appendChild(spacer());
    bottomSpacer = body.appendChild(spacer());
    collectRows();
    wireWindow();
    wireGrid();
    wireFilters();
    wireDetails();
    applyFilters();
    followHash();
    // For tests and benchmarks: a cell's result number and back.
    // drawn(): the first and last line drawn, and how many lines the filters show.
    window.conformanceReport = { readyAt: performance.now(), rows: rows.length,
                                 resultNumber: resultNumber, buttonFor: buttonFor,
                                 drawn: function () { return [drawnFirst, drawnLast, lines.length]; } };
    document.documentElement.setAttribute('data-ready', 'true');
    // Unpack the details once the page is idle, so the first cell opened finds them ready
    // (unpacking 40,000 results' details on that click took about half a second).
    var idle = window.requestIdleCallback || function (callback) { return setTimeout(callback, 200); };
    idle(function () { reportData().catch(function () { /* the click that needs them says why */ }); }, { timeout: 3000 });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
