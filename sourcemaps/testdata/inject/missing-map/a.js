a();
b();
c();
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="6e92e3c4-93e5-59b1-b320-1b2f2e7a428d")}catch(e){}}();
//# sourceMappingURL=missing.map
//# debugId=6e92e3c4-93e5-59b1-b320-1b2f2e7a428d
