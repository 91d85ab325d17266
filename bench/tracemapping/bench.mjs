// Times @jridgewell/trace-mapping on the maps the Go benchmarks in sourcemaps/ use, and prints
// both side by side when given the Go results. bench/tracemapping/run.sh runs everything.
//
//   node bench.mjs --out BENCH_OUT --node-modules NM [--go GO_BENCH_OUTPUT]
//
// Sets, as in sourcemaps/resolve_bench_test.go: BENCH_OUT/bundles/<bundler>/dist (the real
// esbuild, webpack and rollup builds of internal/testbundles), BENCH_OUT/large (genbuild: all
// maps, and the largest alone), BENCH_OUT/combined/{index,flat}.map.
//
// Parse: `new TraceMap(json)` (AnyMap for the index map) + decodedMappings(), on the JSON text
// already in memory, as Go's Parse gets bytes already read. Lookups: originalPositionFor on
// 65,536 positions, a random segment's line and a column up to 20 past it, in random order and
// sorted; the same distribution as the Go benchmark. Both sides report their best round (ROUNDS
// here, go test -count there).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, 'node-modules': { type: 'string' }, go: { type: 'string' } },
});
if (!args.out || !args['node-modules']) {
  throw new Error('usage: node bench.mjs --out BENCH_OUT --node-modules NM [--go GO_BENCH_OUTPUT]');
}
const require = createRequire(path.join(path.resolve(args['node-modules']), 'noop.js'));
const { AnyMap, TraceMap, decodedMappings, originalPositionFor } = require('@jridgewell/trace-mapping');

function walk(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const maps = (dir) => walk(dir).filter((p) => p.endsWith('.map')).map((p) => readFileSync(p, 'utf8'));
const byteLength = (texts) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const largest = (texts) => texts.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a));

const sets = [];
for (const b of ['esbuild', 'webpack', 'rollup']) {
  const files = maps(path.join(args.out, 'bundles', b, 'dist'));
  sets.push({ group: 'Bundles', name: b, files, lookup: false });
  sets.push({ group: null, name: `${b}-largest`, files: [largest(files)], lookup: true });
}
const all = maps(path.join(args.out, 'large'));
sets.push({ group: 'Large', name: 'genbuild-all', files: all, lookup: false });
sets.push({ group: 'Large', name: 'genbuild-largest', files: [largest(all)], lookup: true });
for (const n of ['index', 'flat']) {
  sets.push({ group: 'Large', name: `combined-${n}`, files: [readFileSync(path.join(args.out, 'combined', `${n}.map`), 'utf8')], lookup: true });
}

const load = (text) => {
  // AnyMap for index maps (TraceMap refuses them); it decodes every section as it flattens.
  const m = text.includes('"sections"') && 'sections' in JSON.parse(text) ? AnyMap(text) : new TraceMap(text);
  decodedMappings(m);
  return m;
};

// timeLoop warms fn up for the JIT, then runs it in ROUNDS rounds of at least minMs (and 3 runs)
// each, and returns the mean milliseconds per run of the fastest round. The best round, as
// run.sh takes Go's best of -count runs: on a shared machine, noise only ever slows a round.
const ROUNDS = Number(process.env.ROUNDS ?? 5);
function timeLoop(fn, minMs = 400) {
  const warm = performance.now();
  do fn(); while (performance.now() - warm < 300);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    let runs = 0;
    const start = performance.now();
    do {
      fn();
      runs++;
    } while (performance.now() - start < minMs || runs < 3);
    best = Math.min(best, (performance.now() - start) / runs);
  }
  return best;
}

// A small PRNG with a fixed seed, so every run asks the same positions.
function rng(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
  };
}

const QUERIES = 65536;
function queries(m, ascending) {
  const segs = [];
  decodedMappings(m).forEach((line, l) => line.forEach((seg) => segs.push([l, seg[0]])));
  const rand = rng(7);
  const q = [];
  for (let i = 0; i < QUERIES; i++) {
    const [l, c] = segs[rand(segs.length)];
    q.push({ line: l + 1, column: c + rand(20) }); // trace-mapping: 1-based line, 0-based column
  }
  if (ascending) q.sort((a, b) => a.line - b.line || a.column - b.column);
  return q;
}

const results = {};
for (const s of sets) {
  const bytes = byteLength(s.files);
  if (s.group) {
    const ms = timeLoop(() => s.files.forEach(load));
    results[`Parse${s.group}/${s.name}`] = { mbps: bytes / 1048576 / (ms / 1000), bytes };
  }
  if (s.lookup) {
    const m = load(s.files[0]);
    for (const [kind, asc] of [['Random', false], ['Ascending', true]]) {
      const q = queries(m, asc);
      let found = 0;
      const ms = timeLoop(() => {
        for (const p of q) if (originalPositionFor(m, p).source !== null) found++;
      });
      if (!found) throw new Error('no lookup found anything');
      results[`Lookup${kind}/${s.name}`] = { lps: QUERIES / (ms / 1000), bytes };
    }
  }
}

// Go's benchmark lines: "BenchmarkParseLarge/genbuild-all-2  3  236204621 ns/op  218.59 MB/s ..."
const goResults = {};
if (args.go) {
  for (const line of readFileSync(args.go, 'utf8').split('\n')) {
    const m = /^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$/.exec(line);
    if (!m) continue;
    // go test -count N prints each benchmark N times: keep the best.
    const mb = /([\d.]+) MB\/s/.exec(m[2]);
    const lps = /([\d.e+]+) lookups\/s/.exec(m[2]);
    const prev = goResults[m[1]] ?? {};
    const best = (a, b) => (b === undefined ? a : Math.max(a ?? 0, b));
    goResults[m[1]] = { mbps: best(prev.mbps, mb ? Number(mb[1]) : undefined), lps: best(prev.lps, lps ? Number(lps[1]) : undefined) };
  }
}

const fmt = (n, unit) => (n === undefined ? '—' : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${unit}`);
const fmtL = (n) => (n === undefined ? '—' : `${(n / 1e6).toFixed(2)} M/s`);
console.log(`trace-mapping ${require('@jridgewell/trace-mapping/package.json').version}, node ${process.version}`);
console.log('| benchmark | map bytes | releasegate | trace-mapping | ratio |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, r] of Object.entries(results)) {
  const g = goResults[name] ?? {};
  const [ours, theirs] = r.mbps !== undefined ? [g.mbps, r.mbps] : [g.lps, r.lps];
  const show = r.mbps !== undefined ? (n) => fmt(n, 'MB/s') : fmtL;
  const ratio = ours === undefined ? '—' : `${(ours / theirs).toFixed(2)}×`;
  console.log(`| ${name} | ${r.bytes.toLocaleString('en-US')} | ${show(ours)} | ${show(theirs)} | ${ratio} |`);
}
