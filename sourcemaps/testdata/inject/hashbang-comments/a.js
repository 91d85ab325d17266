#!/usr/bin/env node
// c
/* block
 comment */

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="d0b0efc6-e1ce-57f9-995d-6cffed046bf3")}catch(e){}}();
foo();
//# sourceMappingURL=a.js.map

//# debugId=d0b0efc6-e1ce-57f9-995d-6cffed046bf3
