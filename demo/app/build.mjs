// Builds the demo app's two versions (v1/src → v1/dist, v2/src → v2/dist) with esbuild 0.28.2,
// the output the demo embeds and deploys. Run once after changing a source, from the repository:
//
//   node demo/app/build.mjs /path/to/node_modules   # .peers/node_modules after .ci/install-peers
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeModules = process.argv[2];
if (!nodeModules) {
  throw new Error('usage: node demo/app/build.mjs NODE_MODULES');
}
const require = createRequire(path.join(path.resolve(nodeModules), '..', 'noop.js'));
const esbuild = require('esbuild');
const here = path.dirname(fileURLToPath(import.meta.url));
for (const version of ['v1', 'v2']) {
  await esbuild.build({
    absWorkingDir: path.join(here, version), entryPoints: { main: 'src/main.js' }, bundle: true, minify: true,
    outdir: 'dist', format: 'esm', splitting: true, sourcemap: 'linked', charset: 'utf8',
    target: 'es2022', entryNames: '[name]-[hash]', chunkNames: 'chunks/[name]-[hash]', logLevel: 'warning',
  });
}
