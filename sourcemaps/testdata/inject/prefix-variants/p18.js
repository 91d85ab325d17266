
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="5a9a6566-5945-54e0-8bdc-a6dd86cd34b0")}catch(e){}}();
"use strict"
foo();
//# debugId=5a9a6566-5945-54e0-8bdc-a6dd86cd34b0
