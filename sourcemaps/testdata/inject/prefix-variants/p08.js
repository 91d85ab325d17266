
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="c0a10415-d2ca-5bce-81db-34fae6bb50f2")}catch(e){}}();
// a
//# debugId=c0a10415-d2ca-5bce-81db-34fae6bb50f2
