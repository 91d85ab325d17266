!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="cd7410a5-fd5f-5d51-94ea-2784cd8a51a8")}catch(e){}}();
/* c */
foo();
bar();
//# sourceMappingURL=b.js.map

//# debugId=cd7410a5-fd5f-5d51-94ea-2784cd8a51a8
