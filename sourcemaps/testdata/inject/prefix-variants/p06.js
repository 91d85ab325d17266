// a
// b

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="ad399a28-3a8c-5318-ac70-3880336f6154")}catch(e){}}();
foo();
//# debugId=ad399a28-3a8c-5318-ac70-3880336f6154
