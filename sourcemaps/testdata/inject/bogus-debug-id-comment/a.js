
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="6ce82169-8ce3-5b86-84d5-0baa8ce127f0")}catch(e){}}();
foo();
//# debugId=zzz
//# sourceMappingURL=a.js.map

//# debugId=6ce82169-8ce3-5b86-84d5-0baa8ce127f0
