
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="048cbb41-d8fe-5303-831c-f2970f81bc90")}catch(e){}}();
foo();bar();
//# sourceMappingURL=a.js.map

//# debugId=048cbb41-d8fe-5303-831c-f2970f81bc90
