// The Node child that runs JavaScript adapters for the runner: `node node_child.mjs NPM_FOLDER`.
//
// One request per stdin line, one reply per stdout line, both JSON (node_executor.py is the
// other end). A request carries a program (an adapter's rendered call, the text its .mjs repro
// embeds) and its inputs; tensors travel as {shape, base64} of little-endian float64 bytes.
// The program is an ES module written into NPM_FOLDER/.conformance-run/ and imported from
// there, so its `import '...'` lines resolve from NPM_FOLDER/node_modules exactly as the repro
// file's do from the folder a user installed the packages in. It reads `x`, `w`, `b` ({shape,
// data: Float64Array}, canonical layout; a gradient's program also `g`, the upstream gradient, or
// null) and `dtype`, and leaves `y`: a tensor ({shape, data})
// or, for a probe, any JSON value. Whatever the framework prints goes to stderr: stdout is the
// reply channel only.

import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const folder = path.resolve(process.argv[2] ?? '.');
const runDir = path.join(folder, '.conformance-run');
fs.mkdirSync(runDir, { recursive: true });

// Replies go through stdout's own write (a reply larger than the pipe's buffer waits for the
// parent to read it: fs.writeSync would fail with EAGAIN on the non-blocking pipe); anything
// else that would print there goes to stderr.
const writeReply = process.stdout.write.bind(process.stdout);
const reply = (message) => new Promise((resolve, reject) => {
  writeReply(JSON.stringify(message) + '\n', (err) => (err ? reject(err) : resolve()));
});
console.log = console.error;
console.info = console.error;
process.stdout.write = process.stderr.write.bind(process.stderr);

function tensorIn(wire) {
  if (wire === null || wire === undefined) return null;
  const bytes = Buffer.from(wire.base64, 'base64');
  const data = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(data.buffer).set(bytes);
  return { shape: wire.shape, data };
}

function tensorOut(y) {
  const shape = Array.from(y.shape, Number);
  // A negative length is the framework's own answer to an invalid case (TF.js computes one
  // from its arithmetic): said, without its values, as the framework's error.
  if (shape.some((size) => size < 0)) return { negative_shape: shape, size: y.data.length };
  const values = Float64Array.from(y.data, Number);
  return { shape, base64: Buffer.from(values.buffer).toString('base64') };
}

// The program's own mistake (a name, a syntax error, a property of undefined in its text) is
// the harness's; an error thrown from inside an npm package is the framework's answer.
function byFramework(err) {
  const stack = String(err?.stack ?? '');
  if (stack.includes('/node_modules/')) return true;
  return !['ReferenceError', 'SyntaxError', 'TypeError'].includes(err?.name);
}

let serial = 0;
// When the current program's import began: a program that throws reports the seconds it ran
// too (a refusal's conversion is the framework's time, not the runner's).
let started = null;

async function run(request) {
  serial += 1;
  const file = path.join(runDir, `case-${process.pid}-${serial}.mjs`);
  const binding = 'const { x, w, b, g, dtype } = globalThis.__conformanceInputs;\n';
  const leave = '\nglobalThis.__conformanceOutput = y;\n';
  globalThis.__conformanceInputs = {
    x: tensorIn(request.x), w: tensorIn(request.w), b: tensorIn(request.b), g: tensorIn(request.g), dtype: request.dtype,
  };
  globalThis.__conformanceOutput = undefined;
  fs.writeFileSync(file, binding + request.source + leave);
  const start = started = performance.now();
  try {
    await import(pathToFileURL(file).href);
  } finally {
    fs.rmSync(file, { force: true });
  }
  const seconds = (performance.now() - start) / 1000;
  const y = globalThis.__conformanceOutput;
  if (request.returns === 'json') return { ok: true, value: y, seconds };
  return { ok: true, tensor: tensorOut(y), seconds };
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  started = null;
  try {
    answer = await run(JSON.parse(line));
  } catch (err) {
    answer = {
      ok: false,
      seconds: started === null ? null : (performance.now() - started) / 1000,
      name: String(err?.name ?? 'Error'),
      message: String(err?.message ?? err),
      stack: String(err?.stack ?? ''),
      by_framework: byFramework(err),
    };
  }
  await reply(answer);
}
