#!/usr/bin/env node
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="3520e882-8e45-522c-97d1-0318beae5c55")}catch(e){}}();
foo();
//# sourceMappingURL=a.js.map

//# debugId=3520e882-8e45-522c-97d1-0318beae5c55
