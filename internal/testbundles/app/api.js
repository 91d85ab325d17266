// A second entry point made only of re-exports. Bundlers must share modules between it and
// main.js; for code-split ESM this yields tiny facade entries whose maps can have no sources.
export { Money, sum } from './lib/money.js';
export { formatGreeting, formatDuration } from './lib/format.js';
export { ValidationError } from './lib/errors.js';
