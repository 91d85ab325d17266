
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="5fda7f0a-0851-5f30-8104-cf4827ebfd6f")}catch(e){}}();
foo();
//# sourceMappingURL=a.mjs.map

//# debugId=5fda7f0a-0851-5f30-8104-cf4827ebfd6f
