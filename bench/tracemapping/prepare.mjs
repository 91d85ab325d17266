// Builds the two largest maps the benchmarks use from a genbuild output folder, with
// trace-mapping itself (so both sides read exactly the same bytes):
//
//   node prepare.mjs BUILD_DIR OUT_DIR NODE_MODULES
//
// OUT_DIR/index.map is an index map with one section per map of BUILD_DIR (each on its own
// generated line range, as a concatenating build step would write it); OUT_DIR/flat.map is the
// same map flattened into a regular one by trace-mapping's AnyMap + encodedMap. Both are about
// as large as all of BUILD_DIR's maps together.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [buildDir, outDir, nodeModules] = process.argv.slice(2);
if (!nodeModules) {
  throw new Error('usage: node prepare.mjs BUILD_DIR OUT_DIR NODE_MODULES');
}
const require = createRequire(path.join(path.resolve(nodeModules), 'noop.js'));
const { AnyMap, encodedMap } = require('@jridgewell/trace-mapping');

function walk(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const sections = [];
let line = 0;
for (const js of walk(buildDir).filter((p) => p.endsWith('.js'))) {
  const map = JSON.parse(readFileSync(js + '.map', 'utf8'));
  sections.push({ offset: { line, column: 0 }, map });
  // The section covers the generated file's lines; the next one starts below it.
  line += readFileSync(js, 'utf8').split('\n').length;
}
mkdirSync(outDir, { recursive: true });
const index = JSON.stringify({ version: 3, file: 'all.js', sections });
writeFileSync(path.join(outDir, 'index.map'), index);
writeFileSync(path.join(outDir, 'flat.map'), JSON.stringify(encodedMap(AnyMap(index))));
console.log(`prepare: ${sections.length} maps → ${outDir}/index.map and flat.map`);
