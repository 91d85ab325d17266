// Bundles genbuild's synthetic sources with esbuild, for bench/genbuild (see its doc comment).
//
//   node build.mjs --src SRC --entries ENTRIES.json --layout-out DIR --out OUT --node-modules NM
//
// esbuild computes each map's relative "sources" from --layout-out, a folder beside SRC that is
// never written; the files land in --out instead. So the output is the same bytes wherever
// --out is, and the script writes nothing outside it.
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    src: { type: 'string' },
    entries: { type: 'string' },
    'layout-out': { type: 'string' },
    out: { type: 'string' },
    'node-modules': { type: 'string' },
  },
});
for (const name of ['src', 'entries', 'layout-out', 'out', 'node-modules']) {
  if (!args[name]) {
    throw new Error(`missing --${name}`);
  }
}
const require = createRequire(path.join(path.resolve(args['node-modules']), '..', 'noop.js'));
const esbuild = require('esbuild');

const layoutOut = path.resolve(args['layout-out']);
const out = path.resolve(args.out);
const result = await esbuild.build({
  absWorkingDir: path.resolve(args.src),
  entryPoints: JSON.parse(await readFile(args.entries, 'utf8')),
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: true,
  charset: 'utf8',
  target: 'es2020',
  outdir: layoutOut,
  entryNames: 'pages/[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  write: false,
  logLevel: 'error',
});
// Generated code should be clean: a warning means the generator wrote something odd.
if (result.warnings.length > 0) {
  const text = await esbuild.formatMessages(result.warnings.slice(0, 5), { kind: 'warning' });
  throw new Error(`esbuild reported ${result.warnings.length} warnings:\n${text.join('\n')}`);
}
const dirs = new Set();
for (const file of result.outputFiles) {
  const rel = path.relative(layoutOut, file.path);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`esbuild output ${file.path} is outside ${layoutOut}`);
  }
  const dest = path.join(out, rel);
  if (!dirs.has(path.dirname(dest))) {
    await mkdir(path.dirname(dest), { recursive: true });
    dirs.add(path.dirname(dest));
  }
  await writeFile(dest, file.contents);
}
