#!/usr/bin/env node
"use strict";

// util.js
function add(a, b) {
  return a + b;
}

// cli.js
console.log(add(process.argv.length, 1));
//# sourceMappingURL=cli.cjs.map
