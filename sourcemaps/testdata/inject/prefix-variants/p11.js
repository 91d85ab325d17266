
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="04b34bf5-1723-5396-83c1-f46f2ac53040")}catch(e){}}();
/* c
foo();
//# debugId=04b34bf5-1723-5396-83c1-f46f2ac53040
