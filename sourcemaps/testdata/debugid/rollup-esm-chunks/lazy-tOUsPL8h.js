import { a as add } from './main-DAQDojH9.js';

function run() { return add(40, 2); }

export { run };
//# sourceMappingURL=lazy-tOUsPL8h.js.map
