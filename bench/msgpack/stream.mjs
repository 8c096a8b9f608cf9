// msgpack stream decoding: the same bytes decoded one-shot and fed to the
// stream Decoder in chunks. Run: node --import tsx bench/msgpack/stream.mjs [--runs N]
import { decode, Decoder, encode } from '../../packages/sdk/src/rpc/codec.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }
function time(fn) {
  const ms = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); fn(); ms.push(performance.now() - t); }
  return median(ms);
}
function chunked(bytes, size) {
  const d = new Decoder();
  let n = 0;
  for (let i = 0; i < bytes.length; i += size) {
    d.push(bytes.subarray(i, i + size));
    for (let r = d.next(); r; r = d.next()) n++;
  }
  return n;
}

// 1. a 3.9 MB array of small maps, in 64 KiB chunks
const big = encode(Array.from({ length: 100_000 }, (_, i) => ({ Line: `line ${i} of the output`, N: i, F: i + 0.5 })));
// 2. an incomplete nested array (the last byte never comes) fed in 16-byte chunks
const nested = encode(Array.from({ length: 2_000 }, (_, i) => [i, [i, 'x'], { k: i }])).subarray(0, -1);

const rows = [
  ['3.9 MB array, one-shot decode', time(() => decode(big))],
  ['3.9 MB array, Decoder, 64 KiB chunks', time(() => chunked(big, 65_536))],
  ['3.9 MB array, Decoder, 1 KiB chunks', time(() => chunked(big, 1024))],
  [`incomplete nested array (${nested.length} B), one chunk`, time(() => chunked(nested, nested.length))],
  [`incomplete nested array (${nested.length} B), 16 B chunks`, time(() => chunked(nested, 16))],
  [`incomplete nested array (${nested.length} B), 1 B chunks`, time(() => chunked(nested, 1))],
];
console.log(`bytes: ${big.length}; median of ${runs} runs, Node ${process.version}`);
console.log('| case | time |\n|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} ms |`);
