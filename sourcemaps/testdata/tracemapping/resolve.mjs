// Answers generated positions with @jridgewell/trace-mapping, for the agreement test in
// sourcemaps/tracemapping_test.go.
//
//   node resolve.mjs QUERIES.json ANSWERS.json NODE_MODULES
//
// QUERIES.json is {"maps": [path...], "queries": [[mapIndex, line, column]...]} with
// trace-mapping's conventions: line 1-based, column 0-based. ANSWERS.json gets
// {"resolvedSources": [[...] per map], "answers": [[source, line, column, name]...]}, exactly
// what originalPositionFor returned (line 1-based, column 0-based, nulls when unmapped).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [queriesPath, answersPath, nodeModules] = process.argv.slice(2);
if (!nodeModules) {
  throw new Error('usage: node resolve.mjs QUERIES.json ANSWERS.json NODE_MODULES');
}
const require = createRequire(path.join(path.resolve(nodeModules), 'noop.js'));
const { AnyMap, TraceMap, originalPositionFor } = require('@jridgewell/trace-mapping');

const { maps: mapPaths, queries } = JSON.parse(readFileSync(queriesPath, 'utf8'));
const maps = mapPaths.map((p) => {
  const text = readFileSync(p, 'utf8');
  // TraceMap refuses index maps; AnyMap flattens their sections into one map.
  return 'sections' in JSON.parse(text) ? AnyMap(text) : new TraceMap(text);
});
const answers = queries.map(([mapIndex, line, column]) => {
  const { source, line: l, column: c, name } = originalPositionFor(maps[mapIndex], { line, column });
  return [source, l, c, name];
});
writeFileSync(answersPath, JSON.stringify({ resolvedSources: maps.map((m) => m.resolvedSources), answers }));
