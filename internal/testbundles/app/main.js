// Entry of the demo app that internal/testbundles builds with real bundlers. It runs in node
// (esbuild and rollup ESM output): `node main.js` prints every page, APP_CRASH=1 makes the
// report page throw so a test gets a real stack trace through minified code.
import { log } from './logger.js';
import { navigate, routeNames } from './router.js';
import { bus } from './lib/events.js';
import { describe } from './lib/errors.js';

const env = globalThis.process?.env ?? {};

export const user = { 名前: 'Zoë', emoji: '🧑‍💻' };

async function start() {
  const off = bus.on('store:changed', (_state, version) => log('store', `version ${version}`));
  try {
    for (const name of routeNames) {
      const html = await navigate(name, {
        user,
        timings: [1200, 65000, 3_725_000, 400],
        crash: env.APP_CRASH === '1',
      });
      log(name, `\n${html}`);
    }
  } finally {
    off();
  }
}

start().catch((error) => {
  log('fatal', describe(error));
  if (env.APP_CRASH === '1') {
    throw error;
  }
});
