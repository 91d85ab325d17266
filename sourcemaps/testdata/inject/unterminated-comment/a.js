
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="701d4f21-f76c-5a1e-bf5f-976e3d928686")}catch(e){}}();
/* never closed
foo();
//# sourceMappingURL=a.js.map

//# debugId=701d4f21-f76c-5a1e-bf5f-976e3d928686
