#!/usr/bin/env node
'use strict';!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="bed83a73-0e2a-54d1-a45c-0b298de91e75")}catch(e){}}();
'use strict'
foo();
//# sourceMappingURL=a.js.map

//# debugId=bed83a73-0e2a-54d1-a45c-0b298de91e75
