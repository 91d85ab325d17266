/*a*/
//b


!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="840978c3-dce5-5fcd-85d1-4f7a86a7c683")}catch(e){}}();
foo()
//# debugId=840978c3-dce5-5fcd-85d1-4f7a86a7c683
