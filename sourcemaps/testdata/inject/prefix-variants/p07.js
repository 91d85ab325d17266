
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="fd595ece-4d9e-57b0-9b5f-cdab2e02b3a9")}catch(e){}}();
foo();
// a
//# debugId=fd595ece-4d9e-57b0-9b5f-cdab2e02b3a9
