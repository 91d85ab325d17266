// Builds the demo app in ./app with a real bundler, for internal/testbundles.
//
//   node build.mjs --bundler esbuild|webpack|rollup --src APP_DIR --out OUT_DIR --node-modules DIR
//
// Bundlers are loaded from --node-modules (the peers folder), never from the network. Everything
// is written below --out; sources are referenced relative to it, so keeping APP_DIR beside OUT_DIR
// (as testbundles.Build does: src/ and dist/) gives the same bytes on every machine, except the
// "file" of webpack's maps: it names the pre-realContentHash file, whose hash covers absolute paths.
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    bundler: { type: 'string' },
    src: { type: 'string' },
    out: { type: 'string' },
    'node-modules': { type: 'string' },
  },
});
for (const name of ['bundler', 'src', 'out', 'node-modules']) {
  if (!args[name]) {
    throw new Error(`missing --${name}`);
  }
}
const src = path.resolve(args.src);
const out = path.resolve(args.out);
// createRequire needs a file path inside the folder whose node_modules it should search.
const require = createRequire(path.join(path.resolve(args['node-modules']), '..', 'noop.js'));

const entries = { main: path.join(src, 'main.js'), api: path.join(src, 'api.js') };

async function buildEsbuild() {
  const esbuild = require('esbuild');
  const common = { bundle: true, minify: true, logLevel: 'warning', absWorkingDir: src };
  // The typical browser build: code-split ESM, hashed chunks in a subfolder, linked maps, and
  // UTF-8 output so non-ASCII text stays raw (esbuild escapes it by default).
  await esbuild.build({
    ...common,
    entryPoints: entries,
    outdir: path.join(out, 'esm'),
    format: 'esm',
    splitting: true,
    sourcemap: 'linked',
    charset: 'utf8',
    target: 'es2022',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
  });
  // One file with the map inlined as a data: URL.
  await esbuild.build({
    ...common,
    entryPoints: [entries.main],
    outfile: path.join(out, 'inline', 'app.js'),
    format: 'esm',
    sourcemap: 'inline',
    target: 'es2022',
  });
  // A CommonJS build for node, with the default ASCII charset (non-ASCII escaped as \u....).
  await esbuild.build({
    ...common,
    entryPoints: [entries.api],
    outfile: path.join(out, 'cjs', 'api.cjs'),
    format: 'cjs',
    platform: 'node',
    sourcemap: 'linked',
    target: 'node18',
  });
}

async function buildWebpack() {
  const webpack = require('webpack');
  const config = {
    mode: 'production',
    context: src,
    // Without a library, webpack drops every export of an entry: api.js would become an empty
    // file with no map.
    entry: {
      main: './main.js',
      api: { import: './api.js', library: { type: 'umd', name: 'DemoApi' } },
    },
    target: ['web', 'es2020'],
    devtool: 'source-map',
    cache: false,
    output: {
      path: out,
      publicPath: '/assets/',
      filename: 'js/[name].[contenthash:16].js',
      chunkFilename: 'js/[name].[contenthash:16].chunk.js',
      clean: false,
    },
    optimization: {
      realContentHash: true,
      // The app is tiny: without minSize 0 webpack would not split out the shared modules.
      splitChunks: { chunks: 'all', minSize: 0 },
    },
    infrastructureLogging: { level: 'error' },
    stats: 'errors-warnings',
  };
  const stats = await new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((err, result) => {
      compiler.close((closeErr) => {
        if (err || closeErr) {
          reject(err ?? closeErr);
        } else {
          resolve(result);
        }
      });
    });
  });
  if (stats.hasErrors() || stats.hasWarnings()) {
    throw new Error(`webpack:\n${stats.toString('errors-warnings')}`);
  }
}

// rollup has no JSON support without @rollup/plugin-json, which is not a peer; this is the
// smallest equivalent. Its empty map tells rollup the module's lines map to nothing, which is
// what the plugin does too.
const jsonPlugin = {
  name: 'json',
  transform(code, id) {
    if (!id.endsWith('.json')) {
      return null;
    }
    return { code: `export default ${JSON.stringify(JSON.parse(code))};\n`, map: { mappings: '' } };
  },
};

async function buildRollup() {
  const { rollup } = require('rollup');
  const onwarn = (warning) => {
    throw new Error(`rollup: ${warning.message}`);
  };
  // Code-split ESM: both entries plus one chunk per dynamic import and per shared module set.
  const split = await rollup({ input: entries, plugins: [jsonPlugin], onwarn });
  await split.write({
    dir: path.join(out, 'esm'),
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name]-[hash].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  });
  await split.close();
  // A single-file IIFE of the main entry: dynamic imports are inlined.
  const single = await rollup({ input: entries.main, plugins: [jsonPlugin], onwarn });
  await single.write({
    file: path.join(out, 'iife', 'app.js'),
    format: 'iife',
    name: 'DemoApp',
    sourcemap: true,
    inlineDynamicImports: true,
  });
  await single.close();
}

const builders = { esbuild: buildEsbuild, webpack: buildWebpack, rollup: buildRollup };
const build = builders[args.bundler];
if (!build) {
  throw new Error(`unknown bundler ${JSON.stringify(args.bundler)}; known: ${Object.keys(builders).join(', ')}`);
}
await mkdir(out, { recursive: true });
await build();
