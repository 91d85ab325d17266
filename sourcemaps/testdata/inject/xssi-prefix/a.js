
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="fce2699c-ff4e-5294-ae80-32a77f34b8eb")}catch(e){}}();
foo();
//# sourceMappingURL=a.js.map

//# debugId=fce2699c-ff4e-5294-ae80-32a77f34b8eb
